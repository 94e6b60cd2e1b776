{#- The default of a dispatched macro that has no portable SQL: fails the compile naming the
    macro, the adapter and what its implementation must do.

    Arguments:
      macro_name: the dispatched macro
      recipe: what <adapter>__<macro_name> must compute (optional)
-#}
{% macro _no_engine_implementation(macro_name, recipe=none) -%}
    {{ exceptions.raise_compiler_error(
        macro_name ~ " has no implementation for the " ~ adapter.type() ~ " adapter: add "
        ~ adapter.type() ~ "__" ~ macro_name ~ (" (" ~ recipe ~ ")" if recipe else "")
    ) }}
{%- endmacro %}
