{{ stg_metric_rows('ons_els', 'gcse_english_maths') }}
