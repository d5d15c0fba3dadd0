{{ stg_metric_rows('ons_els', 'early_years') }}
