{{ stg_metric_rows('ons_els', 'railway_station_walk') }}
