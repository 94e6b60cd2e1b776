{#- numerator / denominator as a double, null when the denominator is 0 or null (or the
    numerator is null). Both sides are cast to double first, so integers never divide as
    integers (no truncation), whatever DuckDB's integer_division setting.

    Arguments:
      numerator: SQL expression
      denominator: SQL expression
-#}
{% macro safe_divide(numerator, denominator) -%}
    (cast(({{ numerator }}) as double) / nullif(cast(({{ denominator }}) as double), 0))
{%- endmacro %}
