-- One row per child protection plan of an Annex A's List 7, as the csc zip's plans: the template's categories
-- as the DfE's codes.

with

source as (

    select * from {{ source('raw_annexa', 'annexa_cp_plans') }}

),

{% set categories = {
    'Neglect': 'NEG', 'Physical abuse': 'PHY', 'Sexual abuse': 'SAB', 'Emotional abuse': 'EMO',
    'Multiple/not recommended': 'MUL'
} %}

renamed as (

    select
        load_id,
        row_number as spreadsheet_row,
        md5(child_id || '/' || cast(start_date as varchar)) as plan_id,
        child_id,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        {% for column in ['initial_category', 'latest_category'] %}
        case {{ column }}
            {% for label, code in categories.items() %}when '{{ label }}' then '{{ code }}' {% endfor %}
        end as {{ column }},
        {% endfor %}
        previous_plans

    from source

)

select * from renamed
