with

source as (

    select * from {{ source('raw', 'findings') }}

),

renamed as (

    select
        load_id,
        rule,
        severity,
        message,
        file_name,
        sheet as sheet_or_module,
        row_number as spreadsheet_row,
        column_letter,
        column_name,
        value as offending_value

    from source

)

select * from renamed
