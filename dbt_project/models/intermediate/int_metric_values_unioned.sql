{#-
    Every metric staging model, unioned into the data contract's long shape, with each area's level.
    Add a metric source's staging model to the list below (tests/test_catalogue.py checks that the
    list and the catalogue agree).
-#}
{%- set metric_staging_models = [
    'stg_ons_els__healthy_life_expectancy',
] -%}

with unioned as (
    {% for model in metric_staging_models %}
    select * from {{ ref(model) }}
    {% if not loop.last %}union all by name{% endif %}
    {% endfor %}
),

area_types as (
    select code_type, area_level from {{ ref('area_code_types') }}
)

select
    unioned.*,
    coalesce(area_types.area_level, 'unknown') as area_level
from unioned
left join area_types
    on {{ area_code_type_key('unioned.area_code') }} = area_types.code_type
