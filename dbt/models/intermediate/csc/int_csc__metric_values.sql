-- The children's social care metric values that count: where two layouts give a value for the same authority,
-- metric, period end and window (a csc zip and an SSDA903 return both for 31 March), the one of the layout with
-- the lower precedence (csc_layouts) counts; the other stays in csc_layout_reconciliation. Every version of the
-- counting layout is kept (fct_metric_values says which is latest).

with

by_layout as (select * from {{ ref('int_csc__metric_values_by_layout') }}),

ranked as (

    select
        *,
        min(precedence) over (partition by la_code, metric_code, period_end, "window") as counting_precedence

    from by_layout

),

final as (

    select la_code, metric_code, period_end, "window", value, stated_as, load_id
    from ranked
    where precedence = counting_precedence

)

select * from final
