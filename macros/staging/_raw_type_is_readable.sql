{#- Whether a raw column of DuckDB or Spark type raw_type can be read as the contract type
    contract_type: text types read anything scalar; numbers read numeric types and text;
    timestamps read temporal types and text; booleans read booleans, integers and text.
    Nested types (lists, structs, maps) and blobs never qualify. -#}
{% macro _raw_type_is_readable(raw_type, contract_type) -%}
    {%- set raw = raw_type | upper -%}
    {%- set wanted = contract_type | lower -%}
    {%- set integers = ['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT',
        'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT', 'INT', 'LONG', 'SHORT', 'BYTE'] -%}
    {%- set is_text = raw in ['VARCHAR', 'STRING'] or raw.startswith('VARCHAR(') or raw.startswith('CHAR(') -%}
    {%- set is_integer = raw in integers -%}
    {%- set is_numeric = is_integer or raw in ['FLOAT', 'DOUBLE', 'REAL'] or raw.startswith('DECIMAL') -%}
    {%- set is_temporal = raw.startswith('TIMESTAMP') or raw == 'DATE' -%}
    {%- if '[' in raw or raw.startswith('STRUCT') or raw.startswith('MAP') or raw.startswith('UNION')
        or raw.startswith('ARRAY') or raw in ['BLOB', 'BINARY'] -%}
        {{- return(false) -}}
    {%- elif wanted.startswith('timestamp') or wanted == 'date' -%}
        {{- return(is_text or is_temporal) -}}
    {%- elif wanted.startswith('decimal') or wanted in ['integer', 'bigint', 'double'] -%}
        {{- return(is_text or is_numeric) -}}
    {%- elif wanted == 'boolean' -%}
        {{- return(is_text or is_integer or raw == 'BOOLEAN') -}}
    {%- else -%}
        {{- return(is_text or is_integer or raw in ['UUID', 'BOOLEAN']) -}}
    {%- endif -%}
{%- endmacro %}
