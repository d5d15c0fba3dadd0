{#-
    The national areas a headline series is read at, widest first: the UK, Great Britain, England and
    Wales, England. One list: the scorecard's national row (national_area_code), the money reference,
    the benchmark's fallbacks and the mission summary all follow it. Call national_areas().split(',').
-#}
{%- macro national_areas() -%}K02000001,K03000001,K04000001,E92000001{%- endmacro -%}

{#- The position of `column` in national_areas() (1 = widest), NULL for any other area. -#}
{%- macro national_priority(column) -%}
    case {{ column }}{% for code in national_areas().split(',') %} when '{{ code }}' then {{ loop.index }}{% endfor %} end
{%- endmacro -%}
