{#- Mission 8's ranking: each area's percentile rank on each ONS4 measure (1 = worst), its worst
    rank over the four, and whether that puts it in the worst third (areas with all four measures). -#}
with pop as (
    select * from {{ ref('int_gap_populations_selected') }}
),

-- Mission 8: areas ranked by their worst ONS4 measure (percentile rank among areas, 1 = worst);
-- the worst-performing third against the rest, for each of the four measures.
wellbeing_ranked as (
    select
        *,
        percent_rank() over (partition by metric_id, breakdown, period order by sign * value desc) as badness
    from pop
    where gap_method = 'worst_third_vs_rest'
),

wellbeing_complete as (
    select area_code, breakdown, period, max(badness) as worst_badness
    from wellbeing_ranked
    group by all
    having count(distinct metric_id) = 4
),

wellbeing_thirds as (
    select
        *,
        ntile(3) over (partition by breakdown, period order by worst_badness desc, area_code) = 1 as is_worst_third
    from wellbeing_complete
)

select r.*, c.worst_badness, t.is_worst_third
from wellbeing_ranked as r
left join wellbeing_complete as c using (area_code, breakdown, period)
left join wellbeing_thirds as t using (area_code, breakdown, period)
