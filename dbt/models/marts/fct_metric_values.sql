-- Every value every accepted extract stated, harmonised: one row per area, metric, period end,
-- window and vintage (the extract version that said it). is_latest marks the value to use now:
-- the one from the most recent vintage, so restatements win and superseded versions stay visible.

with

metric_values as (

    {{ union_metric_values() }}

),

versions as (

    select * from {{ ref('int_extract_versions') }}

),

final as (

    select
        metric_values.la_code,
        metric_values.metric_code,
        metric_values.period_end,
        metric_values."window",
        metric_values.value,
        metric_values.load_id as vintage_load_id,
        versions.period_end as vintage_period_end,
        versions.received_at as vintage_received_at,
        versions.file_name as source_file,
        versions.source,
        metric_values.stated_as,
        not versions.is_current as is_superseded,
        versions.has_queries,
        row_number() over (
            partition by metric_values.la_code, metric_values.metric_code, metric_values.period_end, metric_values."window"
            order by versions.period_end desc, versions.received_at desc
        ) = 1 as is_latest

    from metric_values
    inner join versions using (load_id)

)

select * from final
