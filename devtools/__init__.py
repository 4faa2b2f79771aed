"""Helpers shared by the tests and the benchmarks: loopback servers standing in for the network.

Nothing the program runs imports this package; ``tests/`` and ``bench/`` do (and ``bench/``
imports nothing from ``tests/``).
"""
