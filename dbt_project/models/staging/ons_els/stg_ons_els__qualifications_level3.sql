{{ stg_metric_rows('ons_els', 'qualifications_level3') }}
