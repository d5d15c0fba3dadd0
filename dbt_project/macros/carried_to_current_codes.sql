{#-
    A classification's rows (one per old or current LAD code, column lad_code) carried to current
    codes through the LAD successor lookup (CTE `successors` in the calling model): per current code,
    how many parts, which, each column's value when all parts agree (else NULL) and is_mixed.
-#}
{%- macro carried_to_current_codes(cte, columns, extra='') %}
{{ cte }}_carried as (
    select
        coalesce(s.successor_code, p.lad_code) as area_code,
        count(*) as parts,
        string_agg(p.lad_code, '+' order by p.lad_code) as part_codes,
        {%- for column in columns %}
        case when count(distinct p.{{ column }}) = 1 then min(p.{{ column }}) end as {{ column }},
        {%- endfor %}
        count(distinct concat_ws('|', p.{{ columns | join(', p.') }})) > 1 as is_mixed
        {{ extra }}
    from {{ cte }} as p
    left join successors as s using (lad_code)
    group by 1
),
{%- endmacro %}
