"""Every version of every segment in the registry file, validated, with its definition hash.

The registry is found relative to the root of the dbt project being built (config
registry_path, var segment_registry_path), never from the environment or the working directory.
The build fails here, naming the segment and version, when a spec is incomplete, names an
unknown consent purpose, has overlapping versions, puts a high-risk segment on a basis other than
consent, or has a rule that is not a plain predicate; and when the file's sha256 is not the one
recorded in config registry_sha256 (so state:modified and docs see every registry change).
Whether the feature columns exist in customer_features is a data test (segment_features_exist):
this model reads no other model.
"""

from pathlib import Path

from dbt.flags import get_flags

from segwarehouse import registry


def model(dbt, session):
    dbt.config(materialized="table")
    root = Path(get_flags().PROJECT_DIR).resolve()
    path = root / dbt.config.get("registry_path")
    recorded = dbt.config.get("registry_sha256")
    purposes = dbt.config.get("consent_purposes").split(",")
    table = registry.load(path, purposes=purposes)
    if path.resolve() == (root / registry.PROJECT_REGISTRY).resolve():
        registry.check_recorded_hash(path, recorded)
    return table
