{#- One row per mission: the national headline picture, the trend of the Statement's gap, the band
    of the primary target, and how much of it rests on real data. -#}
with national as (
    -- each headline series at the widest area it is published for (UK, else GB, else E&W, else England)
    select *
    from {{ ref('mission_scorecard') }}
    where area_code in ('K02000001', 'K03000001', 'K04000001', 'E92000001')
    qualify row_number() over (
        partition by metric_id, breakdown
        order by case area_code when 'K02000001' then 1 when 'K03000001' then 2 when 'K04000001' then 3 else 4 end
    ) = 1
),

headline as (
    select
        mission_id,
        count(*) as headline_series,
        count(*) filter (where direction = 'improving') as improving,
        count(*) filter (where direction = 'worsening') as worsening,
        count(*) filter (where direction in ('no later data', 'no change', 'increased', 'decreased')) as other,
        string_agg(
            metric_id || case when breakdown <> 'all' then ' (' || breakdown || ')' else '' end
            || ' ' || direction || ' in ' || area_name
            || case when provenance = 'synthetic' then ' [synthetic]' else '' end,
            '; ' order by metric_id, breakdown
        ) as headline_detail
    from national
    group by mission_id
),

gaps as (
    select
        mission_id,
        count(*) filter (where gap_trend = 'narrowing') as narrowing,
        count(*) filter (where gap_trend = 'widening') as widening,
        count(*) filter (where gap_trend in ('lead growing', 'lead shrinking')) as group_ahead,
        count(*) as gap_series,
        bool_and(provenance like '%synthetic%') as all_synthetic
    from {{ ref('mission_gaps') }}
    where is_latest and is_statement_definition
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
        count(*) filter (where data_status = 'real') as headline_metrics_real,
        count(*) filter (where data_status = 'synthetic') as headline_metrics_synthetic,
        count(*) filter (where data_status = 'missing') as headline_metrics_missing,
        count(*) filter (where data_status = 'mixed') as headline_metrics_mixed
    from {{ ref('mission_data_gaps') }}
    where is_headline
    group by mission_id
),

flags as (
    select mission_id, count(*) filter (where levelling_down_flag) as levelling_down_flags
    from {{ ref('mission_scorecard') }}
    group by mission_id
)

select
    m.mission_id,
    m.mission_number,
    m.title,
    case
        when h.headline_series is null then 'no data'
        when h.improving = h.headline_series then 'improving'
        when h.worsening = h.headline_series then 'worsening'
        when h.improving + h.worsening = 0 then 'no trend yet'
        when h.improving > h.worsening then 'mostly improving'
        when h.worsening > h.improving then 'mostly worsening'
        else 'mixed'
    end as headline_status,
    coalesce(h.headline_series, 0) as headline_series,
    coalesce(h.improving, 0) as headline_series_improving,
    coalesce(h.worsening, 0) as headline_series_worsening,
    h.headline_detail,
    case
        when g.gap_series is null then 'not measured'
        when g.narrowing = g.gap_series then 'narrowing'
        when g.widening = g.gap_series then 'widening'
        when g.group_ahead = g.gap_series then 'target group ahead'
        when g.narrowing > g.widening then 'mostly narrowing'
        when g.widening > g.narrowing then 'mostly widening'
        else 'mixed'
    end as gap_trend,
    coalesce(g.gap_series, 0) as gap_series,
    coalesce(t.progress_band, 'no quantified target') as target_band,
    t.target_id as primary_target_id,
    c.headline_metrics_real,
    c.headline_metrics_synthetic,
    c.headline_metrics_missing,
    c.headline_metrics_real || ' real, ' || c.headline_metrics_synthetic || ' synthetic, '
        || c.headline_metrics_missing || ' missing' as data_coverage,
    coalesce(f.levelling_down_flags, 0) as levelling_down_flags,
    case
        when c.headline_metrics_real = 0 and c.headline_metrics_synthetic > 0
            then 'SYNTHETIC SAMPLE only: no official statistics behind this mission''s headline status.'
        when c.headline_metrics_synthetic > 0 or c.headline_metrics_missing > 0
            then 'Partly synthetic or missing: see mission_data_gaps.'
        else 'Real data.'
    end as data_note
from {{ ref('dim_missions') }} as m
left join headline as h using (mission_id)
left join gaps as g using (mission_id)
left join targets as t using (mission_id)
left join coverage as c using (mission_id)
left join flags as f using (mission_id)
