with

source as (

    select * from {{ source('raw_csc', 'csc_contacts') }}

),

renamed as (

    select
        load_id,
        row_number as spreadsheet_row,
        contact_id,
        child_id,
        cast(contact_date as date) as contact_date,
        contact_source,
        domestic_abuse = 'Y' as domestic_abuse,
        outcome

    from source

)

select * from renamed
