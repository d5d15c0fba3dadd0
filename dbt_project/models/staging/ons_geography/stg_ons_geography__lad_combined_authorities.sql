{#- ONS's lookup of the local authority districts inside each English combined authority (and
    combined county authority), as published, with the vintage of the file it was loaded from. -#}
select
    cast("LAD25CD" as varchar) as lad_code,
    cast("LAD25NM" as varchar) as lad_name,
    cast("CAUTH25CD" as varchar) as combined_authority_code,
    cast("CAUTH25NM" as varchar) as combined_authority_name,
    left(_sha256, 12) as vintage,
    _loaded_at as loaded_at
from {{ source('ons_geography', 'geography_lad_combined_authorities') }}
