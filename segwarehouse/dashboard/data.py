"""What the dashboard and the report read: the published Parquet files of one publication.

Never the warehouse file, nor the published DuckDB file: a reader's lock on the warehouse makes
the next `dbt build` fail, and a cached read-only connection is such a lock. `serving/current`
is resolved once (realpath) per read of a page, and every file of that page is read under the
folder it points at, so a page never mixes two publications (segwarehouse.tools.publish). Each
query runs on an in-memory DuckDB connection that is closed before the function returns: no
file stays open, and what is cached is the result, keyed by the publication folder.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

SERVING_DIR_ENV = "SERVING_DIR"
MARKER = "_publication.json"  # written last by the publisher: a complete publication

KPIS = "marts.segment_kpis_daily"
SEGMENTS = "marts.segments"
OVERLAP = "marts.segment_overlap"
CONSENT = "compliance.compliance_consent_summary"
VIOLATIONS = "compliance.compliance_exposure_violations"
QUALITY = "marts.data_quality_daily"

# the closed list of reasons of compliance_exposure_violations.compliance_issue, in words
VIOLATION_REASONS = {
    "anonymous_exposure": "no customer key: consent cannot be checked",
    "missing_segment_id": "no segment named",
    "unknown_segment": "a segment not in the registry that day",
    "missing_variant": "no group (treatment or holdout) recorded",
    "unknown_variant": "a group other than treatment or holdout",
    "missing_consent_version": "no consent version recorded",
    "undeclared_consent_version": "a consent version not published for the region",
    "purpose_not_allowed": "no legal ground for the purpose",
    "consent_basis_without_grant": "consent-based segment, customer never granted it",
}

# what staging did with a raw row it logged, in words
DISPOSITIONS = {
    "quarantined": "quarantined (not used)",
    "duplicate": "duplicate (not used)",
    "superseded": "superseded by a newer version",
    "conflict": "conflicting versions (not used)",
    "deleted_customer": "customer asked to be deleted",
    "repaired": "repaired, then used",
    "flagged": "used, with a flag",
    "clean": "nothing logged",
}


@dataclass(frozen=True)
class Publication:
    """One complete publication: its folder (serving/current resolved) and its marker."""

    folder: Path
    stamp: str
    as_of: str | None
    published_at: str | None

    def parquet(self, relation: str) -> Path:
        return self.folder / "parquet" / f"{relation}.parquet"


def serving_dir() -> Path:
    return Path(os.environ.get(SERVING_DIR_ENV, "serving"))


def current_publication(serving: Path) -> Publication | None:
    """The publication `serving/current` points at now, or None when nothing is published."""
    folder = Path(os.path.realpath(serving / "current"))
    marker = folder / MARKER
    if not marker.is_file():
        return None
    meta = json.loads(marker.read_text())
    return Publication(folder, meta["publication"], meta.get("as_of"), meta.get("published_at"))


def query(publication: Publication, sql: str, **relations: str) -> pd.DataFrame | None:
    """Rows of `sql`, where each keyword names a view over a relation's Parquet file
    (`query(p, "from k", k=KPIS)`); None when one of the files is not in the publication."""
    paths = {name: publication.parquet(relation) for name, relation in relations.items()}
    if not all(path.is_file() for path in paths.values()):
        return None
    con = duckdb.connect()  # in memory
    try:
        for name, path in paths.items():
            literal = "'" + str(path).replace("'", "''") + "'"
            con.execute(f'create view "{name}" as from read_parquet({literal})')
        return con.execute(sql).df()
    finally:
        con.close()


# ---------------------------------------------------------------- one query per chart or table

_NAMES = """
    segment_names as (
        select segment_id, any_value(segment_name) as segment_name from segments group by 1
    )
"""


def segment_sizes(publication: Publication) -> pd.DataFrame | None:
    """Members, entries, exits and opt-out exits per segment and day."""
    return query(
        publication,
        f"""
        with {_NAMES}
        select
            k.segment_id,
            coalesce(n.segment_name, k.segment_id) as segment_name,
            k.kpi_date,
            k.members,
            k.members_entered,
            k.members_exited,
            k.members_opted_out
        from kpis as k
        left join segment_names as n using (segment_id)
        order by k.segment_id, k.kpi_date
        """,
        kpis=KPIS,
        segments=SEGMENTS,
    )


_READOUT_COLUMNS = """
    k.segment_id,
    coalesce(n.segment_name, k.segment_id) as segment_name,
    k.kpi_date,
    k.members,
    k.treatment_exposed,
    k.treatment_converted,
    k.holdout_exposed,
    k.holdout_converted,
    k.treatment_conversion_rate,
    k.treatment_conversion_ci_lower,
    k.treatment_conversion_ci_upper,
    k.holdout_conversion_rate,
    k.holdout_conversion_ci_lower,
    k.holdout_conversion_ci_upper,
    k.absolute_lift,
    k.absolute_lift_ci_lower,
    k.absolute_lift_ci_upper,
    k.relative_lift,
    k.lift_p_value,
    k.is_readout_reliable,
    k.exposure_violations
"""


def latest_readouts(publication: Publication) -> pd.DataFrame | None:
    """The experiment read-out of every segment on the latest business day."""
    return query(
        publication,
        f"""
        with {_NAMES}
        select {_READOUT_COLUMNS}
        from kpis as k
        left join segment_names as n using (segment_id)
        where k.kpi_date = (select max(kpi_date) from kpis)
        order by segment_name
        """,
        kpis=KPIS,
        segments=SEGMENTS,
    )


def daily_readouts(publication: Publication) -> pd.DataFrame | None:
    """The experiment read-out of every segment on every recorded day."""
    return query(
        publication,
        f"""
        with {_NAMES}
        select {_READOUT_COLUMNS}
        from kpis as k
        left join segment_names as n using (segment_id)
        order by segment_name, k.kpi_date
        """,
        kpis=KPIS,
        segments=SEGMENTS,
    )


def overlap(publication: Publication) -> pd.DataFrame | None:
    """Shared members and Jaccard index of every ordered pair of segments."""
    return query(
        publication,
        f"""
        with {_NAMES}
        select
            o.segment_id,
            coalesce(a.segment_name, o.segment_id) as segment_name,
            o.other_segment_id,
            coalesce(b.segment_name, o.other_segment_id) as other_segment_name,
            o.members,
            o.other_members,
            o.shared_members,
            o.jaccard_index,
            o.as_of_date
        from overlap as o
        left join segment_names as a on o.segment_id = a.segment_id
        left join segment_names as b on o.other_segment_id = b.segment_id
        order by segment_name, other_segment_name
        """,
        overlap=OVERLAP,
        segments=SEGMENTS,
    )


CONSENT_DIMENSIONS = ("consent_purpose", "privacy_region", "consent_source")


def consent_rates(publication: Publication, *dimensions: str) -> pd.DataFrame | None:
    """Choices, opt-outs (denials and withdrawals) and GPC signals per combination of
    `dimensions`, rates recomputed from the counts (never an average of rates)."""
    unknown = set(dimensions) - set(CONSENT_DIMENSIONS)
    if unknown or not dimensions:
        raise ValueError(f"dimensions must be among {CONSENT_DIMENSIONS}, got {dimensions}")
    columns = ", ".join(dimensions)
    return query(
        publication,
        f"""
        select
            {columns},
            sum(choices) as choices,
            sum(grant_choices) as grant_choices,
            sum(denials) as denials,
            sum(withdrawals) as withdrawals,
            sum(gpc_signals) as gpc_signals,
            (sum(denials) + sum(withdrawals)) / nullif(sum(choices), 0) as opt_out_rate,
            sum(withdrawals) / nullif(sum(choices), 0) as withdrawal_rate,
            sum(gpc_signals) / nullif(sum(choices), 0) as gpc_share
        from consent
        group by all
        order by all
        """,
        consent=CONSENT,
    )


def violations(publication: Publication) -> pd.DataFrame | None:
    """Exposure violations counted per day, segment and reason (an exposure with two reasons
    counts once under each), the reason also in words (`reason_text`). No customer key: the
    page shows counts only."""
    frame = query(
        publication,
        f"""
        with {_NAMES},
        reasons as (
            select
                exposure_id,
                coalesce(segment_id, '(no segment)') as segment_id,
                exposure_date,
                trim(unnest(string_split(compliance_issue, ';'))) as reason
            from violations
        )
        select
            r.exposure_date,
            r.segment_id,
            coalesce(n.segment_name, r.segment_id) as segment_name,
            r.reason,
            count(*) as exposures
        from reasons as r
        left join segment_names as n using (segment_id)
        group by all
        order by all
        """,
        violations=VIOLATIONS,
        segments=SEGMENTS,
    )
    if frame is not None:
        frame["reason_text"] = frame["reason"].map(VIOLATION_REASONS).fillna(frame["reason"])
    return frame


def violation_count(publication: Publication) -> pd.DataFrame | None:
    """One row: the exposures with a violation (each once, whatever its reasons)."""
    return query(publication, "select count(*) as exposures from violations", violations=VIOLATIONS)


def data_quality(publication: Publication) -> pd.DataFrame | None:
    """Rows logged per day, raw table, disposition and reason (marts.data_quality_daily), with
    the disposition in words (`what_happened`)."""
    frame = query(
        publication,
        """
        select
            as_of_date,
            source_name,
            source_table,
            source_name || '.' || source_table as raw_table,
            disposition,
            reason,
            logged_rows,
            raw_rows,
            share_of_raw_rows
        from quality
        order by all
        """,
        quality=QUALITY,
    )
    if frame is not None:
        frame["what_happened"] = frame["disposition"].map(DISPOSITIONS).fillna(frame["disposition"])
    return frame
