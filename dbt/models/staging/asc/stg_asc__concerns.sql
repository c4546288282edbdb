with

source as (

    select * from {{ source('raw_asc', 'asc_concerns') }}

),

renamed as (

    select
        load_id,
        row_number as spreadsheet_row,
        concern_id,
        person_id,
        cast(received_date as date) as received_date,
        concern_source,
        cast(decision_date as date) as decision_date,
        outcome,
        care_home = 'Y' as involves_care_home,
        placed_out_of_area = 'Y' as is_placed_out_of_area,
        age as age_at_receipt,
        sex,
        ethnicity,
        primary_support_reason

    from source

)

select * from renamed
