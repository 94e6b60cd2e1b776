{#- split_rows(expression, separator): a select-list expression giving one row per part of a
    text split at a literal separator (DuckDB unnest of string_split, Spark explode of split).
    The separator may hold no regular-expression character (Spark splits at a pattern).

    Arguments:
      expression: SQL expression of the text
      separator: the separator, a Python string without regex metacharacters or quotes
-#}
{% macro split_rows(expression, separator) -%}
    {%- if modules.re.search("[][\\\\.^$*+?{}()|']", separator) -%}
        {{- exceptions.raise_compiler_error("split_rows: separator must be plain text, got " ~ separator) -}}
    {%- endif -%}
    {{ return(adapter.dispatch('split_rows', 'segwarehouse')(expression, separator)) }}
{%- endmacro %}

{% macro default__split_rows(expression, separator) -%}
    {{ segwarehouse._no_engine_implementation('split_rows', 'one row per part of a split text') }}
{%- endmacro %}

{% macro duckdb__split_rows(expression, separator) -%}
    unnest(string_split({{ expression }}, '{{ separator }}'))
{%- endmacro %}

{% macro spark__split_rows(expression, separator) -%}
    explode(split({{ expression }}, '{{ separator }}'))
{%- endmacro %}

{#- ordered_string_agg(expression, sort_keys, separator): aggregate joining the non-null texts
    in the order of sort_keys (SQL expressions, each ascending; negate a number to sort it
    descending), ties in the order of the text; null when there is none. Dispatched: Spark has
    no ordered aggregate, so it sorts structs of the keys and the text.

    Arguments:
      expression: SQL expression of a text
      sort_keys: list of SQL expressions
      separator: the separator, a Python string (quoted here)
-#}
{% macro ordered_string_agg(expression, sort_keys, separator) -%}
    {{ return(adapter.dispatch('ordered_string_agg', 'segwarehouse')(expression, sort_keys, separator)) }}
{%- endmacro %}

{% macro default__ordered_string_agg(expression, sort_keys, separator) -%}
    {{ segwarehouse._no_engine_implementation('ordered_string_agg', 'an ordered string aggregate') }}
{%- endmacro %}

{% macro duckdb__ordered_string_agg(expression, sort_keys, separator) -%}
    string_agg({{ expression }}, '{{ separator }}' order by {{ (sort_keys + [expression]) | join(', ') }})
{%- endmacro %}

{% macro spark__ordered_string_agg(expression, sort_keys, separator) -%}
    {%- set fields = [] -%}
    {%- for key in sort_keys -%}
        {%- do fields.append("'k" ~ loop.index ~ "', " ~ key) -%}
    {%- endfor -%}
    case
        when count({{ expression }}) > 0 then array_join(transform(
            array_sort(collect_list(case when ({{ expression }}) is not null then named_struct(
                {{ fields | join(', ') }}, 'text', {{ expression }}
            ) end)),
            part -> part.text
        ), '{{ separator }}')
    end
{%- endmacro %}

{#- list_rows(expression): a select-list expression giving one row per element of a list
    (DuckDB unnest, Spark explode).

    Arguments:
      expression: SQL expression of a list
-#}
{% macro list_rows(expression) -%}
    {{ return(adapter.dispatch('list_rows', 'segwarehouse')(expression)) }}
{%- endmacro %}

{% macro default__list_rows(expression) -%}
    {{ segwarehouse._no_engine_implementation('list_rows', 'one row per list element') }}
{%- endmacro %}

{% macro duckdb__list_rows(expression) -%}
    unnest({{ expression }})
{%- endmacro %}

{% macro spark__list_rows(expression) -%}
    explode({{ expression }})
{%- endmacro %}

{#- list_has(list_expression, expression): SQL condition, the list holds the value. -#}
{% macro list_has(list_expression, expression) -%}
    {{ return(adapter.dispatch('list_has', 'segwarehouse')(list_expression, expression)) }}
{%- endmacro %}

{% macro default__list_has(list_expression, expression) -%}
    {{ segwarehouse._no_engine_implementation('list_has', 'whether a list holds a value') }}
{%- endmacro %}

{% macro duckdb__list_has(list_expression, expression) -%}
    list_contains({{ list_expression }}, {{ expression }})
{%- endmacro %}

{% macro spark__list_has(list_expression, expression) -%}
    array_contains({{ list_expression }}, {{ expression }})
{%- endmacro %}

{#- value_at_max(value, keys): aggregate, the value on the row with the greatest key (a list of
    SQL expressions compared in order), over the rows where the value is not null (DuckDB's
    arg_max; on Spark max_by, whose key is nulled where the value is). Keys must not be null.

    Arguments:
      value: SQL expression
      keys: list of SQL expressions
-#}
{% macro value_at_max(value, keys) -%}
    {{ return(adapter.dispatch('value_at_max', 'segwarehouse')(value, keys)) }}
{%- endmacro %}

{% macro default__value_at_max(value, keys) -%}
    {{ segwarehouse._no_engine_implementation('value_at_max', 'arg_max') }}
{%- endmacro %}

{% macro duckdb__value_at_max(value, keys) -%}
    arg_max({{ value }}, {{ keys[0] if keys | length == 1 else '(' ~ keys | join(', ') ~ ')' }})
{%- endmacro %}

{% macro spark__value_at_max(value, keys) -%}
    max_by({{ value }}, case when ({{ value }}) is not null then
        {{ keys[0] if keys | length == 1 else 'struct(' ~ keys | join(', ') ~ ')' }} end)
{%- endmacro %}

{#- sorted_distinct_list(expression, condition): aggregate, the distinct non-null values of the
    rows meeting condition, sorted ascending, as a list; null when no row meets it.

    Arguments:
      expression: SQL expression
      condition: SQL condition
-#}
{% macro sorted_distinct_list(expression, condition) -%}
    {{ return(adapter.dispatch('sorted_distinct_list', 'segwarehouse')(expression, condition)) }}
{%- endmacro %}

{% macro default__sorted_distinct_list(expression, condition) -%}
    {{ segwarehouse._no_engine_implementation('sorted_distinct_list', 'a sorted list of distinct values') }}
{%- endmacro %}

{% macro duckdb__sorted_distinct_list(expression, condition) -%}
    list_sort(list_distinct(list({{ expression }}) filter (where {{ condition }})))
{%- endmacro %}

{% macro spark__sorted_distinct_list(expression, condition) -%}
    case
        when count(case when {{ condition }} then 1 end) > 0
            then array_sort(collect_set(case when {{ condition }} then {{ expression }} end))
    end
{%- endmacro %}

{#- list_to_text(expression, separator): the elements of a list joined into one text (nulls
    skipped), null for a null list.

    Arguments:
      expression: SQL expression of a list
      separator: the separator, a Python string (quoted here)
-#}
{% macro list_to_text(expression, separator) -%}
    {{ return(adapter.dispatch('list_to_text', 'segwarehouse')(expression, separator)) }}
{%- endmacro %}

{% macro default__list_to_text(expression, separator) -%}
    {{ segwarehouse._no_engine_implementation('list_to_text', 'a list joined into a text') }}
{%- endmacro %}

{% macro duckdb__list_to_text(expression, separator) -%}
    array_to_string({{ expression }}, '{{ separator }}')
{%- endmacro %}

{% macro spark__list_to_text(expression, separator) -%}
    array_join({{ expression }}, '{{ separator }}')
{%- endmacro %}
