{#- The parsed columns of a raw table, from its staging spec (the column meta of the sources'
    YAML, see _staging_spec): one `<parse expression> as <staged name>` per raw column, then
    the raw text of every parsed value (amount, integer, boolean, timestamp) as
    <staged name>__raw, which the checks read to tell a missing value from an unparseable one.
    Comma-separated, without a trailing comma: the body of a base model's `parsed` CTE.

    Arguments:
      source_name: the source, as in source()
      table_name: the raw table, as in source()
-#}
{% macro staged_columns(source_name, table_name) -%}
    {%- set items = [] -%}
    {%- set raw_copies = [] -%}
    {%- for column in segwarehouse._staging_spec(source_name, table_name) -%}
        {%- set raw = column.raw -%}
        {%- if column.parse == 'identifier' -%}
            {%- set expression = clean_identifier(raw) -%}
        {%- elif column.parse == 'code' -%}
            {%- set expression = clean_code(raw) -%}
        {%- elif column.parse == 'upper_code' -%}
            {%- set expression = clean_code(raw, case='upper') -%}
        {%- elif column.parse == 'snake_code' -%}
            {%- set expression = "replace(" ~ clean_code(raw) ~ ", '-', '_')" -%}
        {%- elif column.parse == 'text' -%}
            {%- set expression = "nullif(trim(" ~ raw ~ "), '')" -%}
        {%- elif column.parse == 'lower_text' -%}
            {%- set expression = "nullif(lower(trim(" ~ raw ~ ")), '')" -%}
        {%- elif column.parse == 'amount' -%}
            {%- set expression = parse_amount(raw) -%}
        {%- elif column.parse == 'integer' -%}
            {%- set expression = parse_integer(raw) -%}
        {%- elif column.parse == 'boolean' -%}
            {%- set expression = parse_boolean(raw) -%}
        {%- else -%}
            {%- set expression = parse_timestamp(raw) -%}
        {%- endif -%}
        {%- do items.append(expression ~ " as " ~ column.name) -%}
        {%- if column.parse in ['amount', 'integer', 'boolean', 'timestamp'] -%}
            {%- do raw_copies.append("cast(" ~ raw ~ " as string) as " ~ column.name ~ "__raw") -%}
        {%- endif -%}
    {%- endfor -%}
    {{- (items + raw_copies) | join(",\n        ") -}}
{%- endmacro %}
