{{ stg_metric_rows('synthetic', 'synthetic_public_transport_connectivity') }}
