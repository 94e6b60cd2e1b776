-- Every version of every segment in the registry (config.meta.segment_registry of this model's
-- YAML, or var segment_registry), validated by validate_segment_registry: the build fails here
-- naming each bad segment and version. Reads no other model.
{%- set override = var('segment_registry', none) %}
{%- set entries = override if override is not none
    else (config.get('meta') or {}).get('segment_registry') %}
{%- set origin = 'var segment_registry' if override is not none
    else 'config.meta.segment_registry of int_segment_versions_validated' %}
with

registry as (
    {%- if execute %}{{ segment_registry_rows(entries, origin) }}
    {%- else %}
    select 1 as segment_id
    {%- endif %}
),

final as (
    select * from registry
)

select * from final
