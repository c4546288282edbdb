-- Every value every accepted extract stated, harmonised: one row per area, metric, period end,
-- window and vintage (the extract version that said it). is_latest marks the value to use now:
-- the one from the most recent vintage, so restatements win and superseded versions stay visible.

with

metric_values as (

    select * from {{ ref('int_police__metric_values') }}
    union all by name
    select * from {{ ref('int_csc__metric_values') }}
    union all by name
    select * from {{ ref('int_asc__metric_values') }}

),

final as (

    select
        la_code,
        metric_code,
        period_end,
        "window",
        value,
        load_id as vintage_load_id,
        vintage_period_end,
        vintage_received_at,
        source_file,
        source,
        stated_as,
        not vintage_is_current as is_superseded,
        has_queries,
        row_number() over (
            partition by la_code, metric_code, period_end, "window"
            order by vintage_period_end desc, vintage_received_at desc
        ) = 1 as is_latest

    from metric_values

)

select * from final
