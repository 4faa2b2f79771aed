"""Benchmarks and the tools they need (not imported by the program)."""
