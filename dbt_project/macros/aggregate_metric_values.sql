{#-
    Aggregate metric rows onto a target area, only where the metric allows it (dim_metrics.additivity):
      sum                    - counts and money: the sum of the parts;
      percent_of_denominator - shares: 100 * sum(numerator) / sum(denominator);
      none                   - rates and scores without published numerators: never aggregated.
    `relation` has the long metric columns plus target_code (the area to aggregate onto),
    additivity and expected_parts (how many parts make the whole). A whole is only computed when all
    its parts are present with a value; otherwise its value is NULL with status 'x' and a note.
    Never a plain average of percentages.
-#}
{% macro aggregate_metric_values(relation) %}
    select
        target_code as area_code,
        period,
        any_value(year) as year,
        any_value(period_start) as period_start,
        any_value(period_end) as period_end,
        metric_id,
        breakdown,
        any_value(additivity) as additivity,
        count(*) as parts_present,
        any_value(expected_parts) as expected_parts,
        case
            when count(value) < any_value(expected_parts) then null
            when any_value(additivity) = 'sum' then sum(value)
            when any_value(additivity) = 'percent_of_denominator' and count(numerator) = count(*)
                and sum(denominator) > 0
                then 100 * sum(numerator) / sum(denominator)
        end as value,
        case when any_value(additivity) = 'sum' then sum(numerator)
             when any_value(additivity) = 'percent_of_denominator' then sum(numerator) end as numerator,
        case when any_value(additivity) = 'percent_of_denominator' then sum(denominator) end as denominator,
        string_agg(area_code, '+' order by area_code) as part_codes,
        any_value(source_id) as source_id,
        any_value(provenance) as provenance,
        any_value(vintage) as vintage,
        max(loaded_at) as loaded_at
    from {{ relation }}
    where additivity in ('sum', 'percent_of_denominator')
    group by target_code, period, metric_id, breakdown
{% endmacro %}
