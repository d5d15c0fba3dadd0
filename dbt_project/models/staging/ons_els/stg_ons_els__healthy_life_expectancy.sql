{{ stg_ons_els('healthy_life_expectancy') }}
