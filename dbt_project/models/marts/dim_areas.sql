{#- Every area a fact can sit on, with its parents: built in int_areas_described, published here. -#}
select * from {{ ref('int_areas_described') }}
