-- One row per assessment of an Annex A's List 4, as the csc zip's assessments. The list links no referral and
-- records no factors (null).

with

source as (

    select * from {{ source('raw_annexa', 'annexa_assessments') }}

),

renamed as (

    select
        load_id,
        row_number as spreadsheet_row,
        md5(child_id || '/' || cast(start_date as varchar)) as assessment_id,
        cast(null as varchar) as referral_id,
        child_id,
        cast(start_date as date) as start_date,
        cast(authorised_date as date) as authorised_date,
        cast(null as varchar) as factors

    from source

)

select * from renamed
