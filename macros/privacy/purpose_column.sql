{#- The value of the per-purpose column <purpose>_<suffix> for the purpose named by
    purpose_column (e.g. personalization_legal_ground), read from a relation with one such
    column per consent_purposes(); null for an unknown purpose.

    Arguments:
      purpose_column: SQL expression giving the purpose name (e.g. 'versions.required_purpose')
      relation: alias of the relation holding the <purpose>_<suffix> columns
      suffix: the column suffix (legal_ground, legal_ground_version)
-#}
{% macro purpose_column(purpose_column, relation, suffix) -%}
    case {{ purpose_column }}
        {%- for purpose in consent_purposes() %}
        when '{{ purpose }}' then {{ relation }}.{{ purpose }}_{{ suffix }}
        {%- endfor %}
    end
{%- endmacro %}
