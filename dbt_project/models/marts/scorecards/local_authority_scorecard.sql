{#- For every current local authority and every headline series, the scorecard row at the nearest
    level the series is published for: the authority itself, else its upper tier, combined
    authority, police force area, region (ITL1), nation, then the UK. Answers "how is my area doing
    on each mission" in one filter, whatever level each metric is published at. -#}
with authorities as (
    select area_code, area_name, area_level
    from {{ ref('dim_areas') }}
    where is_current and area_level in ('county', 'unitary', 'district')
),

chain as (
    select
        a.area_code as authority_code,
        c.code,
        c.distance,
        c.relation
    from {{ ref('dim_areas') }} as a
    inner join authorities using (area_code)
    cross join unnest([
        {'code': a.area_code, 'distance': 0, 'relation': 'itself'},
        {'code': a.utla_code, 'distance': 1, 'relation': 'upper tier'},
        {'code': a.combined_authority_code, 'distance': 2, 'relation': 'combined authority'},
        {'code': a.pfa_code, 'distance': 3, 'relation': 'police force area'},
        {'code': a.region_code, 'distance': 4, 'relation': 'region'},
        {'code': a.nation_code, 'distance': 5, 'relation': 'nation'},
        {'code': a.uk_code, 'distance': 6, 'relation': 'UK'}
    ]) as u(c)
    where c.code is not null
)

select
    au.area_code as authority_code,
    au.area_name as authority_name,
    au.area_level as authority_level,
    ch.relation as measured_at,
    s.*
from authorities as au
inner join chain as ch on ch.authority_code = au.area_code
inner join {{ ref('mission_scorecard') }} as s on s.area_code = ch.code
qualify row_number() over (
    partition by au.area_code, s.metric_id, s.breakdown order by ch.distance
) = 1
