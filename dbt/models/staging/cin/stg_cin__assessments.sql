-- One row per assessment of a Children in Need census, as the csc zip's assessments (its factors as one
-- comma-separated list, the zip's form).

with

source as (

    select * from {{ source('raw_cin', 'cin_assessments') }}

),

renamed as (

    select
        load_id,
        row_number as spreadsheet_row,
        md5(lachildid || '/' || cast(cinreferraldate as varchar) || '/' || cast(assessmentactualstartdate as varchar))
            as assessment_id,
        md5(lachildid || '/' || cast(cinreferraldate as varchar)) as referral_id,
        lachildid as child_id,
        cast(assessmentactualstartdate as date) as start_date,
        cast(assessmentauthorisationdate as date) as authorised_date,
        assessmentfactors as factors

    from source

)

select * from renamed
