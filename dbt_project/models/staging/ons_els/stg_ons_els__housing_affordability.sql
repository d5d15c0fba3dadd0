{{ stg_metric_rows('ons_els', 'housing_affordability') }}
