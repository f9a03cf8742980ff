"""CID Graph's benchmarks: speed as ratios against raw DuckDB SQL on the same data."""
