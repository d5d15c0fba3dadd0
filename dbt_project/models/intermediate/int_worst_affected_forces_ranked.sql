{#- The Statement's worst-affected police forces, as two proxy groups ranked by VOLUME (the Statement's
    word), one row per member force: English forces only, ties at the 20th place all in (rank(), so
    membership never depends on row order).

    * worst_affected_forces_20 (homicide and serious violence): the Statement's group is "the 20 forces
      with the largest volumes of hospital admissions [under-25s, sharp-object assault] over 2015-16 to
      2021-22". Admissions are not published by force, so the proxy sums police-recorded knife or sharp
      instrument offences over the years of that window the bundled tables hold (2015-16 to 2018-19),
      each year as its latest edition gives it (knife_offences_count: Table P5 of the year ending March
      2019, with ONS's revisions: Surrey's 2017-18 count is 58 first released, 436 revised).
    * neighbourhood_crime_worst_forces_20: the Statement identifies these "using police-recorded crime
      data" and names no rule or count; the proxy sums police-recorded neighbourhood crime (the counts
      behind neighbourhood_crime_rate) over the pre-pandemic years held, ending March 2018 and 2019. -#}
with facts as (
    select * from {{ ref('int_metric_values_harmonised') }}
),

volumes as (
    select
        'worst_affected_forces_20' as grouping_id, area_code, sum(value) as offences, count(*) as years,
        'PROXY for the Statement''s group (the 20 forces with the largest volumes of under-25 sharp-object '
        || 'hospital admissions, 2015-16 to 2021-22, not published by force): the 20 English forces with the '
        || 'largest volume of police-recorded knife or sharp instrument offences, 2015-16 to 2018-19 (ONS '
        || 'Table P5, year ending March 2019 edition)' as description
    from facts
    where metric_id = 'knife_offences_count' and area_code like 'E23%' and value is not null
      and year between 2016 and 2022
    group by area_code

    union all

    select
        'neighbourhood_crime_worst_forces_20' as grouping_id, area_code, sum(numerator) as offences,
        count(*) as years,
        'PROXY for the Statement''s neighbourhood-crime group (identified "using police-recorded crime '
        || 'data", no rule or count given): the 20 English forces with the largest volume of police-recorded '
        || 'neighbourhood crime (residential burglary, vehicle offences, theft from the person, all robbery), '
        || 'years ending March 2018 and 2019 (ONS Table P1)' as description
    from facts
    where metric_id = 'neighbourhood_crime_rate' and area_code like 'E23%' and numerator is not null
      and year between 2018 and 2019
    group by area_code
)

select
    cast(grouping_id as varchar) as grouping_id,
    cast(area_code as varchar) as area_code,
    cast(offences as double) as offences,
    cast(years as integer) as years,
    cast(rank() over (partition by grouping_id order by offences desc) as integer) as volume_rank,
    -- the group's description, then this member's volume after the first ';'
    cast(description || '; ' || cast(offences as bigint) || ' offences over ' || years || ' years' as varchar)
        as note,
    cast(description as varchar) as description
from volumes
qualify rank() over (partition by grouping_id order by offences desc) <= 20
