with

source as (

    select * from {{ source('raw_asc', 'asc_enquiries') }}

),

renamed as (

    select
        load_id,
        row_number as spreadsheet_row,
        enquiry_id,
        concern_id,
        person_id,
        enquiry_type,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        location,
        source_of_risk,
        string_split(risk_types, '|') as risk_types,
        risk_identified,
        risk_result,
        msp_asked,
        msp_achieved,
        lacked_capacity,
        case advocate when 'Y' then true when 'N' then false end as had_advocate

    from source

)

select * from renamed
