{#- The SHA-256 of a text's UTF-8 bytes, as 64 lower-case hex digits: sha256() on DuckDB,
    sha2(..., 256) on Spark.

    Arguments:
      text: SQL expression of the text
-#}
{% macro sha256_hex(text) -%}
    {{ return(adapter.dispatch('sha256_hex', 'segwarehouse')(text)) }}
{%- endmacro %}

{% macro default__sha256_hex(text) -%}
    {{ segwarehouse._no_engine_implementation('sha256_hex', 'sha-256 of the utf-8 bytes as lower-case hex') }}
{%- endmacro %}

{% macro duckdb__sha256_hex(text) -%}
    sha256({{ text }})
{%- endmacro %}

{% macro spark__sha256_hex(text) -%}
    sha2({{ text }}, 256)
{%- endmacro %}
