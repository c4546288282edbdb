with

source as (

    select * from {{ source('raw_csc', 'csc_missing') }}

),

renamed as (

    select
        load_id,
        row_number as spreadsheet_row,
        child_id,
        episode_type,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        from_care = 'Y' as from_care,
        rhi_offered = 'Y' as rhi_offered,
        rhi_accepted = 'Y' as rhi_accepted

    from source

)

select * from renamed
