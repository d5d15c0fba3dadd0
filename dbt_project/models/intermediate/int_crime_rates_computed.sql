{#- Mission 11's crime rates, computed here from the published inputs the parser loads
    (stg_ons_pfa__rate_inputs; provenance derived):

    * neighbourhood_crime_rate: residential burglary + vehicle offences + theft from the person +
      robbery, per 1,000 population. ONS's robbery column is all robbery, not personal robbery only,
      so this approximates the Statement's definition; every row's note says so.
      - By force, region and nation (Table P1): over Table P3's population where the file has that
        table (the population ONS's own rates divide by); else over ONS's mid-year estimate of the
        year the catalogue names, summed over each force's upper-tier authorities
        (int_area_populations_summed), England and Wales being England + Wales. Regions have no rate
        on that route: this model divides forces and nations only (mid_year below), as the Python it
        replaced did; a regional rate would be a new published figure, not a move.
      - By single-tier local authority (Table C2): the partnership counts carried to current codes and
        summed (Cumbria's old districts), over the authority's own mid-year estimate; authorities
        without one (districts in counties) are left out.
    * knife_offences_rate: Table P4's count of knife or sharp instrument offences per 100,000 over
      Table P3's population: the project's proxy for serious violence.

    A count with a suppressed part has no sum (status: the first suppressed part's); an area with no
    population has no rate (status x). ONS withholds the City of London's rates (population too
    small): Table P3 says so where present (its population is loaded as NULL), and on the mid-year
    route the same two codes are withheld here. numerator and denominator carry count and population. -#}
{% set parts = ['Residential burglary', 'Vehicle offences', 'Theft from the person', 'Robbery'] %}
{% set robbery_note = "Approximation: ONS's robbery column is all robbery, not personal robbery only, so this is residential burglary + vehicle offences + theft from the person + all robbery" %}
{% set withheld = ['E23000034', 'E09000001'] %}

with inputs as (
    select * from {{ ref('stg_ons_pfa__rate_inputs') }}
),

successors as (
    select lad_code, successor_code, successor_name from {{ ref('stg_ons_geography__lad_successors') }}
),

-- the four parts of each area's neighbourhood crime, in Table P1's (and C2's) order
parts as (
    select
        inputs.*,
        case when geography = 'lad' then coalesce(successors.successor_code, inputs.area_code)
             else inputs.area_code end as rate_area_code,
        successors.successor_name,
        list_position({{ "['" ~ parts | join("', '") ~ "']" }}, indicator) as part_order
    from inputs
    left join successors on inputs.geography = 'lad' and successors.lad_code = inputs.area_code
    where indicator in {{ "('" ~ parts | join("', '") ~ "')" }}
),

neighbourhood_counts as (
    select
        source_id,
        rate_area_code as area_code,
        geography = 'lad' as is_authority,
        coalesce(any_value(successor_name), arg_min(area_name, source_line)) as area_name,
        period, year, period_start, period_end, population_year, vintage, loaded_at,
        case when count(value) = count(*) then sum(value) end as count,
        coalesce(arg_min(status, part_order) filter (where value is null), 'x') as count_status,
        string_agg(distinct note, '; ') as count_note,
        'neighbourhood_crime_rate' as metric_id,
        1000 as per
    from parts
    group by all
),

knife_counts as (
    select
        source_id, area_code, false as is_authority, area_name, period, year, period_start, period_end,
        population_year, vintage, loaded_at, value as count, coalesce(status, 'x') as count_status,
        note as count_note, 'knife_offences_rate' as metric_id, 100000 as per
    from inputs
    where indicator = 'Knife or sharp instrument offences (Table P4)'
),

counts as (
    select * from neighbourhood_counts
    union all by name
    select * from knife_counts
),

table_p3 as (
    select source_id, area_code, period, value as population, note as population_label
    from inputs
    where indicator = 'Population (Table P3)'
),

-- forces, England, Wales and England and Wales; and the upper-tier authorities as published
mid_year as (
    select area_code, year, population
    from {{ ref('int_area_populations_summed') }}
    where area_code in ('E92000001', 'W92000004') or left(area_code, 3) in ('E23', 'W15')
       or basis = 'published'
    union all
    select 'K04000001', year, sum(population)
    from {{ ref('int_area_populations_summed') }}
    where area_code in ('E92000001', 'W92000004')
    group by year
    having count(*) = 2
),

populated as (
    select
        counts.*,
        case when counts.population_year is null then table_p3.population
             when counts.area_code not in {{ "('" ~ withheld | join("', '") ~ "')" }} then mid_year.population
        end as population,
        case when counts.population_year is null then 'population: ' || table_p3.population_label
             else 'population: ONS mid-' || counts.population_year
                 || ' estimates (a force''s: summed over its upper-tier authorities)'
        end as population_note
    from counts
    left join table_p3
        on counts.population_year is null and table_p3.source_id = counts.source_id
        and table_p3.area_code = counts.area_code and table_p3.period = counts.period
    left join mid_year
        on counts.population_year is not null and mid_year.area_code = counts.area_code
        and mid_year.year = counts.population_year
),

rates as (
    select
        area_code,
        area_name,
        period,
        year,
        period_start,
        period_end,
        metric_id,
        'all' as breakdown,
        case when count is not null and population > 0 then count / population * per end as value,
        count as numerator,
        population as denominator,
        case when count is null then count_status when not coalesce(population > 0, false) then 'x' end as status,
        concat_ws('; ',
            case when metric_id = 'neighbourhood_crime_rate' then '{{ robbery_note | replace("'", "''") }}'
                 else 'Proxy for serious violence (police recorded, not hospital admissions)' end,
            case when is_authority then 'summed from Community Safety Partnership rows; crimes the police '
                || 'could not assign to an authority are left out' end,
            population_note,
            count_note
        ) as note,
        source_id,
        vintage,
        loaded_at
    from populated
    -- an authority with no population of its own (a district in a county) or withheld has no row at all
    where not is_authority or population is not null
)

{{ derived_metric_rows('rates') }}
