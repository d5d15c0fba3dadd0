{{ stg_metric_rows('ons_els', 'healthy_life_expectancy') }}
