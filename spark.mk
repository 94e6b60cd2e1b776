# The Spark target (profiles.yml, output `spark`: dbt-spark's session method, Iceberg tables),
# included by the Makefile. Its jars, warehouse and smoke check live under .spark/.
#   make spark-deps    dbt-spark + pyspark 3.5 (requirements-spark.lock), Java 17, the two jars
#   make spark-smoke   a tiny dbt project built three times on the spark target, SCD2 checked
#   make build-spark   the project's dbt build on the spark target, on the demo raw data
#   make test-spark    the Spark tests: smoke, macros against DuckDB's, parity of the engines
SPARK_STAMP := $(VENV)/.installed-spark
export SPARK_JARS_DIR ?= $(CURDIR)/.spark/jars
export SPARK_WAREHOUSE_DIR ?= $(CURDIR)/.spark/warehouse
# Spark's driver on the loopback interface (else it picks the host's first address and warns)
export SPARK_LOCAL_IP ?= 127.0.0.1

.PHONY: spark-deps spark-smoke build-spark test-spark parity

# The lock holds only what the Spark target adds to requirements.lock (none of its versions
# change), installed on top of it like requirements.lock (see UV in the Makefile). Java: Debian's
# 17 when no `java` is found (as root, or through sudo), then checked (17 or later). The jars are
# checked on every call (a fraction of a second) and rebuilt only when missing or changed.
spark-deps: $(SPARK_STAMP)
	$(BIN)/python -m segwarehouse.spark.jars --out $(SPARK_JARS_DIR)

$(SPARK_STAMP): $(STAMP) requirements-spark.lock
	$(BIN)/uv pip install --quiet --native-tls --compile-bytecode --python $(BIN)/python \
		-r requirements-spark.lock
	@command -v java >/dev/null || { \
		echo "installing Debian package: openjdk-17-jre-headless"; \
		sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$sudo apt-get update -qq; \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends \
			openjdk-17-jre-headless >/dev/null; }
	$(BIN)/python -m segwarehouse.spark.java
	@touch $@

# Three dbt builds of about 20-40 s each (the JVM's start and Iceberg's commits dominate), in a
# warehouse of its own (.spark/smoke/, made afresh).
spark-smoke: spark-deps
	$(BIN)/python -m segwarehouse.spark.smoke

# The same `dbt build` as make build, on Spark + Iceberg (warehouse in SPARK_WAREHOUSE_DIR).
build-spark: spark-deps data
	$(BIN)/python -m segwarehouse.tools.cli_vars '$(VARS)'
	$(BIN)/dbt build --target spark --vars '$(VARS)'

test-spark: spark-deps
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup -m spark --durations=5

# Both engines over the last PARITY_DAYS days of the demo data, every relation compared (a
# benchmark at the default scale: about 20 min of Spark on 2 cores).
PARITY_DAYS ?= 3
parity: spark-deps data
	$(BIN)/python -m segwarehouse.spark.parity --raw $(RAW_DATA_DIR) --days $(PARITY_DAYS)
