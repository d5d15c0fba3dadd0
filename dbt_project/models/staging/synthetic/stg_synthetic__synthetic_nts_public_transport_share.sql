{{ stg_metric_rows('synthetic', 'synthetic_nts_public_transport_share') }}
