{{ stg_metric_rows('ons_els', 'children_in_relative_poverty') }}
