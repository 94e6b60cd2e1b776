{#- Whether the purpose named by purpose_column is allowed, read from the relation's
    is_<purpose>_allowed columns (one per consent_purposes()); null for an unknown purpose.
    The one place that maps a segment's required_purpose to a consent flag.
    Arguments:
      purpose_column: SQL expression giving the purpose name (e.g. 'versions.required_purpose')
      relation: alias of the relation holding the is_<purpose>_allowed columns
-#}
{% macro purpose_allowed(purpose_column, relation) -%}
    case {{ purpose_column }}
        {%- for purpose in consent_purposes() %}
        when '{{ purpose }}' then {{ relation }}.is_{{ purpose }}_allowed
        {%- endfor %}
    end
{%- endmacro %}
