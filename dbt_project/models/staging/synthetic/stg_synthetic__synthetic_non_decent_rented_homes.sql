{{ stg_metric_rows('synthetic', 'synthetic_non_decent_rented_homes') }}
