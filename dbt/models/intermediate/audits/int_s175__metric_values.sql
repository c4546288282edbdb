-- Every section 175 metric of every accepted export version, for its academic year (period_end is 31 August;
-- each quarterly snapshot is a vintage, so the latest snapshot's figure is the one fct_metric_values marks
-- latest). Shares of items are of items rated Red, Amber or Green (N/A is not a rating of the setting).

with

snapshots as (select * from {{ ref('int_s175__snapshots') }}),
setting_returns as (select * from {{ ref('int_s175__setting_returns') }}),
ratings as (select * from {{ ref('int_s175__item_ratings') }}),

settings as (

    select
        load_id,
        count(*) filter (where is_expected) as s175_settings_expected,
        count(*) filter (where is_expected and is_returned) as s175_settings_returned
    from setting_returns
    group by load_id

),

items as (

    select
        load_id,
        count(*) filter (where rating = 'Green') as green,
        count(*) filter (where rating = 'Amber') as amber,
        count(*) filter (where rating = 'Red') as red,
        count(distinct urn) filter (where rating = 'Red') as s175_settings_any_red,
        -- Not applicable (null) when the authority sent no export of the academic year before.
        case when bool_or(has_previous_year) then count(distinct urn) filter (where is_carried_from_last_year) end
            as s175_settings_amber_red_carried
    from ratings
    group by load_id

),

all_values as (

    unpivot (
        select
            snapshots.load_id,
            cast(settings.s175_settings_expected as double) as s175_settings_expected,
            cast(settings.s175_settings_returned as double) as s175_settings_returned,
            100.0 * settings.s175_settings_returned / nullif(settings.s175_settings_expected, 0)
                as s175_return_rate_pct,
            100.0 * items.green / nullif(items.green + items.amber + items.red, 0) as s175_items_green_pct,
            100.0 * items.amber / nullif(items.green + items.amber + items.red, 0) as s175_items_amber_pct,
            100.0 * items.red / nullif(items.green + items.amber + items.red, 0) as s175_items_red_pct,
            cast(coalesce(items.s175_settings_any_red, 0) as double) as s175_settings_any_red,
            cast(items.s175_settings_amber_red_carried as double) as s175_settings_amber_red_carried
        from snapshots
        left join settings using (load_id)
        left join items using (load_id)
    )
    on columns(* exclude (load_id))
    into name metric_code value value

),

final as (

    select
        snapshots.la_code,
        all_values.metric_code,
        snapshots.academic_year_end as period_end,
        'academic_year' as "window",
        all_values.value,
        'computed' as stated_as,
        all_values.load_id

    from all_values
    inner join snapshots using (load_id)

)

select * from final
