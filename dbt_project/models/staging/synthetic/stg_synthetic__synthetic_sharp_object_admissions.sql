{{ stg_metric_rows('synthetic', 'synthetic_sharp_object_admissions') }}
