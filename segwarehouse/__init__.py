"""Python side of the consent-aware customer segmentation warehouse, by role.

- what the build needs: ``dbt_plugin`` (the DuckDB plugin of the profile: pseudonymization key,
  identity file);
- ``generate``: the demo-data generator (``python -m segwarehouse.generate``);
- ``tools``: commands around the build (simulate, history, publish, summary, bench, cli_vars).
"""
