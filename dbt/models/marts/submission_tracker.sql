-- The submission tracker: one row per source, partner and period end that partners were expected to send by
-- the day the warehouse was built (sources/*.yaml `delivery`), and any other period a file arrived for, with
-- what arrived. A partner is the authority (by its current code: Somerset's E10000027 files are E06000066's)
-- or, for the police workbook, the force area.
-- status: awaited (not yet due), overdue (due and nothing arrived), failed (every version was rejected), late
-- (the first version arrived after the due day), resubmitted (more than one version), received.

with

expected as (select * from {{ ref('stg_pipeline__expected_submissions') }}),
versions as (select * from {{ ref('int_extract_versions') }}),

received as (

    select
        source,
        current_la_code as la_code,
        period_end,
        min(received_at) as received_at,
        max(received_at) as latest_received_at,
        count(*) as versions,
        count(*) filter (where load_status = 'accepted') as accepted_versions,
        arg_max(load_status, received_at) as latest_version_status,
        arg_max(file_name, received_at) as latest_file_name

    from versions
    group by all

),

joined as (

    select
        coalesce(expected.source, received.source) as source,
        coalesce(expected.la_code, received.la_code) as la_code,
        coalesce(expected.period_end, received.period_end) as period_end,
        expected.due_date,
        expected.source is not null as is_expected,
        received.received_at,
        received.latest_received_at,
        coalesce(received.versions, 0) as versions,
        coalesce(received.accepted_versions, 0) as accepted_versions,
        received.latest_version_status,
        received.latest_file_name,
        coalesce(cast(received.received_at as date) > expected.due_date, false) as is_late,
        expected.judged_on

    from expected
    full outer join received
        on received.source = expected.source
        and received.period_end = expected.period_end
        -- The police workbook has no authority: it is the force area's file.
        and (received.la_code = expected.la_code or received.la_code is null)

),

final as (

    select
        la_code,
        source,
        period_end,
        case
            when versions = 0 and due_date < judged_on then 'overdue'
            when versions = 0 then 'awaited'
            when accepted_versions = 0 then 'failed'
            when is_late then 'late'
            when versions > 1 then 'resubmitted'
            else 'received'
        end as status,
        received_at,
        versions,
        due_date,
        is_expected,
        is_late,
        accepted_versions,
        latest_received_at,
        latest_version_status,
        latest_file_name,
        judged_on

    from joined

)

select * from final
