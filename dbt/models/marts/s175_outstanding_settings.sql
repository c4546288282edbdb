-- The settings still to return the section 175 audit, by name, per authority and academic year (from the year's
-- latest current snapshot), so the partnership can chase them.

with

snapshots as (select * from {{ ref('int_s175__snapshots') }} where is_latest_in_year),
setting_returns as (select * from {{ ref('int_s175__setting_returns') }}),

final as (

    select
        snapshots.la_code,
        snapshots.academic_year,
        setting_returns.urn,
        setting_returns.setting_name,
        setting_returns.setting_type,
        snapshots.period_end as snapshot_period_end

    from setting_returns
    inner join snapshots using (load_id)
    where setting_returns.is_expected and not setting_returns.is_returned

)

select * from final
