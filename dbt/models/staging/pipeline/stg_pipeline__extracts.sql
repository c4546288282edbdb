with

source as (

    select * from {{ source('raw', 'extracts') }}

),

renamed as (

    select
        load_id,
        source,
        la_code,
        cast(period_end as date) as period_end,
        file_name,
        sha256,
        size_bytes,
        received_at,
        loaded_at,
        status as load_status,
        error_count,
        query_count,
        row_count,
        run_id as dagster_run_id

    from source

)

select * from renamed
