{#- Generic tests the project needs (no dbt packages can be downloaded here). -#}

{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as duplicate_rows
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}

{#- Fails for every row where the SQL boolean `expression` is false. -#}
{% test expression_is_true(model, expression) %}
select *
from {{ model }}
where not ({{ expression }})
{% endtest %}
