-- One row per episode of care of an SSDA903 return version, with the UASC flag the zip has on an episode: the
-- return has none, but a child it lists in UASC.csv is UASC until the date that status ceased.

with

episodes as (select * from {{ ref('stg_csc903__episodes') }}),
uasc as (select * from {{ ref('stg_csc903__uasc') }}),

final as (

    select
        episodes.*,
        uasc.child_id is not null
        and (
            uasc.uasc_ceased_date is null
            or uasc.uasc_ceased_date > coalesce(episodes.episode_end, episodes.episode_start)
        ) as uasc

    from episodes
    left join uasc
        on uasc.load_id = episodes.load_id
        and uasc.child_id = episodes.child_id

)

select * from final
