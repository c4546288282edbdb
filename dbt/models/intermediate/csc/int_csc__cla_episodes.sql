-- One row per episode of care of every children's social care extract version, whichever layout it came in:
-- the csc zip's cla_episodes module and the SSDA903 return's Episodes table, in the same columns. The return has
-- no UASC flag on an episode: a child it lists in UASC.csv is UASC until the date that status ceased.

with

zip_episodes as (select * from {{ ref('stg_csc__cla_episodes') }}),
return_episodes as (select * from {{ ref('stg_csc903__episodes') }}),
return_uasc as (select * from {{ ref('stg_csc903__uasc') }}),

from_zips as (

    select
        load_id,
        'csc' as layout,
        child_id,
        episode_start,
        reason_new_episode,
        legal_status,
        category_of_need,
        placement,
        episode_end,
        reason_ceased,
        uasc

    from zip_episodes

),

from_returns as (

    select
        return_episodes.load_id,
        'csc903' as layout,
        return_episodes.child_id,
        return_episodes.episode_start,
        return_episodes.reason_new_episode,
        return_episodes.legal_status,
        return_episodes.category_of_need,
        return_episodes.placement,
        return_episodes.episode_end,
        return_episodes.reason_ceased,
        return_uasc.child_id is not null
        and (
            return_uasc.uasc_ceased_date is null
            or return_uasc.uasc_ceased_date > coalesce(return_episodes.episode_end, return_episodes.episode_start)
        ) as uasc

    from return_episodes
    left join return_uasc
        on return_uasc.load_id = return_episodes.load_id
        and return_uasc.child_id = return_episodes.child_id

),

final as (

    select * from from_zips
    union all
    select * from from_returns

)

select * from final
