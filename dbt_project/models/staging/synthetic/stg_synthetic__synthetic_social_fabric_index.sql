{{ stg_metric_rows('synthetic', 'synthetic_social_fabric_index') }}
