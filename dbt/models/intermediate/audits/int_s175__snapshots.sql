-- One row per accepted section 175 export version (a quarterly snapshot of an academic year's returns): its
-- authority, academic year (September to August) and whether it is the year's latest current snapshot, which
-- supersedes the earlier ones.

with

versions as (

    select * from {{ ref('int_extract_versions') }}
    where source = 's175' and load_status = 'accepted'

),

years as (

    select
        load_id,
        current_la_code as la_code,
        period_end,
        is_current,
        file_name as source_file,
        year(period_end) - case when month(period_end) < 9 then 1 else 0 end as first_year

    from versions

),

final as (

    select
        load_id,
        la_code,
        period_end,
        format('{:d}-{:02d}', first_year, (first_year + 1) % 100) as academic_year,
        make_date(first_year, 9, 1) as academic_year_start,
        make_date(first_year + 1, 8, 31) as academic_year_end,
        is_current,
        is_current and period_end = max(period_end) filter (where is_current) over (
            partition by la_code, first_year
        ) as is_latest_in_year,
        source_file

    from years

)

select * from final
