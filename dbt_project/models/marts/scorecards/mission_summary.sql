{#- One row per mission: the national headline picture, the trend of the Statement's gap, the band
    of the primary target, and how much of it rests on real data. -#}
with national as (
    -- each headline series at its national area (mission_scorecard.is_national_headline: the widest it
    -- is published for, UK first)
    select *
    from {{ ref('mission_scorecard') }}
    where metric_role = 'headline' and is_national_headline
),

-- Only real (published or derived) series make a verdict; a money series is judged relative to the
-- reference, so at the national level it is 'not judged: nominal pounds' and does not count.
judged as (
    select *
    from national
    where provenance <> 'synthetic'
      and (verdict in ('improving', 'worsening', 'no significant change', 'no change')
        or verdict like '%, not tested')
),

headline as (
    select
        mission_id,
        count(*) as headline_series,
        count(*) filter (where verdict = 'improving') as improving,
        count(*) filter (where verdict = 'worsening') as worsening,
        count(*) filter (where verdict in ('no significant change', 'no change')) as steady,
        count(*) filter (where change_significance like 'significant%' or change_significance like 'not significant%')
            as tested,
        string_agg(
            metric_id || case when breakdown <> 'all' then ' (' || breakdown || ')' else '' end
            || ': ' || verdict || ' in ' || area_name || ' [' || basis || ']'
            || coalesce(' [caveat: ' || caveat || ']', ''),
            ' | ' order by metric_id, breakdown
        ) as headline_basis
    from judged
    group by mission_id
),

shown as (
    select
        mission_id,
        string_agg(
            metric_id || case when breakdown <> 'all' then ' (' || breakdown || ')' else '' end
            || ' ' || verdict || ' in ' || area_name
            || case when provenance = 'synthetic' then ' [synthetic sample: not judged]' else '' end,
            '; ' order by metric_id, breakdown
        ) as headline_detail,
        count(*) filter (where provenance = 'synthetic') as synthetic_series,
        count(*) filter (where provenance <> 'synthetic') as real_series
    from national
    group by mission_id
),

-- The well-being gap's worst third is re-selected each period from estimates with sampling error, and
-- the check beside it holds the baseline's worst third fixed, which regression to the mean pulls the
-- other way: a tested direction the check significantly contradicts is not settled.
checks as (
    select mission_id, metric_id, breakdown, gap_trend as check_trend
    from {{ ref('mission_gaps') }}
    where is_latest and gap_method = 'worst_third_fixed_at_baseline' and provenance not like '%synthetic%'
),

gaps as (
    select
        mission_id,
        count(*) filter (where gap_trend = 'narrowing' and real and not contradicted) as narrowing,
        count(*) filter (where gap_trend = 'widening' and real and not contradicted) as widening,
        count(*) filter (where gap_trend like '%not tested' and real) as untested,
        count(*) filter (where contradicted and real) as contradicted,
        count(*) filter (where gap_value < 0 and real) as group_ahead,
        count(*) filter (where real) as gap_series,
        count(*) filter (where not real) as synthetic_gap_series
    from (
        select
            g.*,
            g.provenance not like '%synthetic%' as real,
            coalesce(
                (g.gap_trend = 'widening' and c.check_trend = 'narrowing')
                or (g.gap_trend = 'narrowing' and c.check_trend = 'widening'),
                false
            ) as contradicted
        from {{ ref('mission_gaps') }} as g
        left join checks as c using (mission_id, metric_id, breakdown)
        where g.is_latest and g.is_statement_definition
    )
    group by mission_id
),

-- Each real Statement gap (and the fixed-membership check beside the well-being gap) with its
-- baseline rule and, where one area makes most of the change, that area and the change without it.
gap_notes as (
    select
        mission_id,
        string_agg(
            gap_method || ':' || metric_id || case when breakdown <> 'all' then ' (' || breakdown || ')' else '' end
            || ' ' || gap_trend || ' since ' || gap_baseline_period || ' [baseline=' || gap_baseline_rule || ']'
            || case when gap_change_z is not null
                then ' [z=' || round(gap_change_z, 2) || case when abs(gap_change_z) > 1.959964
                    then ', significant at 95%]' else ', not significant at 95%]' end
                else '' end
            || case when dominant_area_code is not null
                then ' [' || round(100 * dominant_area_share) || '% of the change is one area, '
                    || dominant_area_code || '; without it the change is '
                    || round(gap_change_without_dominant_area, 3) || ']'
                else '' end
            || coalesce(' [caveat on ' || dominant_area_code || ': ' || caveat || ']', ''),
            ' | ' order by is_statement_definition desc, gap_method, metric_id, breakdown
        ) as gap_basis
    from {{ ref('mission_gaps') }}
    where is_latest and provenance not like '%synthetic%'
      and (is_statement_definition or gap_method in ('worst_third_fixed_at_baseline', 'decile_median_gap_england'))
    group by mission_id
),

targets as (
    select mission_id, target_id, progress_band, provenance
    from {{ ref('mission_progress') }}
    where is_primary
),

coverage as (
    select
        mission_id,
        string_agg(metric_id || ' (' || data_status || ')', ', ' order by metric_id)
            filter (where data_status <> 'real') as missing_real_data,
        count(*) filter (where data_status = 'real') as headline_metrics_real,
        count(*) filter (where data_status = 'synthetic') as headline_metrics_synthetic,
        count(*) filter (where data_status = 'missing') as headline_metrics_missing,
        count(*) filter (where data_status = 'mixed') as headline_metrics_mixed
    from {{ ref('mission_data_gaps') }}
    where is_headline
    group by mission_id
),

-- Which of the four nations each mission's real figures reach (an area of that nation with a value):
-- for its headline series, and for any of its series (headline or supporting).
nations as (
    select
        m.mission_id,
        string_agg(distinct n.nation, ', ' order by n.nation) filter (where m.role = 'headline')
            as headline_nations,
        string_agg(distinct n.nation, ', ' order by n.nation) as nations_covered
    from {{ ref('fct_area_year_metrics') }} as f
    inner join {{ ref('dim_metrics') }} as m using (metric_id)
    inner join (
        values ('E', 'England'), ('W', 'Wales'), ('S', 'Scotland'), ('N', 'Northern Ireland')
    ) as n(letter, nation) on n.letter = left(f.area_code, 1)
    where f.value is not null and f.provenance in ('published', 'derived') and m.mission_id is not null
    group by m.mission_id
),

-- How old the newest real national headline figure is (the last day of its period), at the build date
data_age as (
    select n.mission_id, max(f.period_end) as latest_data_period_end
    from national as n
    inner join {{ ref('fct_area_year_metrics') }} as f
        on f.metric_id = n.metric_id and f.breakdown = n.breakdown and f.area_code = n.area_code
        and f.period = n.latest_period
    where n.provenance <> 'synthetic'
    group by n.mission_id
),

flags as (
    select mission_id, count(*) filter (where levelling_down_flag) as levelling_down_flags
    from {{ ref('mission_scorecard') }}
    where metric_role = 'headline'
    group by mission_id
)

select
    m.mission_id,
    m.mission_number,
    m.title,
    case
        when h.headline_series is null and coalesce(c.headline_metrics_real, 0) > 0 then 'no trend yet'
        when h.headline_series is null and coalesce(c.headline_metrics_synthetic, 0) > 0 then 'no real data'
        when h.headline_series is null then 'no data'
        when h.improving = h.headline_series then 'improving'
        when h.worsening = h.headline_series then 'worsening'
        when h.steady = h.headline_series then 'no significant change'
        when h.tested = 0 then 'not tested'
        when h.improving > h.worsening then 'mostly improving'
        when h.worsening > h.improving then 'mostly worsening'
        else 'mixed'
    end as headline_status,
    coalesce(h.headline_series, 0) as headline_series,
    coalesce(h.improving, 0) as headline_series_improving,
    coalesce(h.worsening, 0) as headline_series_worsening,
    sh.headline_detail,
    coalesce(
        h.headline_basis,
        case when sh.headline_detail like '%series break%'
            then 'no real national series can be judged: the latest point and the baseline lie either side of '
                || 'a break in how the series is measured (dim_metrics.series_break_year)'
            else 'no real national series with a later point than its baseline'
        end
    ) as headline_basis,
    case
        when g.gap_series > 0 then
            case
                when g.narrowing = g.gap_series then 'narrowing'
                when g.widening = g.gap_series then 'widening'
                -- a level, not a direction: the group the mission wants to catch up is ahead
                when g.group_ahead = g.gap_series then 'target group ahead'
                when g.contradicted > 0
                    then 'not settled: the fixed-membership check goes the other way'
                when g.narrowing + g.widening = 0 and g.untested > 0 then 'not tested'
                when g.narrowing + g.widening = 0 then 'no trend yet'
                when g.narrowing > g.widening then 'mostly narrowing'
                when g.widening > g.narrowing then 'mostly widening'
                else 'mixed'
            end
        when g.synthetic_gap_series > 0 then 'no real data'
        else 'not measured'
    end as gap_trend,
    coalesce(g.gap_series, 0) as gap_series,
    gn.gap_basis,
    case
        when t.target_id is null then 'no quantified target'
        when t.provenance like '%synthetic%' then 'no real data'
        else t.progress_band
    end as target_band,
    t.target_id as primary_target_id,
    c.headline_metrics_real,
    c.headline_metrics_synthetic,
    c.headline_metrics_missing,
    c.headline_metrics_real || ' real, ' || c.headline_metrics_synthetic || ' synthetic, '
        || c.headline_metrics_missing || ' missing' as data_coverage,
    c.missing_real_data,
    coalesce(nt.headline_nations, 'none') as headline_nations,
    coalesce(nt.nations_covered, 'none') as nations_covered,
    coalesce(f.levelling_down_flags, 0) as levelling_down_flags,
    cast(da.latest_data_period_end as date) as latest_data_period_end,
    cast(date_diff('month', da.latest_data_period_end, current_date) as integer) as latest_data_age_months,
    coalesce(sh.real_series, 0) as national_series_real,
    coalesce(h.tested, 0) as national_series_tested,
    -- robust: every real national headline series judged and tested (none left 'not judged', e.g. money
    -- at its own reference), every headline metric real, and every real Statement gap change tested;
    -- partial: some of them tested (national_series_tested of national_series_real says how many);
    -- indicative: none tested
    case
        when h.headline_series is null and coalesce(c.headline_metrics_real, 0) = 0 then 'no real data'
        when h.headline_series is null then 'no verdict yet'
        when h.tested = sh.real_series and c.headline_metrics_synthetic = 0 and c.headline_metrics_missing = 0
            and coalesce(g.untested, 0) = 0 and coalesce(g.contradicted, 0) = 0
            then 'robust'
        when h.tested > 0 then 'partial'
        else 'indicative'
    end as confidence,
    case
        when c.headline_metrics_real = 0 and c.headline_metrics_synthetic > 0
            then 'SYNTHETIC SAMPLE only: no official statistics behind this mission, so no verdict (missing real data: '
                || c.missing_real_data || ').'
        when c.headline_metrics_synthetic > 0 or c.headline_metrics_missing > 0
            then 'Verdict on real data only; no real data yet for ' || c.missing_real_data || ' (see mission_data_gaps).'
        else 'Real data.'
    end as data_note
from {{ ref('dim_missions') }} as m
left join headline as h using (mission_id)
left join shown as sh using (mission_id)
left join gaps as g using (mission_id)
left join gap_notes as gn using (mission_id)
left join targets as t using (mission_id)
left join coverage as c using (mission_id)
left join flags as f using (mission_id)
left join nations as nt using (mission_id)
left join data_age as da using (mission_id)
