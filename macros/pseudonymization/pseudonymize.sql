{#- Keyed pseudonym of an identifier: lowercase hex HMAC-SHA256(key, value), null for null.
    The key never appears in SQL: the segwarehouse.dbt_plugin sets the HMAC pads as session
    variables on every connection; without them the query fails instead of hashing unkeyed. -#}
{% macro pseudonymize(expression) -%}
    {{ return(adapter.dispatch('pseudonymize', 'segwarehouse')(expression)) }}
{%- endmacro %}

{% macro duckdb__pseudonymize(expression) -%}
    case
        when ({{ expression }}) is null then null
        when getvariable('pseudonymization_inner_pad') is null
            or getvariable('pseudonymization_outer_pad') is null
            then error('pseudonymization key pads are not set on this connection: run through dbt with the segwarehouse.dbt_plugin plugin')
        else sha256(
            getvariable('pseudonymization_outer_pad')
            || unhex(sha256(
                getvariable('pseudonymization_inner_pad') || encode(cast(({{ expression }}) as varchar))
            ))
        )
    end
{%- endmacro %}

{% macro default__pseudonymize(expression) -%}
    {{ exceptions.raise_compiler_error(
        "pseudonymize() has no implementation for adapter '" ~ adapter.type() ~ "': add "
        ~ adapter.type() ~ "__pseudonymize computing HMAC-SHA256 with the key kept out of SQL"
    ) }}
{%- endmacro %}
