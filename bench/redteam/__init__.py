"""An independent red-team harness for CID Graph's privacy model.

It generates its own Nordic network in the data contract (``network``), loads it with the real
CLI and talks to the real API (``harness``), tries to recover other organizations' figures
(``attacks``), measures the accuracy of published network numbers (``utility``) and writes a
report (``report``; ``python -m bench.redteam``). The truth of every check is computed by DuckDB
SQL over the raw contract files (``truth``), never from the warehouse. Nothing here reuses the
project's demo generator or its attack suite.
"""
