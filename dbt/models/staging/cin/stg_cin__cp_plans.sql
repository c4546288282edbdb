-- One row per child protection plan of a Children in Need census, as the csc zip's plans.

with

source as (

    select * from {{ source('raw_cin', 'cin_cp_plans') }}

),

renamed as (

    select
        load_id,
        row_number as spreadsheet_row,
        md5(lachildid || '/' || cast(cppstartdate as varchar)) as plan_id,
        lachildid as child_id,
        cast(cppstartdate as date) as start_date,
        cast(cppenddate as date) as end_date,
        initialcategoryofabuse as initial_category,
        latestcategoryofabuse as latest_category,
        numberofpreviouscpp as previous_plans

    from source

)

select * from renamed
