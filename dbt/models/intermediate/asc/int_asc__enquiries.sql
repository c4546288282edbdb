-- One row per enquiry of each extract version, with whether it started or concluded in the financial year to
-- date and the adult's details from the concern it came from (enquiries.csv carries none of its own).

with

windows as (select * from {{ ref('int_asc__extract_windows') }}),
enquiries as (select * from {{ ref('stg_asc__enquiries') }}),
concerns as (select * from {{ ref('stg_asc__concerns') }}),

final as (

    select
        windows.la_code,
        windows.period_end,
        enquiries.*,
        enquiries.start_date >= windows.financial_year_start as is_started_in_year,
        coalesce(enquiries.end_date between windows.financial_year_start and windows.period_end, false)
            as is_concluded_in_year,
        -- The SAC's SG2-SG4 population: section 42 enquiries concluded in the year.
        enquiries.enquiry_type = 'S42' and is_concluded_in_year as is_concluded_s42,
        concerns.involves_care_home,
        concerns.primary_support_reason

    from windows
    inner join enquiries
        on enquiries.load_id = windows.load_id
    left join concerns
        on concerns.load_id = enquiries.load_id
        and concerns.concern_id = enquiries.concern_id

)

select * from final
