{#- The privacy regime of an account from its country and state codes (uppercase ISO codes):
    'us_ca' (California: CCPA/CPRA, opt-out), 'us_other' (other US states, opt-out), 'eu'
    (GDPR, opt-in: EU member states listed in var eu_country_codes), 'uk' (UK GDPR, opt-in),
    'other'.

    Arguments:
      country_code: expression of the ISO-3166 alpha-2 country
      state_code: expression of the state or province code
-#}
{% macro privacy_region(country_code, state_code) -%}
    {%- set eu = var('eu_country_codes', [
        'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE',
        'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE'
    ]) -%}
    case
        when {{ country_code }} = 'US' and {{ state_code }} = 'CA' then 'us_ca'
        when {{ country_code }} = 'US' then 'us_other'
        when {{ country_code }} = 'GB' then 'uk'
        when {{ country_code }} in ({% for code in eu %}'{{ code }}'{{ ", " if not loop.last }}{% endfor %}) then 'eu'
        else 'other'
    end
{%- endmacro %}
