-- One row per missing or away episode of a child looked after, from an SSDA903 return.

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
        cast(mis_end as date) as end_date

    from source

)

select * from renamed
