with

source as (

    select * from {{ source('raw_dfe', 'dfe_statistics') }}

),

renamed as (

    select
        area_code,
        geographic_level,
        cast(time_period as integer) as time_period,
        measure,
        value,
        data_set,
        fetch_status,
        fetched_at

    from source

)

select * from renamed
