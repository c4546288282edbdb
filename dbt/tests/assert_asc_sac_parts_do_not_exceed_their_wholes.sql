-- Making Safeguarding Personal (SG4a): outcomes fully, partly or not achieved are counted among enquiries where
-- the adult expressed outcomes, so never exceed them; a risk result (SG2e) is counted among enquiries with a risk
-- identified (SG2c YES); advocacy (SG3a) among adults who lacked capacity. Rows returned break that.
{{ config(meta={'dagster': {'ref': {'name': 'asc_sac_tables'}}}) }}

with

sac as (select * from {{ ref('asc_sac_tables') }}),

parts as (

    select la_code, period_end, table_reference, category,
        sum(value) filter (where subcategory = 'ALL') as whole,
        sum(value) filter (where subcategory <> 'ALL') as part
    from sac
    where (table_reference = 'SG4a' and category = 'ASKED_EXPRESSED')
        or (table_reference = 'SG3a' and category = 'YES')
    group by all

    union all

    select la_code, period_end, 'SG2e', 'YES',
        sum(value) filter (where table_reference = 'SG2c' and category = 'YES'),
        sum(value) filter (where table_reference = 'SG2e')
    from sac
    where table_reference in ('SG2c', 'SG2e')
    group by all

)

select * from parts
where part > whole
