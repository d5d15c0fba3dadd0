{#-
    Staging for one ONS Explore Local Statistics raw table, ending in the data contract's long shape.
    Every ELS staging model is this macro applied to its source table: the format is one, so its
    SQL is one. ITL1 codes (TLC..TLN, TLB) are mapped to their GSS region/nation codes; where the
    file also publishes the GSS row for the same area, the GSS row wins. Indicators the catalogue
    does not map to a metric (metric_id null) are left out.
-#}
{% macro stg_ons_els(table_name) %}
with source as (
    select * from {{ source('ons_els', table_name) }}
),

itl1 as (
    select itl1_code, gss_code from {{ ref('itl1_gss_codes') }}
),

mapped as (
    select
        coalesce(itl1.gss_code, source.area_code) as area_code,
        source.area_code as published_area_code,
        source.area_name,
        source.period_label as period,
        cast(source.year as integer) as year,
        source.period_start,
        source.period_end,
        source.metric_id,
        source.breakdown,
        cast(source.value as double) as value,
        cast(source.lci_95 as double) as lci_95,
        cast(source.uci_95 as double) as uci_95,
        cast(null as double) as numerator,
        cast(null as double) as denominator,
        source.status,
        source.notes as note,
        '{{ table_name }}' as source_id,
        'published' as provenance,
        left(source._sha256, 12) as vintage,
        source._loaded_at as loaded_at
    from source
    left join itl1 on source.area_code = itl1.itl1_code
    where source.metric_id is not null
)

select *
from mapped
qualify row_number() over (
    partition by area_code, period, metric_id, breakdown
    order by (published_area_code = area_code) desc, published_area_code
) = 1
{% endmacro %}
