{#- Mission 12's headline, derived by the project: the share of England's, and each region's,
    population living under each devolution level (4, 3, 2, gla, none), and the Statement's aim,
    levels 3 and 4 together (breakdown level=3_or_4, the one share with a direction).

    Population: ONS mid-year estimates, all ages, by upper-tier authority, for the year
    var('devolution_population_year') (old codes carried to current ones); levels: the lookup's,
    dated var('devolution_lookup_date'). Upper-tier authorities add up exactly, since combined
    authorities are made of whole ones. numerator and denominator carry the populations. -#}
{% set population_year = var('devolution_population_year') %}
{% set lookup_date = var('devolution_lookup_date') %}
{% set levels = ['4', '3', '2', 'gla', 'none'] %}

with lookup_vintage as (
    select any_value(vintage) as vintage, max(loaded_at) as loaded_at
    from {{ ref('stg_ons_geography__lad_combined_authorities') }}
),

population as (
    select coalesce(successors.successor_code, population.area_code) as utla_code, population.population
    from {{ ref('stg_ons_geography__population_utla') }} as population
    left join {{ ref('stg_ons_geography__lad_successors') }} as successors
        on successors.lad_code = population.area_code
    where population.year = {{ population_year }}
),

authorities as (
    select levels.utla_code, levels.region_code, levels.region_name, levels.devolution_level, population.population
    from {{ ref('int_devolution_levels_assigned') }} as levels
    left join population using (utla_code)
),

areas as (
    select 'E92000001' as area_code, 'England' as area_name, * exclude (region_code, region_name)
    from authorities
    union all
    select region_code, region_name, * exclude (region_code, region_name)
    from authorities
),

by_level as (
    select
        areas.area_code,
        any_value(areas.area_name) as area_name,
        {% for level in levels %}
        coalesce(sum(population) filter (where devolution_level = '{{ level }}'), 0) as "{{ level }}",
        {% endfor %}
        -- no total unless every upper-tier authority has a figure (the not_null test fails the build)
        case when count(population) = count(*) then sum(population) end as total
    from areas
    group by areas.area_code
),

shares as (
    unpivot (select *, "3" + "4" as "3_or_4" from by_level)
    on {% for level in levels %}"{{ level }}", {% endfor %}"3_or_4"
    into name level value covered
),

rows as (
    select
        shares.area_code,
        shares.area_name,
        strftime(date '{{ lookup_date }}', '%Y-%m-%d') as period,
        cast(year(date '{{ lookup_date }}') as integer) as year,
        date '{{ lookup_date }}' as period_start,
        date '{{ lookup_date }}' as period_end,
        'devolution_coverage' as metric_id,
        'level=' || shares.level as breakdown,
        round(100 * shares.covered / shares.total, 2) as value,
        shares.covered as numerator,
        shares.total as denominator,
        cast(null as varchar) as status,
        'Derived by the project: mid-{{ population_year }} population of upper-tier authorities by the '
            || 'devolution level of their combined authority (ONS lookup '
            || strftime(date '{{ lookup_date }}', '%B %Y') || '); levels and their basis in the seed devolution_levels'
            as note,
        'geography_lad_combined_authorities' as source_id,
        lookup_vintage.vintage,
        lookup_vintage.loaded_at
    from shares
    cross join lookup_vintage
)

{{ derived_metric_rows('rows') }}
