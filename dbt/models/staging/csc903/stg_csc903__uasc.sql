-- One row per child of an SSDA903 return recorded as an unaccompanied asylum-seeking child.

with

source as (

    select * from {{ source('raw_csc903', 'csc903_uasc') }}

),

renamed as (

    select
        load_id,
        row_number as spreadsheet_row,
        child as child_id,
        cast(duc as date) as uasc_ceased_date

    from source

)

select * from renamed
