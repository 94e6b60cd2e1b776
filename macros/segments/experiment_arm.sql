{#- The experiment arm of a member: 'holdout' when a salted hash of (customer key, segment id,
    consent_version) falls below holdout_pct, else 'treatment'. Deterministic (a customer keeps
    the arm from day to day), independent across segments, and re-randomized by a new
    consent_version. The hash is SHA-256 of the salted key; its first 52 bits give a uniform
    number in [0, 1).

    Arguments:
      customer_key: SQL expression of the pseudonymous customer key
      segment_id: SQL expression of the segment id
      consent_version: SQL expression of the consent_version in force (null counts as '')
      holdout_pct: SQL expression of the holdout share in [0, 1]
      salt: salt of the assignment (default var holdout_salt); change it only to start afresh
-#}
{% macro experiment_arm(customer_key, segment_id, consent_version, holdout_pct, salt=none) -%}
    case
        when {{ arm_uniform(customer_key, segment_id, consent_version, salt) }} < {{ holdout_pct }}
            then 'holdout'
        else 'treatment'
    end
{%- endmacro %}

{#- The uniform number in [0, 1) behind experiment_arm (see there for the arguments). -#}
{% macro arm_uniform(customer_key, segment_id, consent_version, salt=none) -%}
    {{ return(adapter.dispatch('arm_uniform', 'segwarehouse')(customer_key, segment_id, consent_version, salt)) }}
{%- endmacro %}

{#- No portable SQL hash exists: each engine adds <adapter>__arm_uniform with the same recipe. -#}
{% macro default__arm_uniform(customer_key, segment_id, consent_version, salt=none) -%}
    {{ segwarehouse._no_engine_implementation('arm_uniform', 'first 52 bits of SHA-256 of the salted key, over 2^52') }}
{%- endmacro %}

{% macro duckdb__arm_uniform(customer_key, segment_id, consent_version, salt=none) -%}
    {%- set salt = salt if salt is not none else var('holdout_salt') -%}
    (cast(
        cast('0x' || left(sha256(concat_ws('|', '{{ salt }}', {{ customer_key }}, {{ segment_id }}, coalesce({{ consent_version }}, ''))), 13) as bigint)
        as double
    ) / 4503599627370496.0)
{%- endmacro %}

{% macro spark__arm_uniform(customer_key, segment_id, consent_version, salt=none) -%}
    {%- set salt = salt if salt is not none else var('holdout_salt') -%}
    (cast(
        cast(conv(left(sha2(concat_ws('|', '{{ salt }}', {{ customer_key }}, {{ segment_id }}, coalesce({{ consent_version }}, '')), 256), 13), 16, 10) as bigint)
        as double
    ) / 4503599627370496.0)
{%- endmacro %}
