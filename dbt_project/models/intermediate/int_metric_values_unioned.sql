{#-
    Every metric staging model, unioned into the data contract's long shape, with each area's level.
    Rows for the same fact may come from two sources (e.g. the NI total in both the GB and the NI
    employment files); int_metric_values_deduplicated keeps one, and the singular test
    assert_duplicate_facts_agree fails if two sources ever disagree.
    The list of staging models is the catalogue's (macros/generated/catalogue.sql, written from
    orchestration/ingest/sources/catalogue.yml before every parse): adding a source adds it here. The
    series the project derives from them in dbt (provenance 'derived') join the same union.
-#}
{%- set metric_staging_models = metric_staging_models() + ['int_travel_mode_shares_derived', 'int_devolution_coverage_derived', 'int_crime_rates_computed'] -%}

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
