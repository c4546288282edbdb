{#
    One canonical children's table from the staging models of every layout that holds it: the same columns
    from each, and the layout each row came in. `models` maps a layout (csc_layouts) to its staging model.
#}
{% macro union_layouts(models, columns) %}
    {%- for layout, model in models.items() %}
    select load_id, '{{ layout }}' as layout, {{ columns | join(', ') }} from {{ ref(model) }}
    {%- if not loop.last %}
    union all
    {%- endif -%}
    {%- endfor %}
{% endmacro %}
