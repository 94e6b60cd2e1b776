{#- A feature column gated by the consent purpose its YAML meta declares (column_consent_purpose):
    `<expression, or null unless is_<purpose>_allowed> as <column>`. The purpose is stated once,
    in the model's YAML; the build fails, naming the column, when it declares none, an unknown
    one, or none (not a feature). At parse time the expression, ungated (nothing is built then).

    Arguments:
      expression: SQL expression of the feature
      column: the output column, documented in the model's YAML
      relation: optional alias of the relation holding is_<purpose>_allowed
-#}
{% macro gated(expression, column, relation=none) -%}
    {%- if not execute -%}
        {{- return(expression ~ ' as ' ~ column) -}}
    {%- endif -%}
    {%- set purpose = segwarehouse.column_consent_purpose(column) -%}
    {%- if purpose == 'none' -%}
        {{- exceptions.raise_compiler_error(
            "column " ~ column ~ " of " ~ model.name ~ " is gated, but its meta consent_purpose is"
            ~ " none: name the purpose the feature needs"
        ) -}}
    {%- endif -%}
    {{ if_allowed(expression, purpose, relation) }} as {{ column }}
{%- endmacro %}
