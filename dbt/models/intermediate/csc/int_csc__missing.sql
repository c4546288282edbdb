-- One row per missing or away episode of every children's social care extract version, whichever layout it
-- came in. The SSDA903 return holds children looked after only: every episode is from care, and it records no
-- return home interviews (null, not false).

with

zip_missing as (select * from {{ ref('stg_csc__missing') }}),
return_missing as (select * from {{ ref('stg_csc903__missing') }}),

from_zips as (

    select
        load_id,
        'csc' as layout,
        child_id,
        episode_type,
        start_date,
        end_date,
        from_care,
        rhi_offered,
        rhi_accepted

    from zip_missing

),

from_returns as (

    select
        load_id,
        'csc903' as layout,
        child_id,
        episode_type,
        start_date,
        end_date,
        true as from_care,
        cast(null as boolean) as rhi_offered,
        cast(null as boolean) as rhi_accepted

    from return_missing

),

final as (

    select * from from_zips
    union all
    select * from from_returns

)

select * from final
