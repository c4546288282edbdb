-- In the SAC tables an adult counts once (SG1a-c) and a case once each time (SG1d): for every authority, period
-- and kind of involvement, individuals never exceed cases, and SG1a, SG1b and SG1c count the same people.
-- Rows returned break that.
{{ config(meta={'dagster': {'ref': {'name': 'asc_sac_tables'}}}) }}

with

totals as (

    select
        la_code,
        period_end,
        enquiry_type,
        sum(value) filter (where table_reference = 'SG1a') as by_age,
        sum(value) filter (where table_reference = 'SG1b') as by_sex,
        sum(value) filter (where table_reference = 'SG1c') as by_ethnicity,
        sum(value) filter (where table_reference = 'SG1d') as cases
    from {{ ref('asc_sac_tables') }}
    where table_reference in ('SG1a', 'SG1b', 'SG1c', 'SG1d')
    group by all

)

select * from totals
where by_age > cases or by_age <> by_sex or by_age <> by_ethnicity
