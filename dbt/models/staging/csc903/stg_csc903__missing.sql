-- One row per missing or away episode of a child looked after, from an SSDA903 return: every one is from care,
-- and the return records no return home interviews (null, not false).

with

source as (

    select * from {{ source('raw_csc903', 'csc903_missing') }}

),

renamed as (

    select
        load_id,
        row_number as spreadsheet_row,
        child as child_id,
        missing as episode_type,
        cast(mis_start as date) as start_date,
        cast(mis_end as date) as end_date,
        true as from_care,
        cast(null as boolean) as rhi_offered,
        cast(null as boolean) as rhi_accepted

    from source

)

select * from renamed
