{{ stg_metric_rows('project', 'devolution_coverage') }}
