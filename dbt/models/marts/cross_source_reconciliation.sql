-- Where two sources count nearly the same thing, the two figures side by side per authority and period end
-- (their latest values, in each metric's headline window), with the difference and both definitions, so neither
-- is mistaken for the other. The pairs and why they differ are the reconciliation_pairs seed.

with

pairs as (select * from {{ ref('reconciliation_pairs') }}),
catalogue as (select * from {{ ref('metric_catalogue') }}),
areas as (select la_code, la_name from {{ ref('authorities') }} where area_type = 'local_authority'),

headline as (

    select metric_values.*
    from {{ ref('fct_metric_values') }} as metric_values
    inner join catalogue using (metric_code, "window")
    where metric_values.is_latest

),

final as (

    select
        pairs.pair_id,
        a.la_code,
        areas.la_name,
        a.period_end,
        pairs.metric_a,
        catalogue_a.metric_label as label_a,
        catalogue_a.source as source_a,
        a.value as value_a,
        pairs.metric_b,
        catalogue_b.metric_label as label_b,
        catalogue_b.source as source_b,
        b.value as value_b,
        a.value - b.value as difference,
        100 * (a.value - b.value) / nullif(b.value, 0) as pct_difference,
        catalogue_a.definition as definition_a,
        catalogue_b.definition as definition_b,
        pairs.why_they_differ

    from pairs
    inner join headline as a on a.metric_code = pairs.metric_a
    inner join headline as b
        on b.metric_code = pairs.metric_b
        and b.la_code = a.la_code
        and b.period_end = a.period_end
    inner join areas on areas.la_code = a.la_code
    inner join catalogue as catalogue_a on catalogue_a.metric_code = pairs.metric_a
    inner join catalogue as catalogue_b on catalogue_b.metric_code = pairs.metric_b

)

select * from final
