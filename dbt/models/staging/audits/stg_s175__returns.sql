with

source as (

    select * from {{ source('raw_s175', 's175_returns') }}

),

renamed as (

    select
        load_id,
        row_number as spreadsheet_row,
        urn,
        setting_name,
        setting_type,
        academic_year,
        cast(submitted_date as date) as submitted_date,
        submitted_date is not null as is_returned

    from source

)

select * from renamed
