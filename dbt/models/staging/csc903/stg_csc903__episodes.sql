-- One row per episode of care of an SSDA903 return, with the csc zip's column names; postcodes are districts.

with

source as (

    select * from {{ source('raw_csc903', 'csc903_episodes') }}

),

renamed as (

    select
        load_id,
        row_number as spreadsheet_row,
        child as child_id,
        cast(decom as date) as episode_start,
        rne as reason_new_episode,
        ls as legal_status,
        cin as category_of_need,
        place as placement,
        place_provider as placement_provider,
        cast("DEC" as date) as episode_end,
        rec as reason_ceased,
        reason_place_change,
        home_post as home_postcode_district,
        pl_post as placement_postcode_district,
        urn as provider_urn

    from source

)

select * from renamed
