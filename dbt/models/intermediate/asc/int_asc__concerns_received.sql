-- One row per safeguarding concern received in the financial year to date of each extract version (a concern
-- from an earlier year is in an extract only as the source of an enquiry, and is not counted here).

with

windows as (select * from {{ ref('int_asc__extract_windows') }}),
concerns as (select * from {{ ref('stg_asc__concerns') }}),

final as (

    select
        windows.la_code,
        windows.period_end,
        concerns.*,
        concerns.decision_date - concerns.received_date <= 4 as is_decided_within_4_days,
        concerns.outcome in ('S42_ENQUIRY', 'OTHER_ENQUIRY', 'S42_1_ACTIONS') as is_taken_forward

    from windows
    inner join concerns
        on concerns.load_id = windows.load_id
        and concerns.received_date between windows.financial_year_start and windows.period_end

)

select * from final
