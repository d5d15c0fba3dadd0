{{ stg_metric_rows('ons_els', 'personal_wellbeing') }}
