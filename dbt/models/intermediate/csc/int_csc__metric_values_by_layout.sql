-- Every children's social care metric of every accepted extract version, in whichever layout it came
-- (csc_layouts): the counts, the shares computed from them, and rates per 10,000 children. A layout that does
-- not hold a metric's records (the SSDA903 return has no contacts) gives no value for it, never 0. Rates use the
-- ONS mid-year estimate of the year before the financial year ends (DfE convention: year ending 31 March Y uses
-- mid-year Y-1).

with

windows as (select distinct load_id, layout, la_code, period_end from {{ ref('int_csc__extract_windows') }}),
population as (select * from {{ ref('child_population') }}),
layouts as (select * from {{ ref('csc_layouts') }}),
layout_metrics as (select * from {{ ref('csc_layout_metrics') }}),

counts as (

    select load_id, "window", metric_code, cast(value as double) as value from {{ ref('int_csc__flow_counts') }}
    union all
    select load_id, "window", metric_code, cast(value as double) as value from {{ ref('int_csc__snapshot_counts') }}

),

shares as (

    {% set shares = {
        'csc_contacts_to_referral_pct': ('csc_contacts_to_referral', 'csc_contacts'),
        'csc_re_referral_pct': ('csc_re_referrals', 'csc_referrals'),
        'csc_cp_subsequent_pct': ('csc_cp_plans_started_subsequent', 'csc_cp_plans_started'),
    } %}
    {% for share, (part, whole) in shares.items() %}
    select
        load_id,
        "window",
        '{{ share }}' as metric_code,
        100 * max(value) filter (where metric_code = '{{ part }}')
        / nullif(max(value) filter (where metric_code = '{{ whole }}'), 0) as value
    from counts
    where "window" <> 'snapshot'
    group by load_id, "window"
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

rates as (

    select
        counts.load_id,
        counts."window",
        replace(counts.metric_code, '_open', '_rate_per_10k') as metric_code,
        10000 * counts.value / population.population_0_17 as value
    from counts
    inner join windows using (load_id)
    inner join population
        on population.la_code = windows.la_code
        and population.mid_year = year({{ financial_year_start('windows.period_end') }})
    where counts.metric_code in ('csc_cin_open', 'csc_cp_open', 'csc_cla_open')

),

all_values as (

    select * from counts
    union all
    select * from shares
    union all
    select * from rates

),

final as (

    select
        windows.la_code,
        all_values.metric_code,
        windows.period_end,
        all_values."window",
        all_values.value,
        'computed' as stated_as,
        all_values.load_id,
        windows.layout,
        layouts.precedence

    from all_values
    inner join windows using (load_id)
    inner join layouts using (layout)
    where all_values.value is not null
        and (
            layouts.all_metrics
            or exists (
                select 1 from layout_metrics
                where layout_metrics.layout = windows.layout and layout_metrics.metric_code = all_values.metric_code
            )
        )

)

select * from final
