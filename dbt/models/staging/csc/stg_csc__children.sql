with

source as (

    select * from {{ source('raw_csc', 'csc_children') }}

),

renamed as (

    select
        load_id,
        row_number as spreadsheet_row,
        child_id,
        sex,
        birth_month,
        ethnicity,
        disability = 'Y' as disability

    from source

)

select * from renamed
