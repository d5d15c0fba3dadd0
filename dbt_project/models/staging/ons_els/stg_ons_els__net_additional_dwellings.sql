{{ stg_metric_rows('ons_els', 'net_additional_dwellings') }}
