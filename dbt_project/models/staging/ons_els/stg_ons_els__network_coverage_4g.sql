{{ stg_metric_rows('ons_els', 'network_coverage_4g') }}
