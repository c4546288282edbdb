-- One row per child of an SSDA903 return, in the csc zip's terms: SEX 1/2 (to 2023-24) read as M/F.

with

source as (

    select * from {{ source('raw_csc903', 'csc903_header') }}

),

renamed as (

    select
        load_id,
        row_number as spreadsheet_row,
        child as child_id,
        case sex when '1' then 'M' when '2' then 'F' else sex end as sex,
        dob as birth_month,
        ethnic as ethnicity,
        mother = '1' as is_mother

    from source

)

select * from renamed
