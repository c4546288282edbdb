-- One row per accepted adult social care extract version: its authority (Somerset's former county code
-- read as its current one), period end and the start of the financial year it reports on (1 April).

with

versions as (

    select * from {{ ref('int_extract_versions') }}
    where source = 'asc' and load_status = 'accepted'

),

authorities as (

    select la_code, predecessor_code from {{ ref('authorities') }}

),

final as (

    select
        versions.load_id,
        coalesce(successors.la_code, versions.la_code) as la_code,
        versions.period_end,
        make_date(
            year(versions.period_end) - case when month(versions.period_end) < 4 then 1 else 0 end, 4, 1
        ) as financial_year_start

    from versions
    left join authorities as successors
        on versions.la_code = successors.predecessor_code

)

select * from final
