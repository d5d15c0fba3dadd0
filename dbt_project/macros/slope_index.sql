{#-
    The slope index of inequality (SII) by the method Fingertips uses (PHE/OHID,
    PHEindicatormethods::phe_sii), for each partition of `relation`: rows of (partition columns,
    decile 1 = most deprived .. 10, population, weighted_sum = sum of population x value,
    weighted_variance = sum of population^2 x standard error^2, or NULL where a value has no interval).

    Each decile's value is weighted_sum / population; its relative rank is the midpoint of its
    cumulative population share (x = the shares before it + half its own); the decile values are
    regressed on x by least squares weighted by the shares. The slope is a fixed linear combination of
    the decile values, SII = sum of c_d x y_d with c_d = share_d x (x_d - mean x) / sum of share x (x -
    mean x)^2 (the population is not random), so its variance is exactly sum of c_d^2 x var(y_d): the
    analytic equivalent of Fingertips' simulation from the decile values' intervals (which draws the
    same normal errors and reads off their spread). Computed only where all ten deciles have a value,
    as Fingertips requires; the variance only where every authority's value has an interval.
-#}
{% macro slope_index(relation, partition) %}
{%- set by = partition | join(', ') -%}
    with _shares as (
        select
            *,
            population / sum(population) over (partition by {{ by }}) as share,
            weighted_sum / population as decile_value
        from {{ relation }}
        where population > 0
    ),

    _ranked as (
        select
            *,
            sum(share) over (
                partition by {{ by }} order by decile rows between unbounded preceding and current row
            ) - share / 2 as relative_rank
        from _shares
    ),

    _centred as (
        select
            *,
            relative_rank - sum(share * relative_rank) over (partition by {{ by }}) as x_centred,
            sum(share * decile_value) over (partition by {{ by }}) as mean_value
        from _ranked
    ),

    _coefficients as (
        select
            *,
            share * x_centred / sum(share * x_centred * x_centred) over (partition by {{ by }}) as coefficient
        from _centred
    )

    select
        {{ by }},
        count(*) as deciles,
        any_value(mean_value) as mean_value,
        case when count(*) = 10 then sum(coefficient * decile_value order by decile) end as sii,
        case when count(*) = 10 and count(weighted_variance) = 10
            then sum(coefficient * coefficient * weighted_variance / (population * population) order by decile)
        end as sii_variance
    from _coefficients
    group by {{ by }}
{% endmacro %}
