{{ stg_metric_rows('synthetic', 'synthetic_asb_perception') }}
