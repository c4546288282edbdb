with

source as (

    select * from {{ source('raw_dfe', 'dfe_statistics') }}

),

renamed as (

    select
        case area_code when 'E10000027' then 'E06000066' else area_code end as area_code,
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
