{{ stg_ipsos_index('ipsos_index_by_supergroup') }}
