"""Everything that reads the outside world. Data is validated once, here, into typed frames."""

from sources.snapshot import load_snapshot

__all__ = ["load_snapshot"]
