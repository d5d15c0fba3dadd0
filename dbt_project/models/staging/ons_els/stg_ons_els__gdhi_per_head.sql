{{ stg_metric_rows('ons_els', 'gdhi_per_head') }}
