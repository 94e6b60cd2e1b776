{#- Fails the build, naming the column, when a column of the current model's YAML declares no
    consent purpose or an unknown one (column_consent_purpose): every column says whether it is
    a feature and which purpose it needs. Renders nothing. -#}
{% macro assert_consent_purposes_declared() -%}
    {%- if execute -%}
        {%- for column in model.columns -%}
            {%- do segwarehouse.column_consent_purpose(column) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
