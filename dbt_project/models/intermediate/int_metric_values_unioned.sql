{#-
    Every metric staging model, unioned into the data contract's long shape, with each area's level.
    Rows for the same fact may come from two sources (e.g. the NI total in both the GB and the NI
    employment files); int_metric_values_deduplicated keeps one, and the singular test
    assert_duplicate_facts_agree fails if two sources ever disagree.
    Add a metric source's staging model to the list below (tests/test_catalogue.py checks that the
    list and the catalogue agree).
-#}
{%- set metric_staging_models = [
    'stg_ons_els__apprenticeships',
    'stg_ons_els__average_travel_time',
    'stg_ons_els__berd',
    'stg_ons_els__children_in_relative_poverty',
    'stg_ons_els__claimant_count',
    'stg_ons_els__culture_heritage_engagement',
    'stg_ons_els__early_years',
    'stg_ons_els__employment_rate',
    'stg_ons_els__employment_rate_ni',
    'stg_ons_els__fe_skills_achievements',
    'stg_ons_els__fe_skills_participation',
    'stg_ons_els__first_time_buyers',
    'stg_ons_els__gcse_english_maths',
    'stg_ons_els__gdhi_per_head',
    'stg_ons_els__gigabit_broadband',
    'stg_ons_els__gross_median_weekly_pay',
    'stg_ons_els__gross_value_added',
    'stg_ons_els__healthy_life_expectancy',
    'stg_ons_els__homicide',
    'stg_ons_els__housing_affordability',
    'stg_ons_els__ks2_expected_standard',
    'stg_ons_els__library_walk',
    'stg_ons_els__museums',
    'stg_ons_els__net_additional_dwellings',
    'stg_ons_els__network_coverage_4g',
    'stg_ons_els__network_coverage_5g',
    'stg_ons_els__personal_wellbeing',
    'stg_ons_els__premises_below_30mbps',
    'stg_ons_els__public_rd',
    'stg_ons_els__qualifications_level3',
    'stg_ons_els__qualifications_level3_ni',
    'stg_ons_els__qualifications_none',
    'stg_ons_els__railway_station_walk',
    'stg_ons_els__sports_facilities',
    'stg_ons_sdg__sdg_non_decent_homes',
    'stg_project__devolution_coverage',
    'stg_synthetic__synthetic_asb_perception',
    'stg_synthetic__synthetic_neighbourhood_crime',
    'stg_synthetic__synthetic_non_decent_rented_homes',
    'stg_synthetic__synthetic_nts_public_transport_share',
    'stg_synthetic__synthetic_public_transport_connectivity',
    'stg_synthetic__synthetic_sharp_object_admissions',
    'stg_synthetic__synthetic_social_fabric_index',
] -%}

with unioned as (
    {% for model in metric_staging_models %}
    select * from {{ ref(model) }}
    {% if not loop.last %}union all by name{% endif %}
    {% endfor %}
),

area_types as (
    select code_type, area_level from {{ ref('area_code_types') }}
)

select
    unioned.*,
    coalesce(area_types.area_level, 'unknown') as area_level
from unioned
left join area_types
    on {{ area_code_type_key('unioned.area_code') }} = area_types.code_type
