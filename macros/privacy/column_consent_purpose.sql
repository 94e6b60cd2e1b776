{#- The consent purpose a column of the current model declares in its YAML meta
    (meta: {consent_purpose: <purpose>}): a name of consent_purposes(), or 'none' for a column
    that is not a feature (keys, consent state, contract data). Fails, naming the model and the
    column, when the column is not documented, declares no purpose or an unknown one. Call it
    at execute time (at parse time the columns are not read yet).

    Arguments:
      column: the column name
-#}
{% macro column_consent_purpose(column) -%}
    {%- set documented = model.columns.get(column) -%}
    {%- if documented is none -%}
        {{- exceptions.raise_compiler_error(
            "column " ~ column ~ " of " ~ model.name ~ " is not documented in its YAML: document it"
            ~ " with meta consent_purpose (one of " ~ consent_purposes() | join(", ")
            ~ ", or none for a column that is not a feature)"
        ) -}}
    {%- endif -%}
    {%- set meta = documented.get('meta') or (documented.get('config') or {}).get('meta') or {} -%}
    {%- set purpose = meta.get('consent_purpose') -%}
    {%- if purpose is none or (purpose | string) not in consent_purposes() + ['none'] -%}
        {{- exceptions.raise_compiler_error(
            "column " ~ column ~ " of " ~ model.name ~ " must declare meta consent_purpose: one of "
            ~ consent_purposes() | join(", ") ~ ", or none for a column that is not a feature; got "
            ~ ("nothing" if purpose is none else "'" ~ purpose ~ "'")
        ) -}}
    {%- endif -%}
    {{- return(purpose | string) -}}
{%- endmacro %}
