{#-
    The type of each current local authority (lower tier: districts and unitaries), carried to today's
    codes from the classifications' own vintages:

    * ONS 2011 Area Classification for Local Authorities (supergroup, group), on 2015-era codes, UK;
      the two combined rows ONS publishes (Cornwall/Isles of Scilly, City of London/Westminster) give
      each member the same class;
    * the 2011 Rural-Urban Classification of districts (six classes and the broad three), England,
      2018 codes;
    * the English Indices of Deprivation 2019 and 2025: the district's decile (1 = most deprived) of
      the rank of average score within its edition (317 districts in 2019, 296 in 2025).

    Through the boundary changes the warehouse models (stg_ons_geography__lad_successors), a merged
    authority takes its parts' class only when all parts agree; otherwise the class is NULL and
    *_basis says 'mixed: ...' naming the parts, so it is flagged, never guessed. The rural share is
    recomputed from the parts' 2011 populations (which add up), and the 2011 Census population is kept
    as the weight breakdowns use for districts (which have no mid-year estimate in the warehouse).
    An IMD 2019 decile is carried the same way (the 2025 edition is on current codes already), and
    IMD 2019 quintiles of equal 2011 population are cut from it (beside Ipsos's groups of people).
-#}
{{ config(materialized='table') }}

with successors as (
    select lad_code, successor_code from {{ ref('stg_ons_geography__lad_successors') }}
),

current_ltla as (
    select area_code, area_name, nation_code
    from {{ ref('int_areas_described') }}
    where is_current and is_ltla
),

classification as (
    select
        unnest(string_split(area_codes_2015, '/')) as lad_code,
        trim(supergroup_name) as supergroup_name,
        trim(group_name) as group_name
    from {{ ref('la_area_classification_2011') }}
),

ruc as (
    select
        lad18_code as lad_code,
        trim(ruc11_name) as ruc11_name,
        trim(broad_ruc11) as broad_ruc11,
        cast(rural_incl_hub_population as double) as rural_population,
        cast(total_population as double) as total_population
    from {{ ref('rural_urban_classification_2011') }}
),

imd_2019 as (
    select lad_code, rank_of_average_score, ntile(10) over (order by rank_of_average_score) as imd_decile
    from {{ ref('imd_local_authority_ranks') }}
    where edition = 2019
),

imd_2025 as (
    select lad_code, rank_of_average_score, ntile(10) over (order by rank_of_average_score) as imd_decile
    from {{ ref('imd_local_authority_ranks') }}
    where edition = 2025
),



{{ carried_to_current_codes('classification', ['supergroup_name', 'group_name']) }}
{{ carried_to_current_codes('ruc', ['ruc11_name', 'broad_ruc11'], ', sum(p.rural_population) as rural_population, sum(p.total_population) as total_population') }}
{{ carried_to_current_codes('imd_2019', ['imd_decile'], ', min(p.rank_of_average_score) as imd_rank') }}

imd_2025_carried as (
    -- the 2025 edition is on current codes (a code the lookup has since replaced takes its successor's)
    select coalesce(s.successor_code, i.lad_code) as area_code, min(i.imd_decile) as imd_decile,
        min(i.rank_of_average_score) as imd_rank
    from imd_2025 as i left join successors as s using (lad_code)
    group by 1
),

-- IMD 2019 quintiles of equal POPULATION (as Ipsos groups respondents by neighbourhoods, in fifths of
-- people): English authorities ordered from most deprived by decile then rank, each in the fifth its
-- population's midpoint falls in (2011 Census populations; authorities with no single decile are left
-- out, as for the deciles)
imd_2019_population_quintiles as (
    select
        i.area_code,
        least(5, 1 + cast(floor(5 * (
            sum(r.total_population) over (order by i.imd_decile, i.imd_rank, i.area_code rows unbounded preceding)
            - r.total_population / 2
        ) / sum(r.total_population) over ()) as integer)) as imd_population_quintile
    from imd_2019_carried as i
    inner join ruc_carried as r using (area_code)
    inner join current_ltla as a using (area_code)
    where i.imd_decile is not null and r.total_population > 0 and a.nation_code = 'E92000001'
)

select
    a.area_code,
    a.area_name,
    c.supergroup_name as supergroup_2011,
    c.group_name as group_2011,
    case
        when c.area_code is null then 'not classified (no row carries to this code)'
        when c.is_mixed then 'mixed: parts ' || c.part_codes || ' differ; not classified'
        when c.parts > 1 then 'carried: parts ' || c.part_codes || ' agree'
        else 'as published'
    end as area_class_basis,
    r.broad_ruc11 as broad_ruc11,
    r.ruc11_name as ruc11,
    case when r.broad_ruc11 is not null then
        case when r.broad_ruc11 = 'Predominantly Rural' then 'Rural' else 'Urban' end
    end as urban_rural_2011,
    round(100 * r.rural_population / nullif(r.total_population, 0), 2) as rural_percent_2011,
    case
        when r.area_code is null and a.nation_code <> 'E92000001' then 'not classified (England only)'
        when r.area_code is null then 'not classified (no row carries to this code)'
        when r.is_mixed then 'mixed: parts ' || r.part_codes || ' differ; not classified'
        when r.parts > 1 then 'carried: parts ' || r.part_codes || ' agree'
        else 'as published'
    end as rural_urban_basis,
    r.total_population as population_2011,
    i19.imd_decile as imd_decile_2019,
    case
        when i19.area_code is null then null
        when i19.is_mixed then 'mixed: parts ' || i19.part_codes || ' in different deciles; not classified'
        when i19.parts > 1 then 'carried: parts ' || i19.part_codes || ' in one decile'
        else 'as published'
    end as imd_2019_basis,
    q19.imd_population_quintile as imd_population_quintile_2019,
    i25.imd_decile as imd_decile_2025,
    i25.imd_rank as imd_rank_2025
from current_ltla as a
left join classification_carried as c using (area_code)
left join ruc_carried as r using (area_code)
left join imd_2019_carried as i19 using (area_code)
left join imd_2025_carried as i25 using (area_code)
left join imd_2019_population_quintiles as q19 using (area_code)
