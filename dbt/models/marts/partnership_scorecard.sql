-- The partnership scorecard: one row per area, catalogued metric and period end its source reports, in the
-- metric's headline window, with the value now (latest vintage), the same period a year before, the change and
-- whether it is better or worse (from the metric's polarity), the target and a RAG rating, the force area's
-- figure as a comparator where the force reports the metric, the South West and England figures and the
-- authority's own official annual figure where the DfE publishes them (fetched over HTTP; at 31 March), whether a
-- later extract restated the value, and the caveats in force. A comparison across a series break is not made, and the row says why.
-- RAG: Green meets the target; Amber misses it by no more than 5 percentage points (percent metrics) or 5% of
-- the target (others); Red misses it by more.

with

catalogue as (select * from {{ ref('metric_catalogue') }}),
areas as (select la_code, la_name, area_type from {{ ref('authorities') }}),
caveats as (select * from {{ ref('metric_caveats') }}),
metric_values as (select * from {{ ref('fct_metric_values') }}),
official as (select * from {{ ref('int_dfe__official_values') }}),

headline as (

    select metric_values.*
    from metric_values
    inner join catalogue
        on catalogue.metric_code = metric_values.metric_code
        and catalogue."window" = metric_values."window"
    where metric_values.is_latest

),

restatements as (

    select la_code, metric_code, period_end, count(distinct value) > 1 as is_restated
    from metric_values
    inner join catalogue using (metric_code, "window")
    group by all

),

unavailable as (

    -- An area and period whose children's figures came only in layouts without a metric (an SSDA903 return has
    -- no contacts): why that metric has no value, from the layouts' own notes (csc_layouts).
    select
        sent.la_code,
        sent.period_end,
        catalogue.metric_code,
        'not available: the ' || string_agg(distinct layouts.layout, ', ') || ' file for this period does not hold it ('
        || string_agg(distinct layouts.note, ' ') || ')' as reason

    from (select distinct la_code, period_end, layout from headline where source = 'csc') as sent
    inner join {{ ref('csc_layouts') }} as layouts using (layout)
    inner join catalogue on catalogue.source = 'csc'
    where not exists (
        select 1 from headline as given
        where given.la_code = sent.la_code and given.period_end = sent.period_end and given.source = 'csc'
            and given.layout in (select layout from {{ ref('csc_layouts') }} where all_metrics)
    )
        and not exists (
            select 1 from {{ ref('csc_layout_metrics') }} as gives
            where gives.layout = sent.layout and gives.metric_code = catalogue.metric_code
        )
    group by all

),

grid as (

    -- Every catalogued metric, for every area and period end its source reports.
    select catalogue.metric_code, source_areas.la_code, source_periods.period_end
    from catalogue
    inner join (select distinct source, la_code from headline) as source_areas using (source)
    inner join (select distinct source, period_end from headline) as source_periods using (source)

),

caveats_in_force as (

    select
        grid.metric_code,
        grid.la_code,
        grid.period_end,
        list(caveats.caveat order by caveats.caveat_id) as caveats,
        list(caveats.caveat_id order by caveats.caveat_id) filter (where caveats.suppresses_comparison)
            as breaks

    from grid
    inner join catalogue using (metric_code)
    inner join caveats
        on (caveats.metric_code = grid.metric_code or (caveats.metric_code is null and caveats.source = catalogue.source))
        and (caveats.la_code is null or caveats.la_code = grid.la_code)
        and (caveats.period_from is null or grid.period_end >= caveats.period_from)
        and (caveats.period_to is null or grid.period_end <= caveats.period_to)
    group by all

),

compared as (

    select
        grid.la_code,
        grid.metric_code,
        grid.period_end,
        now_.value,
        cast(grid.period_end - interval 1 year as date) as previous_period_end,
        year_before.value as previous_value,
        force_area.value as force_area_value,
        region.value as region_value,
        england.value as england_value,
        official_authority.value as official_value,
        coalesce(region.fetch_status = 'stale' or england.fetch_status = 'stale', false) as comparators_are_stale,
        coalesce(restatements.is_restated, false) as is_restated,
        -- Text, not a list: report tools and ODBC drivers read text (caveats never contain " | ").
        array_to_string(caveats_in_force.caveats, ' | ') as caveats,
        coalesce(len(caveats_in_force.breaks) > 0, false) as crosses_series_break,
        case
            when now_.value is null then coalesce(unavailable.reason, 'no value for this period')
            when len(caveats_in_force.breaks) > 0
                then 'not compared: series break (' || array_to_string(caveats_in_force.breaks, ', ') || ')'
            when year_before.value is null then 'not compared: no value a year before'
        end as comparison_note,
        now_.source_file

    from grid
    left join headline as now_ using (metric_code, la_code, period_end)
    left join headline as year_before
        on year_before.metric_code = grid.metric_code
        and year_before.la_code = grid.la_code
        and year_before.period_end = cast(grid.period_end - interval 1 year as date)
    left join headline as force_area
        on force_area.metric_code = grid.metric_code
        and force_area.la_code = 'E23000036'
        and force_area.period_end = grid.period_end
        and grid.la_code <> 'E23000036'
    left join official as region
        on region.area_code = 'E12000009'
        and region.metric_code = grid.metric_code
        and region.period_end = grid.period_end
    left join official as england
        on england.area_code = 'E92000001'
        and england.metric_code = grid.metric_code
        and england.period_end = grid.period_end
    left join official as official_authority
        on official_authority.area_code = grid.la_code
        and official_authority.metric_code = grid.metric_code
        and official_authority.period_end = grid.period_end
    left join restatements using (la_code, metric_code, period_end)
    left join caveats_in_force using (metric_code, la_code, period_end)
    left join unavailable using (metric_code, la_code, period_end)

),

final as (

    select
        compared.la_code,
        areas.la_name,
        compared.metric_code,
        catalogue.metric_label,
        catalogue.source,
        catalogue.unit,
        catalogue."window",
        catalogue.polarity,
        compared.period_end,
        compared.value,
        compared.previous_period_end,
        case when compared.comparison_note is null then compared.previous_value end as previous_value,
        case when compared.comparison_note is null then compared.value - compared.previous_value end as change,
        case when compared.comparison_note is null and compared.previous_value <> 0
            then 100 * (compared.value - compared.previous_value) / compared.previous_value
        end as pct_change,
        case
            when compared.comparison_note is not null then null
            when compared.value = compared.previous_value then 'no change'
            when catalogue.polarity = 'neutral' then null
            when (compared.value > compared.previous_value) = (catalogue.polarity = 'higher_is_better') then 'better'
            else 'worse'
        end as direction,
        compared.comparison_note,
        catalogue.target_value,
        catalogue.target_direction,
        case
            when catalogue.target_value is null or compared.value is null then null
            when (catalogue.target_direction = 'at_least' and compared.value >= catalogue.target_value)
                or (catalogue.target_direction = 'at_most' and compared.value <= catalogue.target_value) then 'Green'
            when abs(compared.value - catalogue.target_value)
                <= case when catalogue.unit = 'percent' then 5 else 0.05 * abs(catalogue.target_value) end then 'Amber'
            else 'Red'
        end as rag,
        compared.force_area_value,
        compared.region_value,
        compared.england_value,
        compared.comparators_are_stale,
        compared.official_value,
        compared.value - compared.official_value as difference_from_official,
        compared.is_restated,
        compared.caveats,
        compared.crosses_series_break,
        compared.source_file

    from compared
    inner join catalogue using (metric_code)
    inner join areas using (la_code)

)

select * from final
