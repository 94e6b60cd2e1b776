{#- The notice or consent version a customer's data is processed under for a purpose at a
    moment: the version of the grant when the legal ground is 'consent', the notice in force
    in the customer's region that day when it is 'opt_out_notice', null without a legal ground
    (macro legal_ground).

    Arguments:
      period: alias of the consent period (columns period_status, is_allowed, consent_version)
      notice: alias of the notice in force that day (column consent_version; null when none)
-#}
{% macro legal_ground_version(period, notice) -%}
    case {{ legal_ground(period, notice) }}
        when 'consent' then {{ period }}.consent_version
        when 'opt_out_notice' then {{ notice }}.consent_version
    end
{%- endmacro %}
