with

source as (

    select * from {{ source('raw_s175', 's175_ratings') }}

),

renamed as (

    select
        load_id,
        row_number as spreadsheet_row,
        urn,
        item_ref,
        split_part(item_ref, '.', 1) as section,
        rating

    from source

)

select * from renamed
