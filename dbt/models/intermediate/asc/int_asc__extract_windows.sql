-- One row per accepted adult social care extract version: its authority (Somerset's former county code
-- read as its current one), period end and the start of the financial year it reports on (1 April).

with

versions as (

    select * from {{ ref('int_extract_versions') }}
    where source = 'asc' and load_status = 'accepted'

),

final as (

    select
        versions.load_id,
        versions.current_la_code as la_code,
        versions.period_end,
        {{ financial_year_start('versions.period_end') }} as financial_year_start

    from versions

)

select * from final
