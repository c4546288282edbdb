with

source as (

    select * from {{ source('raw', 'resubmission_changes') }}

),

renamed as (

    select
        load_id,
        previous_load_id,
        table_name,
        rows_added,
        rows_removed,
        rows_changed

    from source

)

select * from renamed
