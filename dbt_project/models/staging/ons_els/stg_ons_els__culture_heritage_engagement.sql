{{ stg_metric_rows('ons_els', 'culture_heritage_engagement') }}
