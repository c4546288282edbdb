-- Counts of what happened in each window of each extract version (see csc.md's metrics and the
-- catalogue's definitions): one row per load_id, window and metric.

with

windows as (select * from {{ ref('int_csc__extract_windows') }}),
contacts as (select * from {{ ref('int_csc__contacts') }}),
referrals as (select * from {{ ref('int_csc__referrals') }}),
assessments as (select * from {{ ref('int_csc__assessments') }}),
cp_plans as (select * from {{ ref('int_csc__cp_plans') }}),
cla_episodes as (select * from {{ ref('int_csc__cla_episodes') }}),
missing as (select * from {{ ref('int_csc__missing') }}),

contact_counts as (

    select
        windows.load_id,
        windows."window",
        count(contacts.contact_id) as csc_contacts,
        {%- for group, prefix in [('individual', '1'), ('schools', '2'), ('health', '3'), ('housing', '4'), ('la_services', '5'), ('police', '6'), ('legal_agency', '7'), ('other', '8'), ('anonymous', '9'), ('unknown', '10')] %}
        count(contacts.contact_id) filter (where regexp_extract(contacts.contact_source, '^[0-9]+') = '{{ prefix }}')
            as csc_contacts_from_{{ group }},
        {%- endfor %}
        count(contacts.contact_id) filter (where contacts.outcome = 'REF') as csc_contacts_to_referral,
        count(contacts.contact_id) filter (where contacts.domestic_abuse) as csc_da_contacts,
        count(contacts.contact_id) filter (where contacts.domestic_abuse and contacts.outcome = 'REF')
            as csc_da_contacts_to_referral
    from windows
    left join contacts
        on contacts.load_id = windows.load_id
        and contacts.contact_date > windows.window_start
        and contacts.contact_date <= windows.period_end
    group by all

),

referrals_in_window as (

    select
        windows.load_id,
        windows."window",
        referrals.referral_id,
        referrals.referral_nfa,
        exists (
            select 1 from referrals as earlier
            where earlier.load_id = referrals.load_id
                and earlier.child_id = referrals.child_id
                and earlier.referral_date < referrals.referral_date
                and earlier.referral_date >= referrals.referral_date - interval 12 month
        ) as is_re_referral
    from windows
    left join referrals
        on referrals.load_id = windows.load_id
        and referrals.referral_date > windows.window_start
        and referrals.referral_date <= windows.period_end

),

referral_counts as (

    select
        load_id,
        "window",
        count(referral_id) as csc_referrals,
        count(referral_id) filter (where is_re_referral) as csc_re_referrals,
        count(referral_id) filter (where referral_nfa) as csc_referrals_nfa
    from referrals_in_window
    group by all

),

factors as (

    select
        windows.load_id,
        windows."window",
        assessments.assessment_id,
        assessments.child_id,
        string_split(coalesce(assessments.factors, ''), ',') as codes
    from windows
    left join assessments
        on assessments.load_id = windows.load_id
        and assessments.authorised_date > windows.window_start
        and assessments.authorised_date <= windows.period_end

),

assessment_counts as (

    select
        load_id,
        "window",
        count(assessment_id) as csc_assessments_authorised,
        count(assessment_id) filter (where list_has_any(codes, ['3A', '3B', '3C'])) as csc_assessments_domestic_abuse,
        count(assessment_id) filter (where list_has_any(codes, ['4A', '4B'])) as csc_assessments_mental_health,
        count(assessment_id) filter (where list_has_any(codes, ['1A', '1B', '2A', '2B']))
            as csc_assessments_substance_misuse,
        count(assessment_id) filter (where list_contains(codes, '10A')) as csc_assessments_missing,
        count(assessment_id) filter (where list_contains(codes, '11A')) as csc_assessments_cse,
        count(assessment_id) filter (where list_contains(codes, '24A')) as csc_assessments_cce,
        count(distinct child_id) filter (where list_contains(codes, '11A')) as csc_children_cse_risk,
        count(distinct child_id) filter (where list_contains(codes, '24A')) as csc_children_cce_risk
    from factors
    group by all

),

plan_counts as (

    select
        windows.load_id,
        windows."window",
        count(cp_plans.plan_id) as csc_cp_plans_started,
        count(cp_plans.plan_id) filter (where cp_plans.previous_plans >= 1) as csc_cp_plans_started_subsequent
    from windows
    left join cp_plans
        on cp_plans.load_id = windows.load_id
        and cp_plans.start_date > windows.window_start
        and cp_plans.start_date <= windows.period_end
    group by all

),

care_counts as (

    select
        windows.load_id,
        windows."window",
        count(distinct cla_episodes.child_id) filter (where cla_episodes.reason_new_episode = 'S') as csc_cla_started
    from windows
    left join cla_episodes
        on cla_episodes.load_id = windows.load_id
        and cla_episodes.episode_start > windows.window_start
        and cla_episodes.episode_start <= windows.period_end
    group by all

),

missing_counts as (

    select
        windows.load_id,
        windows."window",
        count(distinct missing.child_id) as csc_children_missing,
        count(missing.child_id) as csc_missing_episodes,
        count(missing.child_id) filter (where missing.from_care) as csc_missing_episodes_from_care,
        count(missing.child_id) filter (where missing.rhi_offered) as csc_rhi_offered,
        count(missing.child_id) filter (where missing.rhi_accepted) as csc_rhi_accepted
    from windows
    left join missing
        on missing.load_id = windows.load_id
        and missing.episode_type = 'M'
        and missing.start_date > windows.window_start
        and missing.start_date <= windows.period_end
    group by all

),

joined as (

    select *
    from contact_counts
    inner join referral_counts using (load_id, "window")
    inner join assessment_counts using (load_id, "window")
    inner join plan_counts using (load_id, "window")
    inner join care_counts using (load_id, "window")
    inner join missing_counts using (load_id, "window")

),

final as (

    unpivot joined
    on columns(* exclude (load_id, "window"))
    into name metric_code value value

)

select * from final
