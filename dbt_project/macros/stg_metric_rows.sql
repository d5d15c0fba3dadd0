{#-
    Staging for one raw metric table (the tidy rows every metric parser or generator emits), ending
    in the data contract's long shape. Every metric staging model is this macro applied to its source
    table: the shape is one, so its SQL is one. ITL1 codes (TLC..TLN, TLB) are mapped to their GSS region/nation codes; where the
    file also publishes the GSS row for the same area, the GSS row wins. Indicators the catalogue
    does not map to a metric (metric_id null) are left out. A published confidence interval that does
    not contain its estimate (a publisher error seen in the real files, e.g. uci = lci < value) is
    withheld, and the row's note says so and keeps the published limits; raw.* keeps them as published.
-#}
{%- macro ci_brackets_value() -%}
    (source.value is null or source.lci_95 is null or source.uci_95 is null
     or (source.lci_95 <= source.value and source.value <= source.uci_95))
{%- endmacro -%}

{%- macro bracketing_limit(limit) -%}
    case when {{ ci_brackets_value() }} then cast({{ limit }} as double) end
{%- endmacro -%}

{% macro stg_metric_rows(source_name, table_name) %}
with source as (
    select * from {{ source(source_name, table_name) }}
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
        {{ bracketing_limit('source.lci_95') }} as lci_95,
        {{ bracketing_limit('source.uci_95') }} as uci_95,
        cast(source.numerator as double) as numerator,
        cast(source.denominator as double) as denominator,
        source.status,
        case
            when {{ ci_brackets_value() }} then source.notes
            else concat_ws('; ', source.notes, 'published 95% CI [' || source.lci_95 || ', '
                || source.uci_95 || '] does not contain the estimate; CI withheld')
        end as note,
        '{{ table_name }}' as source_id,
        source._provenance as provenance,
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
