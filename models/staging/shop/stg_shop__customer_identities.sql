-- RESTRICTED: the only model that holds customers' e-mail addresses and names, for the
-- identity resolution and data-subject request desk. No other model may select from it
-- (tests/python checks the built warehouse and the manifest). It lives in its own database
-- file, the identity file attached by the profile as catalog `restricted` (owner-only, see
-- profiles.yml), so the warehouse file holds no e-mail or name at all: set here because it is
-- the one exception to the staging folder's database and schema (macro identity_location: on
-- Spark, schema `restricted` of the catalog, to be granted to the identity desk only).
{%- set identity = identity_location() %}
{{ config(
    database=identity.database, schema=identity.schema, meta={'contains_personal_data': true}
) }}

with

base_customers as (
    select * from {{ ref('base_shop__customers') }}
),

final as (
    select
        {{ pseudonymize('customer_id', 'customer_id') }} as customer_key,
        customer_id,
        {{ pseudonymize('email', 'email') }} as email_key,
        email,
        first_name,
        last_name,
        has_valid_email
    from base_customers
    where disposition = 'staged'
)

select * from final
