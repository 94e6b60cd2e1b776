"""The demo-data generator: raw tables of a fictitious jewellery retailer (``python -m
segwarehouse.generate``). Not needed by the build, which reads whatever raw data it is given.

Modules: ``cli`` (arguments, the order of the stages, writing the files), ``model`` (customers,
products, consent), ``orders`` (orders, lines, returns, exposures), ``events`` (web/app events),
``util`` (seeded generators, defects, Parquet writing).
"""

from segwarehouse.generate.cli import TABLES, generate, main

__all__ = ["TABLES", "generate", "main"]
