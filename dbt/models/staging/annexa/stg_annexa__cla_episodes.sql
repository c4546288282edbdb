-- One row per period of care of an Annex A's List 8, as an episode of the csc zip's cla_episodes: the list
-- gives a period's start and end, its latest legal status and placement, not its episodes, so each period is
-- one episode starting it (reason S). Enough for children starting to be and being looked after; not for
-- counts of placement moves.

with

source as (

    select * from {{ source('raw_annexa', 'annexa_children_in_care') }}

),

renamed as (

    select
        load_id,
        row_number as spreadsheet_row,
        child_id,
        cast(care_start_date as date) as episode_start,
        'S' as reason_new_episode,
        legal_status,
        category_of_need,
        placement,
        placement_provider,
        cast(care_end_date as date) as episode_end,
        reason_ceased,
        placement_postcode as placement_postcode_district,
        uasc = 'Yes' as uasc

    from source

)

select * from renamed
