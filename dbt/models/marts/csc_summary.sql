-- Children's social care at a glance, in the shape of North Somerset's "What does our data tell us?":
-- one row per authority and quarter end, the 12 months to it and what is open on the day, from the
-- current extract. Shares are unrounded; round for display.

with

latest as (

    select * from {{ ref('fct_metric_values') }}
    where is_latest and source = 'csc' and "window" in ('rolling_12m', 'snapshot')

),

authorities as (select la_code, la_name from {{ ref('authorities') }}),
population as (select * from {{ ref('child_population') }}),

pivoted as (

    select
        la_code,
        period_end,
        {%- for metric in ['csc_contacts', 'csc_da_contacts', 'csc_da_contacts_to_referral', 'csc_referrals', 'csc_re_referrals', 'csc_re_referral_pct', 'csc_cin_open', 'csc_cin_not_cp_or_cla', 'csc_cin_rate_per_10k', 'csc_cp_open', 'csc_cp_rate_per_10k', 'csc_cp_open_neg', 'csc_cp_subsequent_pct', 'csc_cla_open', 'csc_cla_rate_per_10k', 'csc_cla_started', 'csc_children_cse_risk', 'csc_children_cce_risk', 'csc_children_missing', 'csc_missing_episodes'] %}
        max(value) filter (where metric_code = '{{ metric }}') as {{ metric }}{{ "," if not loop.last }}
        {%- endfor %}
    from latest
    group by la_code, period_end

),

sources as (

    select la_code, period_end, any_value(source_file) as source_file, bool_or(has_queries) as has_queries
    from latest
    group by all

),

final as (

    select
        pivoted.la_code,
        authorities.la_name,
        pivoted.period_end,
        population.population_0_17 as child_population,
        population.mid_year as population_mid_year,
        cast(pivoted.csc_contacts as bigint) as contacts,
        cast(pivoted.csc_da_contacts as bigint) as domestic_abuse_contacts,
        cast(pivoted.csc_da_contacts_to_referral as bigint) as domestic_abuse_contacts_to_referral,
        cast(pivoted.csc_referrals as bigint) as referrals,
        cast(pivoted.csc_re_referrals as bigint) as re_referrals,
        pivoted.csc_re_referral_pct as re_referral_pct,
        cast(pivoted.csc_cin_open as bigint) as children_in_need_dfe,
        cast(pivoted.csc_cin_not_cp_or_cla as bigint) as children_in_need,
        pivoted.csc_cin_rate_per_10k as children_in_need_rate_per_10k,
        cast(pivoted.csc_cp_open as bigint) as child_protection_plans,
        pivoted.csc_cp_rate_per_10k as child_protection_rate_per_10k,
        100 * pivoted.csc_cp_open_neg / nullif(pivoted.csc_cp_open, 0) as child_protection_neglect_pct,
        pivoted.csc_cp_subsequent_pct as child_protection_subsequent_pct,
        cast(pivoted.csc_cla_open as bigint) as children_looked_after,
        pivoted.csc_cla_rate_per_10k as children_looked_after_rate_per_10k,
        cast(pivoted.csc_cla_started as bigint) as children_started_care,
        cast(pivoted.csc_children_cse_risk as bigint) as children_at_risk_of_sexual_exploitation,
        cast(pivoted.csc_children_cce_risk as bigint) as children_at_risk_of_criminal_exploitation,
        cast(pivoted.csc_children_missing as bigint) as children_who_went_missing,
        cast(pivoted.csc_missing_episodes as bigint) as missing_episodes,
        sources.source_file,
        sources.has_queries

    from pivoted
    inner join sources using (la_code, period_end)
    left join authorities using (la_code)
    left join population
        on population.la_code = pivoted.la_code
        and population.mid_year
        = year({{ financial_year_start('pivoted.period_end') }})

)

select * from final
