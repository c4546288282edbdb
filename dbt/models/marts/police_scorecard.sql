-- The police scorecard tables of the partnership reports: per area, period and measure, the figures
-- as that period's current workbook gave them, and whether a later workbook restated "current"
-- (the same 12 months, as a later "previous" or a resubmission) with a different figure.

with

scorecard_rows as (

    select * from {{ ref('stg_police__scorecard_rows') }}

),

current_versions as (

    select load_id, has_queries from {{ ref('int_extract_versions') }}
    where is_current

),

latest_values as (

    select la_code, metric_code, period_end, value as latest_value
    from {{ ref('fct_metric_values') }}
    where is_latest and "window" = 'rolling_12m' and source = 'police_scorecard'

),

authorities as (

    select * from {{ ref('authorities') }}

),

final as (

    select
        scorecard_rows.la_code,
        authorities.la_name,
        scorecard_rows.period_end,
        scorecard_rows.section,
        scorecard_rows.measure,
        scorecard_rows.metric_code,
        scorecard_rows.current_12m as "current",
        scorecard_rows.previous_12m as previous,
        scorecard_rows.chg,
        scorecard_rows.pct_chg,
        coalesce(
            latest_values.latest_value is distinct from scorecard_rows.current_12m
            and latest_values.latest_value is not null,
            false
        ) as restated,
        cast(latest_values.latest_value as bigint) as latest_value,
        current_versions.has_queries,
        scorecard_rows.file_name as source_file,
        scorecard_rows.load_id

    from scorecard_rows
    inner join current_versions
        on scorecard_rows.load_id = current_versions.load_id
    left join authorities
        on scorecard_rows.la_code = authorities.la_code
    left join latest_values
        on scorecard_rows.la_code = latest_values.la_code
        and scorecard_rows.metric_code = latest_values.metric_code
        and scorecard_rows.period_end = latest_values.period_end

)

select * from final
