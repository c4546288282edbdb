with

source as (

    select * from {{ source('raw_csc', 'csc_cla_episodes') }}

),

renamed as (

    select
        load_id,
        row_number as spreadsheet_row,
        child_id,
        cast(episode_start as date) as episode_start,
        reason_new_episode,
        legal_status,
        category_of_need,
        placement,
        cast(episode_end as date) as episode_end,
        reason_ceased,
        uasc = 'Y' as uasc

    from source

)

select * from renamed
