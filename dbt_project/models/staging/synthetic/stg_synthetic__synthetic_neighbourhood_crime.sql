{{ stg_metric_rows('synthetic', 'synthetic_neighbourhood_crime') }}
