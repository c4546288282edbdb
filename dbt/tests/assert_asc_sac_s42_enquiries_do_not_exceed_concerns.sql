-- Enquiries come from concerns: section 42 enquiries started (SG1d cases) never exceed concerns received, and
-- adults with an S42 enquiry never exceed adults with a concern (SG1a). Rows returned break that.
{{ config(meta={'dagster': {'ref': {'name': 'asc_sac_tables'}}}) }}

with

totals as (

    select
        la_code,
        period_end,
        table_reference,
        sum(value) filter (where enquiry_type = 'S42') as s42,
        sum(value) filter (where enquiry_type = 'CONCERN') as concerns
    from {{ ref('asc_sac_tables') }}
    where table_reference in ('SG1a', 'SG1d')
    group by all

)

select * from totals
where s42 > concerns
