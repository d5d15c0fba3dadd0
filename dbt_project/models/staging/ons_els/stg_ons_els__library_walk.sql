{{ stg_metric_rows('ons_els', 'library_walk') }}
