with

source as (

    select * from {{ source('raw', 'expected_submissions') }}

),

renamed as (

    select
        source,
        la_code,
        cast(period_end as date) as period_end,
        cast(due_date as date) as due_date,
        cast(as_of as date) as judged_on

    from source

)

select * from renamed
