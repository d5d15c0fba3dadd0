{#- The area groupings the gap definitions and profiles use: built in int_area_groupings_listed. -#}
select * from {{ ref('int_area_groupings_listed') }}
