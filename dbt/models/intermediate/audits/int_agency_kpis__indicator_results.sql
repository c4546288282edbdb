-- One row per accepted agency KPI return version and indicator: how many agencies reported it, and the
-- partnership's result two ways: the unweighted average of the agencies' own percentages (how the partnership
-- publishes it) and the staff-weighted one (all compliant staff over all staff in scope). An agency with no staff
-- in scope has no percentage and is left out of the average (a query at ingest).

with

versions as (

    select * from {{ ref('int_extract_versions') }}
    where source = 'agency_kpis' and load_status = 'accepted'

),

returns as (select * from {{ ref('stg_agency_kpis__returns') }}),

final as (

    select
        returns.load_id,
        versions.current_la_code as la_code,
        versions.period_end,
        returns.metric_code,
        any_value(returns.indicator) as indicator,
        count(returns.compliance_pct) as agencies_reporting,
        sum(returns.staff_in_scope) as staff_in_scope,
        sum(returns.staff_compliant) as staff_compliant,
        avg(returns.compliance_pct) as unweighted_pct,
        100.0 * sum(returns.staff_compliant) / nullif(sum(returns.staff_in_scope), 0) as staff_weighted_pct

    from returns
    inner join versions using (load_id)
    group by all

)

select * from final
