{{ stg_metric_rows('ons_els', 'public_rd') }}
