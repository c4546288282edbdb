{#- Layers land in schemas named for the layer (staging, intermediate, marts, reference), not
    "<target>_<layer>": analysts and report tools see the same names in every environment. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name | trim if custom_schema_name is not none else target.schema }}
{%- endmacro %}
