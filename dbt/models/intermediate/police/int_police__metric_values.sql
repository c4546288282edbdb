-- Each accepted police workbook states two figures per area and measure: the 12 months to its
-- period end ("current") and the 12 months before ("previous", possibly restating what an earlier
-- workbook said). Both become metric values of that workbook's vintage.

with

scorecard_rows as (

    select * from {{ ref('stg_police__scorecard_rows') }}

),

accepted as (

    select load_id from {{ ref('int_extract_versions') }}
    where load_status = 'accepted'

),

stated as (

    select
        scorecard_rows.load_id,
        scorecard_rows.la_code,
        scorecard_rows.metric_code,
        scorecard_rows.period_end,
        'current' as stated_as,
        scorecard_rows.current_12m as value
    from scorecard_rows

    union all

    select
        scorecard_rows.load_id,
        scorecard_rows.la_code,
        scorecard_rows.metric_code,
        cast(scorecard_rows.period_end - interval 1 year as date) as period_end,
        'previous' as stated_as,
        scorecard_rows.previous_12m as value
    from scorecard_rows

),

final as (

    select
        stated.la_code,
        stated.metric_code,
        stated.period_end,
        'rolling_12m' as "window",
        cast(stated.value as double) as value,
        stated.stated_as,
        stated.load_id

    from stated
    where stated.value is not null
        and stated.load_id in (select load_id from accepted)

)

select * from final
