-- One row per accepted children's social care extract version, in any of its layouts (csc_layouts: the csc
-- zip, the statutory returns, Annex A), and window it reports on: the quarter and the 12 months ending its period
-- end, where the layout's files cover that long (an Annex A's six months give the quarter only).
-- Events dated after window_start and on or before period_end fall in the window. Somerset's former county
-- code reads as its current code.

with

versions as (

    select * from {{ ref('int_extract_versions') }}
    where load_status = 'accepted'

),

layouts as (select * from {{ ref('csc_layouts') }}),

windows as (

    select * from (values ('quarter', 3), ('rolling_12m', 12)) as windows ("window", months)

),

final as (

    select
        versions.load_id,
        versions.source as layout,
        versions.current_la_code as la_code,
        versions.period_end,
        windows."window",
        last_day(versions.period_end - to_months(windows.months)) as window_start

    from versions
    inner join layouts on layouts.layout = versions.source  -- the children's social care layouts only
    inner join windows on windows.months <= layouts.months_covered

)

select * from final
