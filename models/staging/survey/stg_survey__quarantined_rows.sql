-- The quarantine log of the survey source: every raw answer that was not staged (quarantined
-- with a reason, or removed as a duplicate), pointing at the raw file and row.
with

survey_responses as (
    {{ quarantine_rows('base_survey__survey_responses', 'survey_responses', 'response_id') }}
),

final as (
    select * from survey_responses
)

select * from final
