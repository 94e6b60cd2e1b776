-- All raw event rows, parsed, checked and pseudonymized, with their disposition. An event with
-- a missing key or device id, an unknown customer, an unexpected type, unparseable properties,
-- an unparseable, implausible or future time, or an event time after its receipt is
-- quarantined. Among copies of one event_id the first received is kept (ties: the smaller
-- content_hash); a copy with other content (received_at aside) is a conflict, not a duplicate.
--
-- Incremental by delivery file: raw events arrive as daily deliveries
-- (events/delivered_date=YYYY-MM-DD/*.parquet). Each run reads only the files it has not
-- loaded yet, among the deliveries of the last var delivery_lookback_days days before the
-- newest one loaded (older folders are skipped by name, unopened), and appends their rows; a
-- valid copy of an event_id staged by an earlier load is a duplicate (a conflict if its
-- content differs: the earlier row stays). Re-running a day reads
-- no file twice. Ids of people are stored only as keys, properties only as the fields used.
--
-- Copies of one event are ranked only for the event ids that occur more than once in the batch
-- (a narrow aggregate on the id), not by a window over every row and column, which at a year
-- of events spilled most of the batch to disk.
{%- set since = delivery_window_start() %}
with

-- not materialized: read twice (the id aggregate and the rows), streamed each time
source as {{ cte_not_materialized() }} (
    select * from {{ raw_source('tracking', 'events', delivered_since=since) }}
    {%- if is_incremental() %}
    where source_file not in (
        select loaded.source_file from {{ this }} as loaded
        where
            loaded.source_file is not null
            {%- if since is not none %}
            and loaded.delivered_date >= {{ since }}
            {%- endif %}
    )
    {%- endif %}
),

parsed as (
    select
        source_file,
        source_row_number,
        delivered_date,
        {{ staged_columns('tracking', 'events') }}
    from source
),

erasures_checked as (
    select
        *,
        coalesce({{ json_is_object('properties') }}, true) as has_valid_properties,
        {{ is_erased_customer('customer_id') }} as is_erased
    from parsed
),

-- ids of people become keys here, and never for an erased customer's rows
properties_parsed as (
    select
        *,
        case when not is_erased then {{ pseudonymize('anonymous_id', 'anonymous_id') }} end
            as anonymous_key,
        case when not is_erased then {{ pseudonymize('customer_id', 'customer_id') }} end
            as customer_key,
        case when not is_erased then {{ pseudonymize('session_id', 'session_id') }} end
            as session_key
    from erasures_checked
),

-- what the event says, over keys (a digest of raw ids is not stored); not when or in which
-- delivery the collector received it
hashed as (
    select
        *,
        {{ content_hash(staged_content('tracking', 'events')) }} as content_hash
    from properties_parsed
),

-- not materialized: the copy ranks read only the rows of repeated ids from it
checked as {{ cte_not_materialized() }} (
    select
        *,
        {{ quarantine_reason(staged_checks('tracking', 'events') + [
            check_known('customer_id', 'base_shop__customers', 'customer_id'),
        ]) }} as quarantine_reason
    from hashed
),

repeated_ids as (
    select {{ clean_identifier('event_id') }} as event_id
    from source
    group by all
    having count(*) > 1
),

copy_ranks as (
    select
        source_file,
        source_row_number,
        row_number() over (
            partition by event_id
            order by received_at, content_hash, source_file, source_row_number
        ) as copy_rank,
        first_value(content_hash) over (
            partition by event_id
            order by received_at, content_hash, source_file, source_row_number
        ) as kept_hash
    from checked
    where
        quarantine_reason is null
        and not is_erased
        and event_id in (select repeated_ids.event_id from repeated_ids)
),

earlier_staged as (
    -- event_ids of this batch that an earlier load already staged
    {% if is_incremental() %}
        select
            loaded.event_id,
            loaded.content_hash
        from {{ this }} as loaded
        inner join (select distinct event_id from checked) as batch
            on loaded.event_id = batch.event_id
        where loaded.disposition = 'staged'
    {% else %}
        select
            cast(null as string) as event_id,
            cast(null as string) as content_hash
        where false
    {% endif %}
),

ranked as (
    select
        checked.*,
        copy_ranks.copy_rank,
        copy_ranks.kept_hash,
        earlier_staged.content_hash as earlier_hash
    from checked
    left join copy_ranks
        on
            checked.source_file = copy_ranks.source_file
            and checked.source_row_number = copy_ranks.source_row_number
    left join earlier_staged
        on checked.event_id = earlier_staged.event_id
),

final as (
    select
        source_file,
        source_row_number,
        delivered_date,
        event_id,
        anonymous_key,
        customer_key,
        session_key,
        product_id,
        case when has_valid_properties then {{ json_text('properties', 'order_id') }} end
            as order_id,
        case when has_valid_properties then {{ json_text('properties', 'segment_id') }} end
            as segment_id,
        case when has_valid_properties then {{ json_text('properties', 'campaign_id') }} end
            as campaign_id,
        case
            when has_valid_properties
                then lower({{ json_text('properties', 'variant') }})
        end as experiment_variant,
        case
            when has_valid_properties
                then lower({{ json_text('properties', 'consent_version') }})
        end as consent_version,
        event_type,
        platform,
        event_at,
        received_at,
        quarantine_reason,
        content_hash,
        {{ disposition(
            ['event_id'],
            'received_at',
            earlier_hash='earlier_hash',
            copy_rank='copy_rank',
            kept_hash='kept_hash',
            erased='is_erased'
        ) }} as disposition
    from ranked
)

select * from final
