{#- Where the restricted identity model (stg_shop__customer_identities, the only one holding
    e-mails and names) is built: a dict of database and schema for its config.
    DuckDB: the identity file, attached by the profile as database `restricted` (schema main),
    so the warehouse file holds no e-mail or name. Spark: schema `restricted` of the catalog,
    whose access the platform grants to the identity desk only (a catalog has no separate file). -#}
{% macro identity_location() -%}
    {{ return(adapter.dispatch('identity_location', 'segwarehouse')()) }}
{%- endmacro %}

{% macro default__identity_location() -%}
    {{ return({'database': 'restricted', 'schema': 'main'}) }}
{%- endmacro %}

{% macro spark__identity_location() -%}
    {{ return({'database': none, 'schema': 'restricted'}) }}
{%- endmacro %}
