{{ stg_metric_rows('ons_els', 'ks2_expected_standard') }}
