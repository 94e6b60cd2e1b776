"""Every version of every segment in segments/registry.yml, validated, with its definition hash.

The build fails here, naming the segment and version, when a spec is incomplete, names an unknown
column or consent purpose, has overlapping versions, puts a high-risk segment on a basis other
than consent, or has a rule that is not a plain predicate over customer_features.
"""

from pathlib import Path

from segwarehouse import registry


def model(dbt, session):
    dbt.config(materialized="table")
    features = dbt.ref("customer_features")
    configured = dbt.config.get("registry_path") or ""
    path = Path(configured) if configured else registry.default_path()
    return registry.load(path, feature_columns=features.columns)
