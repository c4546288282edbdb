-- What is open on each extract version's period end: children in need, child protection plans and
-- children looked after. One row per load_id and metric (window = snapshot).

with

extracts as (select distinct load_id, la_code, period_end from {{ ref('int_csc__extract_windows') }}),
referrals as (select * from {{ ref('int_csc__referrals') }}),
cp_plans as (select * from {{ ref('int_csc__cp_plans') }}),
cla_episodes as (select * from {{ ref('int_csc__cla_episodes') }}),

open_referrals as (

    select extracts.load_id, referrals.child_id
    from extracts
    inner join referrals
        on referrals.load_id = extracts.load_id
        and referrals.referral_date <= extracts.period_end
        and (referrals.closure_date is null or referrals.closure_date > extracts.period_end)

),

open_plans as (

    select extracts.load_id, cp_plans.child_id, cp_plans.latest_category, cp_plans.previous_plans
    from extracts
    inner join cp_plans
        on cp_plans.load_id = extracts.load_id
        and cp_plans.start_date <= extracts.period_end
        and (cp_plans.end_date is null or cp_plans.end_date > extracts.period_end)

),

open_care as (

    select extracts.load_id, cla_episodes.child_id, cla_episodes.uasc
    from extracts
    inner join cla_episodes
        on cla_episodes.load_id = extracts.load_id
        and cla_episodes.episode_start <= extracts.period_end
        and (cla_episodes.episode_end is null or cla_episodes.episode_end > extracts.period_end)

),

counts as (

    select
        extracts.load_id,
        (select count(*) from open_referrals where open_referrals.load_id = extracts.load_id) as csc_cin_open,
        (
            select count(distinct open_referrals.child_id) from open_referrals
            where open_referrals.load_id = extracts.load_id
                and open_referrals.child_id not in (select child_id from open_plans where load_id = extracts.load_id)
                and open_referrals.child_id not in (select child_id from open_care where load_id = extracts.load_id)
        ) as csc_cin_not_cp_or_cla,
        (select count(*) from open_plans where open_plans.load_id = extracts.load_id) as csc_cp_open,
        (
            select count(*) from open_plans
            where open_plans.load_id = extracts.load_id and open_plans.previous_plans >= 1
        ) as csc_cp_open_subsequent,
        {% for category in ['NEG', 'PHY', 'EMO', 'SAB', 'MUL'] %}
        (
            select count(*) from open_plans
            where open_plans.load_id = extracts.load_id and open_plans.latest_category = '{{ category }}'
        ) as csc_cp_open_{{ category | lower }},
        {% endfor %}
        (select count(distinct child_id) from open_care where open_care.load_id = extracts.load_id) as csc_cla_open,
        (
            select count(distinct child_id) from open_care
            where open_care.load_id = extracts.load_id and open_care.uasc
        ) as csc_cla_uasc
    from extracts

),

final as (

    unpivot counts
    on columns(* exclude (load_id))
    into name metric_code value value

)

select load_id, 'snapshot' as "window", metric_code, value from final
