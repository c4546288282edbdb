with

source as (

    select * from {{ source('raw_csc', 'csc_assessments') }}

),

renamed as (

    select
        load_id,
        row_number as spreadsheet_row,
        assessment_id,
        referral_id,
        child_id,
        cast(start_date as date) as start_date,
        cast(authorised_date as date) as authorised_date,
        factors

    from source

)

select * from renamed
