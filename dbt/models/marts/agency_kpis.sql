-- Agency KPI results per authority, financial year and indicator, from the current return: one row for the
-- partnership (the unweighted average of the agencies' percentages, which the partnership publishes, and the
-- staff-weighted figure) and one per agency (its own), each rated against the indicator's target in the catalogue.

with

versions as (select load_id, file_name from {{ ref('int_extract_versions') }} where is_current),
results as (select * from {{ ref('int_agency_kpis__indicator_results') }}),
returns as (select * from {{ ref('stg_agency_kpis__returns') }}),
catalogue as (select metric_code, target_value, target_direction from {{ ref('metric_catalogue') }}),

partnership as (

    select
        results.load_id,
        results.la_code,
        results.period_end,
        results.metric_code,
        results.indicator,
        'Partnership' as result_for,
        true as is_partnership,
        results.unweighted_pct as value_pct,
        results.staff_weighted_pct,
        results.agencies_reporting,
        results.staff_in_scope,
        results.staff_compliant

    from results

),

agencies as (

    select
        returns.load_id,
        results.la_code,
        results.period_end,
        returns.metric_code,
        returns.indicator,
        returns.agency,
        false,
        returns.compliance_pct,
        null,
        null,
        returns.staff_in_scope,
        returns.staff_compliant

    from returns
    inner join results using (load_id, metric_code)

),

final as (

    select
        all_results.* exclude (load_id),
        catalogue.target_value as target_pct,
        case catalogue.target_direction
            when 'at_least' then all_results.value_pct >= catalogue.target_value
            when 'at_most' then all_results.value_pct <= catalogue.target_value
        end as meets_target,
        case catalogue.target_direction
            when 'at_least' then all_results.staff_weighted_pct >= catalogue.target_value
            when 'at_most' then all_results.staff_weighted_pct <= catalogue.target_value
        end as staff_weighted_meets_target,
        versions.file_name as source_file

    from (select * from partnership union all select * from agencies) as all_results
    inner join versions using (load_id)
    inner join catalogue using (metric_code)

)

select * from final
