-- The fidelity record: every figure the partnership's reports published (published_other_figures and the
-- agency KPI table, transcribed from ../shared/seeds) beside what the warehouse says for the same authority,
-- metric and period: as it stood when the report was written (the latest extract version up to the period's
-- end) and now (a later extract may restate it), rounded as the report rounded it. A figure the warehouse does
-- not hold (not from a partner extract) says so; the transcriber's note keeps a report's own contradictions in
-- view (1,012 or 1,021 concerns; a 95% return rate that is 77 of 83, 92.8%).

with

published as (

    select seed_file, la_code, source, period_start, period_end, measure, value as published_value, unit, note
    from {{ ref('published_other_figures') }}
    union all
    select seed_file, la_code, 'agency_kpis', period_start, period_end, indicator, outcome_pct, 'percent',
        'target ' || target_pct || '%'
    from {{ ref('published_kpi_targets') }}

),

measure_metrics as (select * from {{ ref('published_figure_metrics') }}),
kpi_metrics as (select metric_code, metric_label from {{ ref('metric_catalogue') }} where source = 'agency_kpis'),
metric_values as (select * from {{ ref('fct_metric_values') }}),

resolved as (

    select
        published.*,
        coalesce(measure_metrics.metric_code, kpi_metrics.metric_code) as metric_code,
        coalesce(measure_metrics."window", case when kpi_metrics.metric_code is not null then 'financial_year' end)
            as metric_window,
        coalesce(measure_metrics.warehouse_period_end, published.period_end) as warehouse_period_end

    from published
    left join measure_metrics using (source, measure)
    left join kpi_metrics
        on published.source = 'agency_kpis'
        and kpi_metrics.metric_label = published.measure

),

compared as (

    select
        resolved.*,
        metric_values.value as warehouse_value,
        metric_values.source_file as warehouse_source_file,
        metric_values.is_latest,
        row_number() over (
            partition by resolved.seed_file, resolved.la_code, resolved.source, resolved.period_end, resolved.measure
            order by metric_values.vintage_period_end <= resolved.warehouse_period_end desc,
                metric_values.vintage_period_end desc, metric_values.vintage_received_at desc
        ) = 1 as is_as_published

    from resolved
    left join metric_values
        on metric_values.la_code = resolved.la_code
        and metric_values.metric_code = resolved.metric_code
        and metric_values."window" = resolved.metric_window
        and metric_values.period_end = resolved.warehouse_period_end

),

latest as (

    select seed_file, la_code, source, period_end, measure, warehouse_value, warehouse_source_file
    from compared
    where is_latest

),

final as (

    select
        then_.seed_file,
        then_.la_code,
        then_.source,
        then_.period_start,
        then_.period_end,
        then_.measure,
        then_.unit,
        then_.published_value,
        then_.metric_code,
        then_.warehouse_value,
        round(then_.warehouse_value) as warehouse_value_rounded,
        case
            when then_.metric_code is null then 'not held'
            when then_.warehouse_value is null then 'missing'
            when round(then_.warehouse_value) = then_.published_value then 'matches'
            else 'differs'
        end as status,
        then_.warehouse_source_file,
        latest.warehouse_value as latest_value,
        round(latest.warehouse_value) is distinct from round(then_.warehouse_value) as is_restated,
        latest.warehouse_source_file as latest_source_file,
        then_.note

    from compared as then_
    left join latest using (seed_file, la_code, source, period_end, measure)
    where then_.is_as_published

)

select * from final
