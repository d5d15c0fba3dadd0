{#- Recent trend of every headline series over its latest five non-overlapping points, by the
    Fingertips methods:
    - chi-square test for trend (Cochran-Armitage) where every point is a proportion with its
      numerator and denominator published;
    - weighted least squares where every point has a 95% confidence interval (weights 1/SE^2, SE
      from the interval's width, so the slope's standard error is known and the test is a z-test);
    - ordinary least squares otherwise (the residual variance estimates the error: t-test, 3 df).
    Significant at the 99.8% level (two-sided p < 0.002): chi-square(1) > 9.5495, |z| > 3.0902,
    |t(3)| > 10.2145. A series with fewer than five points gets no trend (the row says so).
    Points are non-overlapping: walking back from the latest, the next point is the latest whose
    period ends before the current one starts, so rolling three-year figures (healthy life expectancy
    2020-2022, 2017-2019, ...; homicide's three-year windows) count each year once. Overlapping
    windows share data, and a test treating them as independent overstates significance.
    A trend never crosses a break in the series (dim_metrics.series_break_year): only points from
    the break on count, and a series with fewer than five of them says so (trend_unavailable_reason). -#}
{% set series = ['metric_id', 'breakdown', 'area_code'] %}
with recursive eligible as (
    select *
    from {{ ref('int_headline_points_selected') }}
    -- a point counts when its period ends in or after the break's year
    where series_break_year is null or year >= series_break_year
),

-- for each point, the nearest earlier point that does not overlap it
next_point as (
    select p.metric_id, p.breakdown, p.area_code, p.point_from_latest, min(q.point_from_latest) as next_from_latest
    from eligible as p
    inner join eligible as q
        on q.metric_id = p.metric_id and q.breakdown = p.breakdown and q.area_code = p.area_code
        and q.period_end < p.period_start
    group by all
),

chain as (
    select metric_id, breakdown, area_code, point_from_latest, 1 as chain_position
    from eligible
    where point_from_latest = 1
    union all
    select c.metric_id, c.breakdown, c.area_code, n.next_from_latest, c.chain_position + 1
    from chain as c
    inner join next_point as n
        on n.metric_id = c.metric_id and n.breakdown = c.breakdown and n.area_code = c.area_code
        and n.point_from_latest = c.point_from_latest
    where c.chain_position < 5
),

points as (
    select e.*
    from eligible as e
    inner join chain as c using (metric_id, breakdown, area_code, point_from_latest)
),

series as (
    select
        {{ series | join(', ') }},
        count(*) as trend_points,
        any_value(series_break_year) as series_break_year,
        bool_and(numerator is not null and denominator > 0 and numerator <= denominator)
            and bool_and(unit = 'percent') as has_counts,
        bool_and(lci_95 is not null and uci_95 > lci_95) as has_ci
    from points
    group by all
),

weighted as (
    select
        p.*,
        case when s.has_counts then 'chi_square_trend' when s.has_ci then 'wls' else 'ols' end as trend_method,
        case
            when s.has_counts then p.denominator
            when s.has_ci then 1.0 / pow({{ standard_error('p.lci_95', 'p.uci_95') }}, 2)
            else 1.0
        end as w,
        -- the response: a proportion (0-1) for the chi-square test, the value otherwise
        case when s.has_counts then p.numerator / p.denominator else p.value end as y
    from points as p
    inner join series as s using ({{ series | join(', ') }})
    where s.trend_points = 5
),

means as (
    select
        {{ series | join(', ') }},
        any_value(trend_method) as trend_method,
        sum(w) as sw,
        sum(w * time_years) / sum(w) as x_bar,
        sum(w * y) / sum(w) as y_bar
    from weighted
    group by all
),

moments as (
    select
        {{ series | join(', ') }},
        any_value(m.trend_method) as trend_method,
        any_value(m.sw) as sw,
        any_value(m.y_bar) as y_bar,
        sum(w * pow(time_years - m.x_bar, 2)) as sxx,
        sum(w * (time_years - m.x_bar) * (y - m.y_bar)) as sxy,
        any_value(m.x_bar) as x_bar
    from weighted
    inner join means as m using ({{ series | join(', ') }})
    group by all
),

fitted as (
    select
        {{ series | join(', ') }},
        any_value(mo.trend_method) as trend_method,
        any_value(mo.sxx) as sxx,
        any_value(mo.sxy) as sxy,
        any_value(mo.y_bar) as y_bar,
        any_value(mo.sxy / nullif(mo.sxx, 0)) as slope,
        -- residual sum of squares about the fitted line (used by OLS, whose weights are all 1)
        sum(pow(w.y - (mo.y_bar + mo.sxy / nullif(mo.sxx, 0) * (w.time_years - mo.x_bar)), 2)) as rss
    from weighted as w
    inner join moments as mo using ({{ series | join(', ') }})
    group by all
),

tested as (
    select
        {{ series | join(', ') }},
        trend_method,
        case
            -- slope of the proportion, reported in percentage points a year
            when trend_method = 'chi_square_trend' then 100 * slope
            else slope
        end as trend_slope_per_year,
        case
            -- Cochran-Armitage: X^2 = (sum r(x - x_bar))^2 / (p_bar (1 - p_bar) sum n (x - x_bar)^2)
            when trend_method = 'chi_square_trend'
                then pow(sxy, 2) / nullif(y_bar * (1 - y_bar) * sxx, 0)
            when trend_method = 'wls' then slope / sqrt(1.0 / sxx)
            when rss = 0 then case when slope = 0 then 0 else sign(slope) * 'inf'::double end
            else slope / sqrt(rss / (5 - 2) / sxx)
        end as trend_statistic
    from fitted
)

select
    s.metric_id,
    s.breakdown,
    s.area_code,
    s.trend_points,
    t.trend_method,
    -- rounded to 1e-9: sums over the five points follow DuckDB's summation order in their last digits
    round(t.trend_slope_per_year, 9) as trend_slope_per_year,
    round(t.trend_statistic, 9) as trend_statistic,
    case
        when t.trend_method = 'chi_square_trend' then t.trend_statistic > 9.5495
        when t.trend_method = 'wls' then abs(t.trend_statistic) > 3.0902
        when t.trend_method = 'ols' then abs(t.trend_statistic) > 10.2145
    end as trend_significant,
    case
        when s.trend_points < 5 and s.series_break_year is not null
            then 'not enough points since the series break in ' || s.series_break_year
        when s.trend_points < 5 then 'not enough points'
    end as trend_unavailable_reason
from series as s
left join tested as t using ({{ series | join(', ') }})
