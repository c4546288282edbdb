-- Where two layouts of children's social care cover the same authority, period end, metric and window (the
-- quarterly csc zip and the SSDA903 return for the year to 31 March): one row each, with both current values and
-- their difference, and which layout counts (csc_layouts' precedence). A difference is for the authority to
-- explain: the same case system should give the same figure both ways.

with

by_layout as (select * from {{ ref('int_csc__metric_values_by_layout') }}),
versions as (select load_id, is_current, file_name from {{ ref('int_extract_versions') }}),
authorities as (select la_code, la_name from {{ ref('authorities') }}),

current_values as (

    select by_layout.*, versions.file_name
    from by_layout
    inner join versions using (load_id)
    where versions.is_current

),

paired as (

    select
        counted.la_code,
        counted.metric_code,
        counted.period_end,
        counted."window",
        counted.layout as counted_layout,
        counted.value as counted_value,
        counted.file_name as counted_file,
        other.layout as other_layout,
        other.value as other_value,
        other.file_name as other_file

    from current_values as counted
    inner join current_values as other
        on other.la_code = counted.la_code
        and other.metric_code = counted.metric_code
        and other.period_end = counted.period_end
        and other."window" = counted."window"
        and other.precedence > counted.precedence
    where counted.precedence = (
        select min(precedence) from current_values as any_layout
        where any_layout.la_code = counted.la_code
            and any_layout.metric_code = counted.metric_code
            and any_layout.period_end = counted.period_end
            and any_layout."window" = counted."window"
    )

),

final as (

    select
        paired.la_code,
        authorities.la_name,
        paired.metric_code,
        paired.period_end,
        paired."window",
        paired.counted_layout,
        paired.counted_value,
        paired.other_layout,
        paired.other_value,
        paired.other_value - paired.counted_value as difference,
        paired.other_value = paired.counted_value as agrees,
        paired.counted_file,
        paired.other_file

    from paired
    inner join authorities using (la_code)

)

select * from final
