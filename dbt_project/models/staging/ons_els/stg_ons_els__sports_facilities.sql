{{ stg_metric_rows('ons_els', 'sports_facilities') }}
