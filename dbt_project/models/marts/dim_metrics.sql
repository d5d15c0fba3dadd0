select
    cast(metric_id as varchar) as metric_id,
    cast(mission_id as varchar) as mission_id,
    cast(label as varchar) as label,
    cast(unit as varchar) as unit,
    cast(decimals as integer) as decimals,
    cast(polarity as varchar) as polarity,
    cast(coverage as varchar) as coverage,
    cast(native_level as varchar) as native_level,
    cast(source_id as varchar) as source_id,
    cast(is_headline as boolean) as is_headline,
    cast(baseline_period as varchar) as baseline_period,
    cast(target_value as double) as target_value,
    cast(target_year as integer) as target_year,
    cast(target_kind as varchar) as target_kind,
    cast(additivity as varchar) as additivity,
    cast(gap_method as varchar) as gap_method,
    cast(description as varchar) as description
from {{ ref('metrics') }}
