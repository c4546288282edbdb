-- Section 175 audit returns per authority and academic year, from the year's latest current snapshot: how many
-- settings were expected and returned, and how they rated themselves, overall (scope_type all), by setting type,
-- per section and per item. Return figures are for all and setting_type rows; ratings for every row. Shares of
-- items are of items rated Red, Amber or Green (N/A left out), unrounded.

with

snapshots as (select * from {{ ref('int_s175__snapshots') }} where is_latest_in_year),
setting_returns as (select * from {{ ref('int_s175__setting_returns') }}),
ratings as (select * from {{ ref('int_s175__item_ratings') }}),

returns_by_scope as (

    select load_id, 'all' as scope_type, 'all' as scope,
        count(*) filter (where is_expected) as expected,
        count(*) filter (where is_expected and is_returned) as returned,
        -- Text, not a list, for report tools: the names one per line.
        string_agg(setting_name, chr(10) order by setting_name) filter (where is_expected and not is_returned)
            as outstanding_settings
    from setting_returns
    group by all
    union all
    select load_id, 'setting_type', setting_type,
        count(*) filter (where is_expected),
        count(*) filter (where is_expected and is_returned),
        null
    from setting_returns
    group by all

),

ratings_by_scope as (

    {% for scope_type, column in [('all', "'all'"), ('setting_type', 'setting_type'), ('section', 'section'), ('item', 'item_ref')] %}
    select load_id, '{{ scope_type }}' as scope_type, {{ column }} as scope,
        count(distinct urn) as settings_rated,
        count(*) filter (where rating = 'Green') as green_items,
        count(*) filter (where rating = 'Amber') as amber_items,
        count(*) filter (where rating = 'Red') as red_items,
        count(*) filter (where rating = 'N/A') as not_applicable_items,
        count(distinct urn) filter (where rating = 'Red') as settings_with_red,
        case when bool_or(has_previous_year) then count(distinct urn) filter (where is_carried_from_last_year) end
            as settings_with_amber_red_carried
    from ratings
    group by all
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        snapshots.la_code,
        snapshots.academic_year,
        scopes.scope_type,
        scopes.scope,
        returns_by_scope.expected,
        returns_by_scope.returned,
        100.0 * returns_by_scope.returned / nullif(returns_by_scope.expected, 0) as return_rate_pct,
        coalesce(ratings_by_scope.settings_rated, 0) as settings_rated,
        100.0 * ratings_by_scope.green_items / nullif(ratings_by_scope.green_items + ratings_by_scope.amber_items + ratings_by_scope.red_items, 0) as green_pct,
        100.0 * ratings_by_scope.amber_items / nullif(ratings_by_scope.green_items + ratings_by_scope.amber_items + ratings_by_scope.red_items, 0) as amber_pct,
        100.0 * ratings_by_scope.red_items / nullif(ratings_by_scope.green_items + ratings_by_scope.amber_items + ratings_by_scope.red_items, 0) as red_pct,
        coalesce(ratings_by_scope.settings_with_red, 0) as settings_with_red,
        ratings_by_scope.settings_with_amber_red_carried,
        returns_by_scope.outstanding_settings,
        snapshots.period_end as snapshot_period_end,
        snapshots.source_file

    from snapshots
    inner join (
        select load_id, scope_type, scope from returns_by_scope
        union
        select load_id, scope_type, scope from ratings_by_scope
    ) as scopes using (load_id)
    left join returns_by_scope using (load_id, scope_type, scope)
    left join ratings_by_scope using (load_id, scope_type, scope)

)

select * from final
