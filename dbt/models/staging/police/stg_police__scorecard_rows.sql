with

source as (

    select * from {{ source('raw_police', 'police_scorecard_rows') }}

),

renamed as (

    select
        load_id,
        file_name,
        sheet_name,
        row_number as spreadsheet_row,
        la_code,
        cast(period_end as date) as period_end,
        section,
        measure,
        measure_label_raw,
        metric_code,
        current_12m,
        previous_12m,
        chg,
        cast(round(pct_chg, 1) as decimal(9, 1)) as pct_chg

    from source

)

select * from renamed
