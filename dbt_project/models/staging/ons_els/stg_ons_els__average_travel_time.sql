{{ stg_metric_rows('ons_els', 'average_travel_time') }}
