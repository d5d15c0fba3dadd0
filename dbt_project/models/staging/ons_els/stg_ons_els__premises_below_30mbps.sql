{{ stg_metric_rows('ons_els', 'premises_below_30mbps') }}
