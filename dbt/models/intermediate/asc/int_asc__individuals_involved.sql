-- One row per extract version, adult and kind of involvement in the financial year to date: a concern received
-- (CONCERN), a section 42 enquiry started (S42) or another enquiry started (OTHER). As the SAC counts people, an
-- adult is here once per kind however many concerns or enquiries they had; their age, sex and ethnicity are those
-- of their latest concern in the extract (the SAC asks for age at the year end; the extract gives age at receipt).

with

concerns as (select * from {{ ref('stg_asc__concerns') }}),
concerns_received as (select * from {{ ref('int_asc__concerns_received') }}),
enquiries as (select * from {{ ref('int_asc__enquiries') }}),

latest_details as (

    select
        load_id,
        person_id,
        age_at_receipt,
        sex,
        ethnicity

    from concerns
    qualify row_number() over (
        partition by load_id, person_id order by received_date desc, spreadsheet_row desc
    ) = 1

),

involvements as (

    select distinct load_id, la_code, period_end, person_id, 'CONCERN' as enquiry_type
    from concerns_received
    union
    select distinct load_id, la_code, period_end, person_id, enquiry_type
    from enquiries
    where is_started_in_year

),

final as (

    select
        involvements.*,
        case
            when latest_details.age_at_receipt < 65 then '18-64'
            when latest_details.age_at_receipt < 75 then '65-74'
            when latest_details.age_at_receipt < 85 then '75-84'
            when latest_details.age_at_receipt < 95 then '85-94'
            else '95+'
        end as age_band,
        latest_details.sex,
        latest_details.ethnicity

    from involvements
    inner join latest_details using (load_id, person_id)

)

select * from final
