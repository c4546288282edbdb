with

source as (

    select * from {{ source('raw_csc', 'csc_referrals') }}

),

renamed as (

    select
        load_id,
        row_number as spreadsheet_row,
        referral_id,
        child_id,
        cast(referral_date as date) as referral_date,
        referral_source,
        primary_need,
        referral_nfa = 'Y' as referral_nfa,
        cast(closure_date as date) as closure_date,
        closure_reason

    from source

)

select * from renamed
