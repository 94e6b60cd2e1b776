-- The privacy notice (consent text version) in force in each privacy region, as date periods
-- [valid_from, valid_to): one row per (region, version of the region's jurisdiction), from its
-- published_on to the next version's published_on (null: still in force). The notice in force
-- on day D is the row with valid_from <= D < valid_to: the latest version published on or
-- before D. The one place that says which notice a customer is processed under in an opt-out
-- regime (read with is_valid_at on a date; macros legal_ground and legal_ground_version).
with

privacy_regimes as (
    select * from {{ ref('privacy_regimes') }}
),

consent_versions as (
    select * from {{ ref('consent_versions') }}
),

final as (
    select
        privacy_regimes.privacy_region,
        privacy_regimes.notice_jurisdiction,
        privacy_regimes.consent_model,
        consent_versions.consent_version,
        consent_versions.published_on as valid_from,
        lead(consent_versions.published_on) over (
            partition by privacy_regimes.privacy_region
            order by consent_versions.published_on
        ) as valid_to
    from privacy_regimes
    inner join consent_versions
        on privacy_regimes.notice_jurisdiction = consent_versions.jurisdiction
)

select * from final
