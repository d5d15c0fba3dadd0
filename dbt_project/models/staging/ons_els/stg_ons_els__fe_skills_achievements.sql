{{ stg_metric_rows('ons_els', 'fe_skills_achievements') }}
