{{ stg_metric_rows('ons_els', 'gross_value_added') }}
