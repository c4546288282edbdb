-- The Safeguarding Adults Collection's counts for each extract version, one row per table, enquiry type, category
-- and subcategory that has something to count (asc_sac_tables lays them on the full grid, zeros included).
-- SG1a-c count adults once per kind of involvement; SG1d counts cases (concerns, enquiries started); SG2-SG4
-- count section 42 enquiries concluded in the year, an enquiry once in each category that applies to it.

with

individuals as (select * from {{ ref('int_asc__individuals_involved') }}),
concerns as (select * from {{ ref('int_asc__concerns_received') }}),
enquiries as (select * from {{ ref('int_asc__enquiries') }}),

concluded_s42 as (

    select * from enquiries
    where is_concluded_s42

),

cases as (

    select load_id, 'CONCERN' as enquiry_type, primary_support_reason from concerns
    union all
    select load_id, enquiry_type, primary_support_reason from enquiries where is_started_in_year

),

risk_types as (

    select load_id, enquiry_id, source_of_risk, unnest(risk_types) as risk_type
    from concluded_s42

),

cells as (

    {% for table, column in [('SG1a', 'age_band'), ('SG1b', 'sex'), ('SG1c', 'ethnicity')] %}
    select load_id, '{{ table }}' as table_reference, enquiry_type, {{ column }} as category, 'ALL' as subcategory,
        count(*) as value
    from individuals
    group by all
    union all
    {% endfor %}

    select load_id, 'SG1d', enquiry_type, primary_support_reason, 'ALL', count(*)
    from cases
    group by all

    union all
    select load_id, 'SG2a', 'S42', risk_type, source_of_risk, count(distinct enquiry_id)
    from risk_types
    group by all

    union all
    select load_id, 'SG2b', 'S42', location, source_of_risk, count(*)
    from concluded_s42
    group by all

    union all
    select load_id, 'SG2c', 'S42', risk_identified, 'ALL', count(*)
    from concluded_s42
    group by all

    union all
    select load_id, 'SG2e', 'S42', risk_result, 'ALL', count(*)
    from concluded_s42
    where risk_identified = 'YES'
    group by all

    union all
    select load_id, 'SG3a', 'S42', lacked_capacity, 'ALL', count(*)
    from concluded_s42
    group by all

    union all
    select load_id, 'SG3a', 'S42', lacked_capacity, case when had_advocate then 'ADVOCATE' else 'NO_ADVOCATE' end, count(*)
    from concluded_s42
    where lacked_capacity = 'YES' and had_advocate is not null
    group by all

    union all
    select load_id, 'SG4a', 'S42', msp_asked, 'ALL', count(*)
    from concluded_s42
    group by all

    union all
    select load_id, 'SG4a', 'S42', msp_asked, msp_achieved, count(*)
    from concluded_s42
    where msp_asked = 'ASKED_EXPRESSED' and msp_achieved is not null
    group by all

)

select * from cells
where category is not null
