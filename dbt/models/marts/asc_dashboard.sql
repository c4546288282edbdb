-- Adult safeguarding at a glance, in the shape of the partnership's dashboard (../shared/seeds/000_*.txt,
-- section 10.2): one row per authority and quarter end, the financial year to date, from the current extract.
-- "Enquiries" on that dashboard, as in its "Type of enquiries started", count S42(1) actions with S42(2) ones
-- only in care_home_enquiries; everywhere else an enquiry is a section 42(2) or other enquiry. Shares unrounded.

with

latest as (

    select * from {{ ref('fct_metric_values') }}
    where is_latest and source = 'asc'

),

authorities as (select la_code, la_name from {{ ref('authorities') }}),

{% set columns = {
    'asc_concerns': 'concerns',
    'asc_concern_individuals': 'individuals_with_concern',
    'asc_enquiries': 's42_enquiries_incl_other',
    'asc_s42_enquiries': 's42_enquiries',
    'asc_other_enquiries': 'other_enquiries',
    'asc_s42_1_concerns': 's42_1_concerns',
    'asc_s42_individuals': 'individuals_with_s42_enquiry',
    'asc_s42_1_individuals': 'individuals_with_s42_1_concern',
    'asc_not_care_act_concerns': 'not_care_act_concerns',
    'asc_conversion_pct': 'conversion_rate_pct',
    'asc_care_home_concerns': 'care_home_concerns',
    'asc_care_home_enquiries': 'care_home_enquiries',
    'asc_out_of_area_concerns': 'out_of_area_concerns',
    'asc_decisions_within_4_days_pct': 'decisions_within_4_days_pct',
    'asc_msp_fully_achieved_pct': 'outcomes_fully_achieved_pct',
    'asc_msp_partly_achieved_pct': 'outcomes_partly_achieved_pct',
    'asc_msp_not_achieved_pct': 'outcomes_not_achieved_pct',
    'asc_risk_reduced_or_removed_pct': 'risk_reduced_or_removed_pct',
} %}

pivoted as (

    select
        la_code,
        period_end,
        {%- for metric, column in columns.items() %}
        cast(max(value) filter (where metric_code = '{{ metric }}')
            as {{ 'double' if metric.endswith('_pct') else 'bigint' }}) as {{ column }},
        {%- endfor %}
        any_value(source_file) as source_file,
        bool_or(has_queries) as has_queries
    from latest
    group by la_code, period_end

),

final as (

    select
        pivoted.la_code,
        authorities.la_name,
        pivoted.period_end,
        {{ financial_year_start('pivoted.period_end') }} as financial_year_start,
        pivoted.* exclude (la_code, period_end)

    from pivoted
    inner join authorities using (la_code)

)

select * from final
