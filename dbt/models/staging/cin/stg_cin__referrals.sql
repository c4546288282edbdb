-- One row per episode of need (CINdetails) of a Children in Need census, as the csc zip's referrals. The census
-- has no referral number: an episode is its child and referral date, hashed into referral_id.

with

source as (

    select * from {{ source('raw_cin', 'cin_cin_details') }}

),

renamed as (

    select
        load_id,
        row_number as spreadsheet_row,
        md5(lachildid || '/' || cast(cinreferraldate as varchar)) as referral_id,
        lachildid as child_id,
        cast(cinreferraldate as date) as referral_date,
        referralsource as referral_source,
        primaryneedcode as primary_need,
        referralnfa = '1' as referral_nfa,
        cast(cinclosuredate as date) as closure_date,
        reasonforclosure as closure_reason

    from source

)

select * from renamed
