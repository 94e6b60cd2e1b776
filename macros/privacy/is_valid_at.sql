{#- Whether a period [valid_from, valid_to) holds at the instant `at`; a null valid_from means
    "since always", a null valid_to "still open". Used for consent-as-of lookups.

    Arguments:
      at: SQL expression of the instant (timestamp)
      valid_from: column of the period's start (default 'valid_from')
      valid_to: column of the period's end, exclusive (default 'valid_to')
-#}
{% macro is_valid_at(at, valid_from='valid_from', valid_to='valid_to') -%}
    (({{ valid_from }} is null or {{ valid_from }} <= {{ at }}) and ({{ valid_to }} is null or {{ at }} < {{ valid_to }}))
{%- endmacro %}
