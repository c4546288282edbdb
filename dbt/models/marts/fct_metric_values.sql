-- Every value every accepted extract stated, harmonised: one row per area, metric, period end,
-- window and vintage (the extract version that said it). is_latest marks the value to use now:
-- the one from the most recent vintage, so restatements win and superseded versions stay visible.
-- `source` is the source a value belongs to and `layout` the contract of the file that stated it: an SSDA903
-- return (layout csc903) states children's social care (source csc) values, as the csc zip does.

with

metric_values as (

    {{ union_metric_values() }}

),

versions as (

    select * from {{ ref('int_extract_versions') }}

),

csc_layouts as (select layout from {{ ref('csc_layouts') }}),

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
        case when versions.source in (select layout from csc_layouts) then 'csc' else versions.source end as source,
        versions.source as layout,
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
