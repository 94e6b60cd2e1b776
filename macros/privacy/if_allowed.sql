{#- A feature value only where its consent purpose is allowed: the expression when the
    customer's is_<purpose>_allowed column is true, else null (never a guessed value).

    Arguments:
      expression: SQL expression of the feature
      purpose: consent purpose the feature needs (analytics, personalization, marketing_email,
               sale_sharing)
      relation: optional alias of the relation holding is_<purpose>_allowed
-#}
{% macro if_allowed(expression, purpose, relation=none) -%}
    {%- if purpose not in consent_purposes() -%}
        {{ exceptions.raise_compiler_error("if_allowed: unknown consent purpose '" ~ purpose ~ "'") }}
    {%- endif -%}
    case when {{ relation ~ '.' if relation }}is_{{ purpose }}_allowed then {{ expression }} end
{%- endmacro %}
