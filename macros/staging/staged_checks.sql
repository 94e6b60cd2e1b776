{#- The quarantine checks of a raw table, from its staging spec (see _staging_spec): a list of
    SQL expressions, each giving a reason or null, in contract column order, for every checked
    column whose failure quarantines the row (not the meta invalid: repair ones, see
    staged_value_issues); a timestamp with meta not_before is followed by its order check.
    Pass it, with the model's own checks appended, to quarantine_reason().

    Arguments:
      source_name: the source, as in source()
      table_name: the raw table, as in source()
-#}
{% macro staged_checks(source_name, table_name) -%}
    {%- set checks = [] -%}
    {%- for column in segwarehouse._staging_spec(source_name, table_name) if not column.repair -%}
        {%- set check = segwarehouse._staged_check(column) -%}
        {%- if check is not none -%}
            {%- do checks.append(check) -%}
        {%- endif -%}
        {%- if column.not_before is not none -%}
            {%- do checks.append(check_order(
                column.not_before, column.name, tolerance_hours=column.tolerance_hours
            )) -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(checks) -}}
{%- endmacro %}
