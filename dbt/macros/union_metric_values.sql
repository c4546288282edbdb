{#
    Every source's metric values (`int_<source>__metric_values`), one union by column name.

    dbt takes a model's dependencies from the refs it finds while parsing, before it knows which models
    exist, so a union cannot find its members by name on its own (dbt-labs/dbt-core#1212). The members are
    listed once, in `dbt_project.yml` (`vars: metric_value_models`), and the build fails naming any
    `int_*__metric_values` model the list leaves out, or any it names that does not exist: a new source's
    metrics can be forgotten only loudly.
#}
{% macro union_metric_values() %}
    {%- set members = var('metric_value_models') -%}
    {%- if execute -%}
        {%- set defined = [] -%}
        {%- for node in graph.nodes.values() if node.resource_type == 'model' -%}
            {%- if modules.re.fullmatch('int_.+__metric_values', node.name) -%}
                {%- do defined.append(node.name) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set unlisted = defined | reject('in', members) | list -%}
        {%- set undefined = members | reject('in', defined) | list -%}
        {%- if unlisted or undefined -%}
            {{ exceptions.raise_compiler_error(
                "vars.metric_value_models in dbt_project.yml must list every int_*__metric_values model: "
                ~ ("not listed: " ~ (unlisted | sort | join(', ')) ~ ". " if unlisted else "")
                ~ ("no such model: " ~ (undefined | sort | join(', ')) ~ "." if undefined else "")
            ) }}
        {%- endif -%}
    {%- endif -%}
    {%- for member in members %}
    select * from {{ ref(member) }}
    {%- if not loop.last %}
    union all by name
    {%- endif -%}
    {%- endfor %}
{% endmacro %}
