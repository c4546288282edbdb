-- Every adult social care metric of every accepted extract version, for the financial year to date at its
-- period end (the full year at 31 March): counts of concerns and enquiries as cases, of adults once each, and
-- the shares the partnership's dashboard shows, computed unrounded from those counts.

with

windows as (select * from {{ ref('int_asc__extract_windows') }}),
concerns as (select * from {{ ref('int_asc__concerns_received') }}),
enquiries as (select * from {{ ref('int_asc__enquiries') }}),

concern_counts as (

    select
        windows.load_id,
        count(concerns.concern_id) as asc_concerns,
        count(distinct concerns.person_id) as asc_concern_individuals,
        count(concerns.concern_id) filter (where concerns.outcome = 'S42_1_ACTIONS') as asc_s42_1_concerns,
        count(distinct concerns.person_id) filter (where concerns.outcome = 'S42_1_ACTIONS') as asc_s42_1_individuals,
        count(concerns.concern_id) filter (where concerns.outcome = 'NOT_CARE_ACT') as asc_not_care_act_concerns,
        count(concerns.concern_id) filter (where concerns.involves_care_home) as asc_care_home_concerns,
        count(concerns.concern_id) filter (where concerns.involves_care_home and concerns.is_taken_forward)
            as asc_care_home_enquiries,
        count(concerns.concern_id) filter (where concerns.is_placed_out_of_area) as asc_out_of_area_concerns,
        count(concerns.concern_id) filter (where concerns.is_decided_within_4_days) as decided_within_4_days
    from windows
    left join concerns using (load_id)
    group by all

),

enquiry_counts as (

    select
        windows.load_id,
        count(e.enquiry_id) filter (where e.is_started_in_year) as asc_enquiries,
        count(e.enquiry_id) filter (where e.is_started_in_year and e.enquiry_type = 'S42') as asc_s42_enquiries,
        count(e.enquiry_id) filter (where e.is_started_in_year and e.enquiry_type = 'OTHER') as asc_other_enquiries,
        count(distinct e.person_id) filter (where e.is_started_in_year and e.enquiry_type = 'S42')
            as asc_s42_individuals,
        count(distinct e.person_id) filter (where e.is_started_in_year and e.enquiry_type = 'OTHER')
            as asc_other_enquiry_individuals,
        count(e.enquiry_id) filter (where e.is_concluded_in_year) as asc_enquiries_concluded,
        count(e.enquiry_id) filter (where e.is_concluded_s42)
            as asc_s42_enquiries_concluded,
        count(e.enquiry_id) filter (where e.is_concluded_s42 and e.risk_identified = 'YES')
            as asc_risk_identified,
        count(e.enquiry_id) filter (where e.is_concluded_s42 and e.risk_identified = 'YES'
            and e.risk_result in ('REDUCED', 'REMOVED')) as risk_reduced_or_removed,
        count(e.enquiry_id) filter (where e.is_concluded_s42 and e.risk_identified = 'YES'
            and e.risk_result is not null) as risk_result_known,
        count(e.enquiry_id) filter (where e.is_concluded_s42 and e.msp_asked in ('ASKED_EXPRESSED', 'ASKED_NOT_EXPRESSED'))
            as msp_asked,
        count(e.enquiry_id) filter (where e.is_concluded_s42 and e.msp_asked is not null) as msp_recorded,
        {%- for achieved in ['FULLY', 'PARTIALLY', 'NOT'] %}
        count(e.enquiry_id) filter (where e.is_concluded_s42 and e.msp_asked = 'ASKED_EXPRESSED'
            and e.msp_achieved = '{{ achieved }}') as msp_{{ achieved | lower }},
        {%- endfor %}
        count(e.enquiry_id) filter (where e.is_concluded_s42 and e.lacked_capacity = 'YES' and e.had_advocate)
            as advocate_supported,
        count(e.enquiry_id) filter (where e.is_concluded_s42 and e.lacked_capacity = 'YES'
            and e.had_advocate is not null) as lacked_capacity_advocacy_known
    from windows
    left join enquiries as e using (load_id)
    group by all

),

counts as (

    select * from concern_counts inner join enquiry_counts using (load_id)

),

{% set counted = [
    'asc_concerns', 'asc_concern_individuals', 'asc_enquiries', 'asc_s42_enquiries', 'asc_other_enquiries',
    'asc_s42_individuals', 'asc_other_enquiry_individuals', 'asc_s42_1_concerns', 'asc_s42_1_individuals',
    'asc_not_care_act_concerns', 'asc_care_home_concerns', 'asc_care_home_enquiries', 'asc_out_of_area_concerns',
    'asc_enquiries_concluded', 'asc_s42_enquiries_concluded', 'asc_risk_identified',
] %}
{% set shares = {
    'asc_conversion_pct': ('asc_enquiries', 'asc_concerns'),
    'asc_decisions_within_4_days_pct': ('decided_within_4_days', 'asc_concerns'),
    'asc_risk_reduced_or_removed_pct': ('risk_reduced_or_removed', 'risk_result_known'),
    'asc_msp_asked_pct': ('msp_asked', 'msp_recorded'),
    'asc_msp_fully_achieved_pct': ('msp_fully', 'msp_fully + msp_partially + msp_not'),
    'asc_msp_partly_achieved_pct': ('msp_partially', 'msp_fully + msp_partially + msp_not'),
    'asc_msp_not_achieved_pct': ('msp_not', 'msp_fully + msp_partially + msp_not'),
    'asc_advocate_pct': ('advocate_supported', 'lacked_capacity_advocacy_known'),
} %}

all_values as (

    unpivot (
        select
            load_id,
            {% for metric in counted %}cast({{ metric }} as double) as {{ metric }},
            {% endfor %}
            {% for metric, (part, whole) in shares.items() %}
            100.0 * {{ part }} / nullif({{ whole }}, 0) as {{ metric }}{% if not loop.last %},{% endif %}
            {% endfor %}
        from counts
    )
    on columns(* exclude (load_id))
    into name metric_code value value

),

final as (

    select
        windows.la_code,
        all_values.metric_code,
        windows.period_end,
        'financial_ytd' as "window",
        all_values.value,
        'computed' as stated_as,
        all_values.load_id

    from all_values
    inner join windows using (load_id)
    where all_values.value is not null

)

select * from final
