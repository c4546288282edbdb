-- One row per section 175 snapshot, returned setting and answered item, with whether the same setting rated the
-- same item Amber or Red in the previous academic year's latest snapshot (an action still open from the year before).

with

snapshots as (select * from {{ ref('int_s175__snapshots') }}),
setting_returns as (select * from {{ ref('int_s175__setting_returns') }}),
ratings as (select * from {{ ref('stg_s175__ratings') }}),

rated as (

    select
        snapshots.la_code,
        snapshots.academic_year_start,
        ratings.load_id,
        ratings.urn,
        setting_returns.setting_type,
        ratings.item_ref,
        ratings.section,
        ratings.rating

    from ratings
    inner join snapshots using (load_id)
    inner join setting_returns
        on setting_returns.load_id = ratings.load_id
        and setting_returns.urn = ratings.urn
        and setting_returns.is_returned

),

previous_year as (

    select rated.la_code, rated.academic_year_start, rated.urn, rated.item_ref, rated.rating
    from rated
    inner join snapshots using (load_id)
    where snapshots.is_latest_in_year

),

final as (

    select
        rated.* exclude (la_code, academic_year_start),
        coalesce(rated.rating in ('Amber', 'Red') and previous_year.rating in ('Amber', 'Red'), false)
            as is_carried_from_last_year,
        cast(rated.academic_year_start - interval 1 year as date) in (
            select earlier.academic_year_start from previous_year as earlier where earlier.la_code = rated.la_code
        ) as has_previous_year

    from rated
    left join previous_year
        on previous_year.la_code = rated.la_code
        and previous_year.academic_year_start = cast(rated.academic_year_start - interval 1 year as date)
        and previous_year.urn = rated.urn
        and previous_year.item_ref = rated.item_ref

)

select * from final
