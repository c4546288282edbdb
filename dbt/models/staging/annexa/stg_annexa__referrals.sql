-- One row per referral of an Annex A's List 3, as the csc zip's referrals. The list has no closure (List 6's
-- episodes of need hold it) nor primary need: both null.

with

source as (

    select * from {{ source('raw_annexa', 'annexa_referrals') }}

),

renamed as (

    select
        load_id,
        row_number as spreadsheet_row,
        md5(child_id || '/' || cast(referral_date as varchar)) as referral_id,
        child_id,
        cast(referral_date as date) as referral_date,
        referral_source,
        cast(null as varchar) as primary_need,
        referral_nfa = 'Yes' as referral_nfa,
        cast(null as date) as closure_date,
        cast(null as varchar) as closure_reason

    from source

)

select * from renamed
