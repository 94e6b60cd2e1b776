"""Tools around the build, each a ``python -m segwarehouse.tools.<name>`` command: ``simulate``
(daily business days), ``history`` (roll history back), ``publish`` (the serving copy BI tools
read), ``summary`` (the run's summary), ``bench`` (benchmarks), ``cli_vars`` (checks --vars
before dbt reads them), ``pandas_btyd`` (the pandas oracle of the buy-till-you-die summary),
``raw_contract_doc`` (writes the per-table part of docs/raw-data-contract.md from the staging
spec).
"""
