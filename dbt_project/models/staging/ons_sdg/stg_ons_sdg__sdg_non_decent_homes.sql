{{ stg_metric_rows('ons_sdg', 'sdg_non_decent_homes') }}
