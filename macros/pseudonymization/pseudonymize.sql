{#- Keyed pseudonym of an identifier of a given kind: lowercase hex
    HMAC-SHA256(key, kind || ':' || value), null for null. The kind (the identifier's column
    name in the raw contract: customer_id, email, anonymous_id, session_id) separates the
    domains, so equal strings of different kinds never get equal pseudonyms (an anonymous_id
    that happens to equal a customer_id is not linkable to that customer). Kinds contain no
    ':', so (kind, value) is recovered from the message: the pseudonym is injective per key.
    The key never appears in SQL: the segwarehouse.dbt_plugin sets the HMAC pads as session
    variables on every connection; without them the query fails instead of hashing unkeyed.

    Arguments:
      expression: SQL expression of the identifier (cast to text)
      kind: one of pseudonym_kinds(), a literal
-#}
{% macro pseudonymize(expression, kind) -%}
    {%- if kind not in pseudonym_kinds() -%}
        {{- exceptions.raise_compiler_error(
            "pseudonymize(): kind '" ~ kind ~ "' is not one of " ~ pseudonym_kinds() | join(', ')
        ) -}}
    {%- endif -%}
    {{ return(adapter.dispatch('pseudonymize', 'segwarehouse')(expression, kind)) }}
{%- endmacro %}

{#- The identifier kinds that get pseudonyms, each its own HMAC domain. -#}
{% macro pseudonym_kinds() -%}
    {{ return(['customer_id', 'email', 'anonymous_id', 'session_id']) }}
{%- endmacro %}

{% macro duckdb__pseudonymize(expression, kind) -%}
    case
        when ({{ expression }}) is null then null
        when getvariable('pseudonymization_inner_pad') is null
            or getvariable('pseudonymization_outer_pad') is null
            then error('pseudonymization key pads are not set on this connection: run through dbt with the segwarehouse.dbt_plugin plugin')
        else sha256(
            getvariable('pseudonymization_outer_pad')
            || unhex(sha256(
                getvariable('pseudonymization_inner_pad')
                || encode('{{ kind }}:' || cast(({{ expression }}) as string))
            ))
        )
    end
{%- endmacro %}

{#- Spark: the key is read when the query runs, never written into it: from the environment
    variable PSEUDONYMIZATION_KEY of Spark's JVM (java.lang.System.getenv, as DuckDB's plugin
    reads it from dbt's process; on a cluster, set it on the driver and executors from the
    secret store), else the public development key that the profile's spark target puts in the
    conf spark.segwarehouse.development_key_hex (only when no key is set and
    PSEUDONYMIZATION_REQUIRE_KEY is off). A key substituted into the SQL text would be printed
    with the plan of any failing query; read inside a scalar subquery, it is in no plan, compiled
    SQL, manifest or log. Spark SQL has no HMAC and no XOR of binary values, so the pads are made
    here as DuckDB's plugin makes them: the key (its SHA-256 if longer than the 64-byte block),
    zero-padded to 64 bytes, XOR-ed with 0x36 (inner) or 0x5c (outer), 4 bytes at a time, once
    per query (scalar subqueries). A missing or malformed key fails the query (raise_error)
    instead of hashing unkeyed. -#}
{% macro spark__pseudonymize(expression, kind) -%}
    {{ segwarehouse._spark_hmac(expression, kind, segwarehouse._spark_key_hex()) }}
{%- endmacro %}

{#- The pseudonymization key's UTF-8 bytes in hex on Spark, as read when the query runs (see
    spark__pseudonymize); null when no key is available. Spark's java_method returns the text
    'null' for an unset variable, so a key spelled 'null' counts as none (and, the profile
    giving no development key when the variable is set, fails the query). -#}
{% macro _spark_key_hex() -%}
    coalesce(
        hex(encode(nullif(nullif(
            java_method('java.lang.System', 'getenv', 'PSEUDONYMIZATION_KEY'), 'null'), ''
        ), 'utf-8')),
        nullif('${spark.segwarehouse.development_key_hex}', '')
    )
{%- endmacro %}

{#- HMAC-SHA256 of '<kind>:<value>' under the key whose hex key_hex (a SQL expression, evaluated
    once per query inside the pads' scalar subqueries) gives, as lowercase hex. -#}
{% macro _spark_hmac(expression, kind, key_hex) -%}
    case
        when ({{ expression }}) is null then null
        else sha2(concat(
            {{ segwarehouse._spark_hmac_pad(key_hex, 1549556828) }},
            unhex(sha2(concat(
                {{ segwarehouse._spark_hmac_pad(key_hex, 909522486) }},
                cast(concat('{{ kind }}:', cast(({{ expression }}) as string)) as binary)
            ), 256))
        ), 256)
    end
{%- endmacro %}

{#- One HMAC pad on Spark (see spark__pseudonymize), a scalar subquery: the 64-byte block key
    XOR-ed with a 4-byte pattern (909522486 = 0x36363636, inner; 1549556828 = 0x5c5c5c5c,
    outer), as binary. -#}
{% macro _spark_hmac_pad(key_hex, pattern) -%}
    {%- set block_hex = "rpad(case when length(key_hex) > 128 then sha2(unhex(key_hex), 256)"
        ~ " else key_hex end, 128, '0')" -%}
    {%- set words = [] -%}
    {%- for offset in range(1, 129, 8) -%}
        {%- do words.append("lpad(conv(cast(cast(conv(substr(" ~ block_hex ~ ", " ~ offset
            ~ ", 8), 16, 10) as bigint) ^ " ~ pattern ~ " as string), 10, 16), 8, '0')") -%}
    {%- endfor -%}
    (
        select
            case
                when key_hex is null or length(key_hex) = 0 or unhex(key_hex) is null
                    then raise_error('pseudonymization key is not set on this Spark session: set PSEUDONYMIZATION_KEY in the environment of its JVM (driver and executors)')
                else unhex(concat({{ words | join(', ') }}))
            end
        from (select lower({{ key_hex }}) as key_hex) as pseudonymization_key
    )
{%- endmacro %}

{% macro default__pseudonymize(expression, kind) -%}
    {{ segwarehouse._no_engine_implementation('pseudonymize', 'HMAC-SHA256 with the key kept out of SQL') }}
{%- endmacro %}
