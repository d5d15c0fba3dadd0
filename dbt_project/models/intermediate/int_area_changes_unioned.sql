{#- Every recorded boundary or code change: lower-tier changes from the LAD successor list (a
    successor with several predecessors is a merger, with one a recode), and county and combined
    authority reorganisations from the seed of statutory orders (splits and mergers). change_year is the first year of the new
    code where ONS records it (codes created since 2018). -#}
with successors as (
    select
        lad_code as old_code,
        lad_name as old_name,
        successor_code as new_code,
        successor_name as new_name,
        count(*) over (partition by successor_code) as predecessors
    from {{ ref('stg_ons_geography__lad_successors') }}
    where successor_code <> lad_code
),

start_years as (
    select area_code, first_year from {{ ref('stg_ons_geography__areas') }}
)

select
    successors.old_code,
    successors.old_name,
    successors.new_code,
    successors.new_name,
    case when successors.predecessors > 1 then 'merger' else 'recode' end as change_kind,
    start_years.first_year as change_year,
    'lower_tier' as tier,
    'ONS LAD successor list' as basis,
    cast(successors.predecessors as integer) as predecessors
from successors
left join start_years on start_years.area_code = successors.new_code

union all

select
    old_code,
    old_name,
    new_code,
    new_name,
    change_kind,
    cast(change_year as integer) as change_year,
    case when old_code like 'E47%' then 'combined_authority' else 'upper_tier' end as tier,
    basis,
    cast(count(*) over (partition by new_code, change_kind) as integer) as predecessors
from {{ ref('upper_tier_reorganisations') }}
