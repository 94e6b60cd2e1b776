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
                || encode('{{ kind }}:' || cast(({{ expression }}) as varchar))
            ))
        )
    end
{%- endmacro %}

{% macro default__pseudonymize(expression, kind) -%}
    {{ exceptions.raise_compiler_error(
        "pseudonymize() has no implementation for adapter '" ~ adapter.type() ~ "': add "
        ~ adapter.type() ~ "__pseudonymize computing HMAC-SHA256 with the key kept out of SQL"
    ) }}
{%- endmacro %}
