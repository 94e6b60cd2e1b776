{#- The legal ground on which a customer's data is processed for a purpose at a moment (doc
    block legal_ground), from the consent period in force then (int_consent_periods_derived)
    and the notice in force in the customer's region that day (int_privacy_notices_sequenced):
      'consent'         an unexpired grant of the purpose (in any regime);
      'opt_out_notice'  an opt-out regime and the customer has not opted out (no choice, or a
                        grant that expired): processed under the notice in force, never consent;
      null              no legal ground: the purpose is not allowed (not granted under opt-in,
                        denied, withdrawn, deleted), or no notice was in force.

    Arguments:
      period: alias of the consent period (columns period_status, is_allowed)
      notice: alias of the notice in force that day (column consent_version; null when none)
-#}
{% macro legal_ground(period, notice) -%}
    case
        when not coalesce({{ period }}.is_allowed, false) then null
        when {{ period }}.period_status = 'granted' then 'consent'
        when {{ notice }}.consent_version is not null then 'opt_out_notice'
    end
{%- endmacro %}
