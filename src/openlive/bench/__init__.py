"""Benchmarks run by ``openlive bench NAME``: each prints a table and saves it under bench/results/."""
