-- One row per contact of an Annex A's List 1, as the csc zip's contacts. The list numbers no contacts and
-- records neither the outcome nor a domestic abuse flag (null, not false).

with

source as (

    select * from {{ source('raw_annexa', 'annexa_contacts') }}

),

renamed as (

    select
        load_id,
        row_number as spreadsheet_row,
        md5(child_id || '/' || cast(contact_date as varchar) || '/' || contact_source || '/' || row_number)
            as contact_id,
        child_id,
        cast(contact_date as date) as contact_date,
        contact_source,
        cast(null as boolean) as domestic_abuse,
        cast(null as varchar) as outcome

    from source

)

select * from renamed
