{#- 1 April of the financial year that holds a date: the one definition of the partnership's year in SQL
    (Python: dagster_project/lib/periods.py). The DfE's population lag uses its year: a 2022-23 rate is per the
    mid-2022 estimate. -#}
{% macro financial_year_start(day) -%}
    make_date(year({{ day }}) - case when month({{ day }}) < 4 then 1 else 0 end, 4, 1)
{%- endmacro %}
