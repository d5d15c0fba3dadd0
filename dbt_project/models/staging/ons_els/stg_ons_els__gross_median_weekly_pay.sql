{{ stg_metric_rows('ons_els', 'gross_median_weekly_pay') }}
