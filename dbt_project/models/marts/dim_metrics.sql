{#- The metric catalogue with its baseline rule and what is judged: built in int_metrics_classified. -#}
select * from {{ ref('int_metrics_classified') }}
