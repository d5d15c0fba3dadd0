{{ stg_metric_rows('ons_els', 'gigabit_broadband') }}
