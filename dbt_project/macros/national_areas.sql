{#-
    The national areas a headline series is read at, widest first: the UK, Great Britain, England and
    Wales, England. One list: the scorecard's national row (national_area_code), the money reference
    and the mission summary all take the first of these that publishes the series.
-#}
{% macro national_areas() %}{{ return(['K02000001', 'K03000001', 'K04000001', 'E92000001']) }}{% endmacro %}

{#- The position of `column` in national_areas() (1 = widest), NULL for any other area. -#}
{% macro national_priority(column) -%}
    case {{ column }}{% for code in national_areas() %} when '{{ code }}' then {{ loop.index }}{% endfor %} end
{%- endmacro %}
