{#- dbt-spark 1.11.0 loads seed rows on the session method by formatting each value into the SQL
    as '<value>' unescaped: a null becomes the text 'None', and a quote (Côte d'Ivoire) either
    breaks the statement or, Spark joining adjacent literals, silently drops the quote. Here every
    value is written as a literal: null as null, numbers and booleans as written, other text
    quoted when it holds only safe characters, else as decode(unhex(<hex>), 'utf-8'), which no
    quote, backslash or ${...} (Spark substitutes variables anywhere in the text) can alter.
    The root project's macro wins the dispatch; the rest of dbt-spark's seed is unchanged.

    Arguments:
      model: the seed node
      agate_table: its rows, as dbt read the CSV
-#}
{% macro spark__load_csv_rows(model, agate_table) -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set rows = [] -%}
        {%- for row in chunk -%}
            {%- set values = [] -%}
            {%- for col_name in agate_table.column_names -%}
                {%- set type = column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)) -%}
                {%- do values.append("cast(" ~ segwarehouse._spark_seed_literal(row[loop.index0]) ~ " as " ~ type ~ ")") -%}
            {%- endfor -%}
            {%- do rows.append("(" ~ values | join(", ") ~ ")") -%}
        {%- endfor -%}
        {%- set sql = "insert into " ~ this.render() ~ " values\n" ~ rows | join(",\n") -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{%- endmacro %}

{#- One seed value as a Spark SQL literal (see spark__load_csv_rows). -#}
{% macro _spark_seed_literal(value) -%}
    {%- if value is none -%}
        {{ return('null') }}
    {%- elif value is sameas true or value is sameas false -%}
        {{ return('true' if value else 'false') }}
    {%- elif value is number -%}
        {{ return(value | string) }}
    {%- endif -%}
    {%- set text = value.isoformat() if value.isoformat is defined else value | string -%}
    {%- if modules.re.fullmatch('[A-Za-z0-9 _.,:;/()+-]*', text) -%}
        {{ return("'" ~ text ~ "'") }}
    {%- endif -%}
    {{ return("decode(unhex('" ~ text.encode('utf-8').hex() ~ "'), 'utf-8')") }}
{%- endmacro %}
