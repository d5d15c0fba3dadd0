{{ stg_metric_rows('ons_els', 'first_time_buyers') }}
