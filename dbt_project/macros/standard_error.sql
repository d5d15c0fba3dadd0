{#- The standard error behind a published 95% confidence interval: its half-width / 1.959964 (NULL
    without an interval). One place for the conversion every test and interval in the marts uses. -#}
{%- macro standard_error(lci, uci) -%}
    (({{ uci }} - {{ lci }}) / (2 * 1.959964))
{%- endmacro -%}
