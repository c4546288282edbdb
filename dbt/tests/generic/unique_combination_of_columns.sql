{#- No two rows share these columns' values (dbt_utils' test of the same name, without the package:
    dbt packages cannot be fetched where this runs). -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
select {{ combination_of_columns | join(', ') }}, count(*) as rows_sharing
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endtest %}
