-- What each resubmission changed: one row per extract version that replaced an earlier accepted one and per
-- thing it changed. change_kind 'rows': a raw table, with the rows added, removed and changed (every table
-- compared, unchanged ones with zeros). change_kind 'metric': a figure the two versions state differently
-- (area, metric, period end, window), with both values; a figure only one of them states has the other empty.

with

versions as (select * from {{ ref('int_extract_versions') }}),
row_changes as (select * from {{ ref('stg_pipeline__resubmission_changes') }}),
metric_values as (select * from {{ ref('fct_metric_values') }}),

pairs as (

    select distinct load_id, previous_load_id from row_changes

),

new_values as (

    select pairs.*, metric_values.la_code, metric_values.metric_code, metric_values.period_end,
        metric_values."window", metric_values.value
    from pairs
    inner join metric_values on metric_values.vintage_load_id = pairs.load_id

),

old_values as (

    select pairs.*, metric_values.la_code, metric_values.metric_code, metric_values.period_end,
        metric_values."window", metric_values.value
    from pairs
    inner join metric_values on metric_values.vintage_load_id = pairs.previous_load_id

),

metric_moves as (

    select
        coalesce(new_values.load_id, old_values.load_id) as load_id,
        coalesce(new_values.previous_load_id, old_values.previous_load_id) as previous_load_id,
        'metric' as change_kind,
        coalesce(new_values.la_code, old_values.la_code) as metric_la_code,
        coalesce(new_values.metric_code, old_values.metric_code) as metric_code,
        coalesce(new_values.period_end, old_values.period_end) as metric_period_end,
        coalesce(new_values."window", old_values."window") as metric_window,
        old_values.value as previous_value,
        new_values.value

    from new_values
    full outer join old_values
        on new_values.load_id = old_values.load_id
        and new_values.la_code = old_values.la_code
        and new_values.metric_code = old_values.metric_code
        and new_values.period_end = old_values.period_end
        and new_values."window" = old_values."window"
    where new_values.value is distinct from old_values.value

),

changes as (

    select
        load_id, previous_load_id, 'rows' as change_kind, table_name, rows_added, rows_removed, rows_changed,
        null as metric_la_code, null as metric_code, null::date as metric_period_end, null as metric_window,
        null::double as previous_value, null::double as value
    from row_changes

    union all by name

    select * from metric_moves

),

final as (

    select
        versions.source,
        versions.current_la_code as la_code,
        versions.period_end,
        changes.load_id,
        versions.file_name,
        versions.received_at,
        versions.load_status,
        changes.previous_load_id,
        previous.file_name as previous_file_name,
        previous.received_at as previous_received_at,
        changes.change_kind,
        changes.table_name,
        changes.rows_added,
        changes.rows_removed,
        changes.rows_changed,
        changes.metric_la_code,
        changes.metric_code,
        changes.metric_period_end,
        changes.metric_window,
        changes.previous_value,
        changes.value,
        changes.value - changes.previous_value as change

    from changes
    inner join versions on versions.load_id = changes.load_id
    inner join versions as previous on previous.load_id = changes.previous_load_id

)

select * from final
