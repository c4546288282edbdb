-- One row per extract version, with its place among the versions a partner sent for the same
-- source, authority and period. The latest accepted version is current; each accepted version
-- is superseded by the next accepted one. A rejected resubmission supersedes nothing. An authority
-- is known by its current code (Somerset's files as E10000027 are E06000066's), so one series runs
-- across a change of code and a file under either code supersedes the other.

with

authorities as (

    select la_code, predecessor_code from {{ ref('authorities') }}

),

extracts as (

    select
        extracts.*,
        coalesce(successors.la_code, extracts.la_code) as current_la_code

    from {{ ref('stg_pipeline__extracts') }} as extracts
    left join authorities as successors
        on extracts.la_code = successors.predecessor_code

),

accepted as (

    select
        load_id,
        row_number() over latest_first = 1 as is_current,
        lead(load_id) over oldest_first as superseded_by_load_id

    from extracts
    where load_status = 'accepted'
    window
        latest_first as (partition by source, current_la_code, period_end order by received_at desc, loaded_at desc),
        oldest_first as (partition by source, current_la_code, period_end order by received_at, loaded_at)

),

final as (

    select
        extracts.*,
        row_number() over (
            partition by extracts.source, extracts.current_la_code, extracts.period_end
            order by extracts.received_at, extracts.loaded_at
        ) as version_number,
        coalesce(accepted.is_current, false) as is_current,
        accepted.superseded_by_load_id,
        extracts.query_count > 0 as has_queries

    from extracts
    left join accepted using (load_id)

)

select * from final
