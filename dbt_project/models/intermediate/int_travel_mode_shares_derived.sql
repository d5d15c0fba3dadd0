{#- Mission 3's shares of travel by mode, derived from published counts (provenance 'derived'):

    * from the National Travel Survey (NTS0409a, trips per person per year by main mode, England):
      public_transport_trip_share = bus (in London, other local, non-local) + London Underground +
      surface rail + other public transport, over all modes (the Statement's headline: "public
      transport trips as a share of all trips"); walking_trip_share and cycling_trip_share likewise.
    * from Census 2021 TS061 (residents by method of travel to work, lower-tier authorities of
      England and Wales): commute_public_transport_share = underground/metro/tram + train + bus, over
      everyone who travelled to work (all methods except working from home and not in employment);
      commute_active_travel_share = bicycle + on foot, over the same. England's and Wales's values are
      the sums of their authorities' counts.

    numerator and denominator carry the counts each share is made of. -#}
{% set nts_public = ['mode=bus_london', 'mode=bus_other_local', 'mode=bus_non_local', 'mode=underground',
                     'mode=surface_rail', 'mode=other_public'] %}
{% set census_public = ['method=underground_metro_tram', 'method=train', 'method=bus'] %}
{% set census_active = ['method=bicycle', 'method=on_foot'] %}
{% set census_not_commuting = ['method=home', 'method=not_in_employment'] %}

{% set keys = 'area_code, area_name, period, year, period_start, period_end, source_id, vintage, loaded_at' %}

-- trips per person are published to 15 digits; a float sum's last digits follow the order it is
-- summed in, so the sums are rounded to 1e-9 and a published share never depends on the run
with nts_sums as (
    select
        {{ keys }},
        round(sum(value) filter (where breakdown in {{ "('" ~ nts_public | join("', '") ~ "')" }}), 9)
            as public_transport,
        round(sum(value) filter (where breakdown = 'mode=walk'), 9) as walking,
        round(sum(value) filter (where breakdown = 'mode=cycle'), 9) as cycling,
        max(value) filter (where breakdown = 'all') as all_modes
    from {{ ref('stg_dft__dft_nts0409a') }}
    group by all
),

nts_shares as (
    select {{ keys }}, 'public_transport_trip_share' as metric_id, public_transport as numerator,
        all_modes as denominator
    from nts_sums
    union all
    select {{ keys }}, 'walking_trip_share', walking, all_modes from nts_sums
    union all
    select {{ keys }}, 'cycling_trip_share', cycling, all_modes from nts_sums
),

census as (
    select {{ keys }}, breakdown, value from {{ ref('stg_ons_census__census2021_ts061') }}
),

census_areas as (
    select * from census
    union all
    -- each nation's total: the sum of its authorities (every authority of England and Wales is listed)
    select
        case left(area_code, 1) when 'E' then 'E92000001' else 'W92000004' end as area_code,
        case left(area_code, 1) when 'E' then 'England' else 'Wales' end as area_name,
        period, year, period_start, period_end, source_id, vintage, loaded_at, breakdown, sum(value) as value
    from census
    group by all
),

census_sums as (
    select
        {{ keys }},
        sum(value) filter (where breakdown in {{ "('" ~ census_public | join("', '") ~ "')" }}) as public_transport,
        sum(value) filter (where breakdown in {{ "('" ~ census_active | join("', '") ~ "')" }}) as active_travel,
        sum(value) filter (where breakdown not in {{ "('" ~ census_not_commuting | join("', '") ~ "')" }}) as commuters
    from census_areas
    group by all
),

census_shares as (
    select {{ keys }}, 'commute_public_transport_share' as metric_id, public_transport as numerator,
        commuters as denominator
    from census_sums
    union all
    select {{ keys }}, 'commute_active_travel_share', active_travel, commuters from census_sums
),

shares as (
    select *, 'National Travel Survey; DfT changed the survey method in 2020 (series break); '
        || 'derived: share of all trips (all purposes)' as note
    from nts_shares
    union all by name
    select *, 'Census day 21 March 2021, during a national lockdown; derived: share of residents who '
        || 'travelled to work (excluding working from home)' as note
    from census_shares
),

share_rows as (
    select
        area_code, area_name, period, year, period_start, period_end, metric_id,
        'all' as breakdown,
        100 * numerator / denominator as value,
        numerator,
        denominator,
        cast(case when numerator is null or not denominator > 0 then 'x' end as varchar) as status,
        note, source_id, vintage, loaded_at
    from shares
)

{{ derived_metric_rows('share_rows') }}
