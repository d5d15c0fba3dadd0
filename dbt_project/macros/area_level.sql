{#- The key into the area_code_types seed: the GSS entity prefix (E06, W92...), or TL<length> for
    ITL codes that have no GSS equivalent (TL4 = ITL2, TL5 = ITL3). -#}
{% macro area_code_type_key(code) -%}
    case when {{ code }} like 'TL%' then 'TL' || cast(length({{ code }}) as varchar) else left({{ code }}, 3) end
{%- endmacro %}
