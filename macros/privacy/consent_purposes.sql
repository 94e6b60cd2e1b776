{#- The consent purposes the project knows, as a list (for loops) -#}
{% macro consent_purposes() -%}
    {{ return(['analytics', 'personalization', 'marketing_email', 'sale_sharing']) }}
{%- endmacro %}
