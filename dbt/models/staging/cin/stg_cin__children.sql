-- One row per child of a Children in Need census, in the csc zip's terms: GenderCurrent 1/2 read as M/F (0 and
-- 9, not known or not specified, as U); disabled unless the only disability recorded is NONE.

with

source as (

    select * from {{ source('raw_cin', 'cin_children') }}

),

renamed as (

    select
        load_id,
        row_number as spreadsheet_row,
        lachildid as child_id,
        case gendercurrent when '1' then 'M' when '2' then 'F' else 'U' end as sex,
        coalesce(personbirthdate, expectedpersonbirthdate) as birth_month,
        ethnicity,
        coalesce(disabilities, 'NONE') <> 'NONE' as disability

    from source

)

select * from renamed
