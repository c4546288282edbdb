-- Every finding on every extract version, with the extract's identity and status, so a data
-- engineer (or the partner) can see what to fix and where.

with

findings as (

    select * from {{ ref('stg_pipeline__findings') }}

),

versions as (

    select * from {{ ref('int_extract_versions') }}

),

final as (

    select
        versions.source,
        versions.la_code,
        versions.period_end,
        findings.file_name,
        versions.version_number,
        versions.load_status,
        versions.is_current,
        versions.received_at,
        findings.severity,
        findings.rule,
        findings.sheet_or_module,
        findings.spreadsheet_row,
        findings.column_letter,
        findings.column_name,
        findings.offending_value,
        findings.message,
        findings.load_id

    from findings
    inner join versions
        on findings.load_id = versions.load_id

)

select * from final
