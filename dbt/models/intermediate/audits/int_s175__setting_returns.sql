-- One row per section 175 snapshot and setting: every setting expected to return the audit that academic year
-- (on the authority's settings register and open on 1 September), returned or not, and any return from a
-- setting not expected (a URN the register does not hold, or one not open on 1 September: a query at ingest).

with

snapshots as (select * from {{ ref('int_s175__snapshots') }}),
settings as (select * from {{ ref('s175_settings') }}),
returns as (select * from {{ ref('stg_s175__returns') }}),

expected as (

    select
        snapshots.load_id,
        settings.urn,
        settings.setting_name,
        settings.setting_type

    from snapshots
    inner join settings
        on settings.la_code = snapshots.la_code
        and settings.open_date <= snapshots.academic_year_start
        and (settings.close_date is null or settings.close_date > snapshots.academic_year_start)

),

final as (

    select
        coalesce(expected.load_id, returns.load_id) as load_id,
        coalesce(expected.urn, returns.urn) as urn,
        coalesce(expected.setting_name, returns.setting_name) as setting_name,
        coalesce(expected.setting_type, returns.setting_type) as setting_type,
        expected.urn is not null as is_expected,
        coalesce(returns.is_returned, false) as is_returned,
        returns.submitted_date

    from expected
    full outer join returns
        on returns.load_id = expected.load_id
        and returns.urn = expected.urn
    where coalesce(expected.load_id, returns.load_id) in (select load_id from snapshots)

)

select * from final
