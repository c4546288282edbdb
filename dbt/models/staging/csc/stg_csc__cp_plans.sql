with

source as (

    select * from {{ source('raw_csc', 'csc_cp_plans') }}

),

renamed as (

    select
        load_id,
        row_number as spreadsheet_row,
        plan_id,
        child_id,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        initial_category,
        latest_category,
        previous_plans

    from source

)

select * from renamed
