{#- The check of one column of a staging spec (see _staging_spec) as a SQL expression giving a
    reason or null, or none when the spec asks for no check: a required identifier must be
    present; a code must be one of its accepted values; amounts, integers (in their range),
    booleans and timestamps must parse and be plausible; JSON text must parse. Missing values
    fail unless the column is nullable. -#}
{% macro _staged_check(column) -%}
    {%- set required = not column.nullable -%}
    {%- set kind = column.parse -%}
    {%- if not column.checked -%}
        {{- return(none) -}}
    {%- elif kind == 'identifier' -%}
        {{- return(check_identifier(column.name) if required else none) -}}
    {%- elif kind in ['code', 'upper_code', 'snake_code'] -%}
        {{- return(check_accepted(column.name, column.accepted, required=required)
            if column.accepted is not none else none) -}}
    {%- elif kind == 'amount' -%}
        {{- return(check_amount(column.name, required=required)) -}}
    {%- elif kind == 'integer' and column.range is not none -%}
        {{- return(check_range(column.name, column.range[0], column.range[1], required=required)) -}}
    {%- elif kind in ['integer', 'boolean'] -%}
        {{- return(check_value(column.name, required=required)) -}}
    {%- elif kind == 'timestamp' -%}
        {{- return(check_timestamp(column.name, required=required)) -}}
    {%- elif column.format == 'json' -%}
        {{- return("case when not " ~ segwarehouse.json_is_object(column.name) ~ " then 'unparseable " ~ column.name ~ "' end") -}}
    {%- endif -%}
    {{- return(none) -}}
{%- endmacro %}
