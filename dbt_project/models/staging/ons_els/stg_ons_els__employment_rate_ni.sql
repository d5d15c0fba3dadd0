{{ stg_metric_rows('ons_els', 'employment_rate_ni') }}
