{{ stg_ipsos_index('ipsos_index_quoted') }}
