-- Every agency KPI indicator of every accepted return version for its financial year: the partnership's
-- published figure, the unweighted average of the agencies' percentages (agency_kpis has the weighted one too).

with

results as (select * from {{ ref('int_agency_kpis__indicator_results') }}),

final as (

    select
        la_code,
        metric_code,
        period_end,
        'financial_year' as "window",
        unweighted_pct as value,
        'computed' as stated_as,
        load_id

    from results
    where unweighted_pct is not null

)

select * from final
