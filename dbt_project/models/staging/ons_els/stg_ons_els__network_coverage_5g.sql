{{ stg_metric_rows('ons_els', 'network_coverage_5g') }}
