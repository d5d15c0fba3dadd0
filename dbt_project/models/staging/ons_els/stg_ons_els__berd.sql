{{ stg_metric_rows('ons_els', 'berd') }}
