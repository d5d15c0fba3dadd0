{{ stg_metric_rows('ons_els', 'claimant_count') }}
