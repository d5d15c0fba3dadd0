-- Two sources publishing the same fact (area, period, metric, breakdown) must publish the same figure.
select area_code, period, metric_id, breakdown,
       count(*) as rows_for_fact,
       count(distinct coalesce(cast(value as varchar), 'null:' || coalesce(status, ''))) as distinct_figures,
       string_agg(source_id || '=' || coalesce(cast(value as varchar), 'null'), ', ') as figures
from {{ ref('int_metric_values_unioned') }}
group by all
having count(distinct coalesce(cast(value as varchar), 'null:' || coalesce(status, ''))) > 1
