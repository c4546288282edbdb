with

source as (

    select * from {{ source('raw_agency_kpis', 'agency_kpis_returns') }}

),

renamed as (

    select
        load_id,
        row_number as spreadsheet_row,
        agency,
        indicator,
        metric_code,
        staff_in_scope,
        staff_compliant,
        100.0 * staff_compliant / nullif(staff_in_scope, 0) as compliance_pct

    from source

)

select * from renamed
