"""The view model of a note: the only values templates see.

Each field of :class:`NoteContext` becomes a top-level template variable of the same name
(``as_of``, ``story``, ``facts``...). ``tests/render/test_context.py`` checks that templates
read no other variable and that every field documents itself with ``metadata["help"]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import pandas as pd

from models import ChartRef, DataGap, Fact, Story


@dataclass(frozen=True)
class NoteContext:
    """Everything one market note shows, already decided; templates only phrase and lay out."""

    as_of: pd.Timestamp = field(
        metadata={"help": "When the note is written (UTC); only data known then was used."}
    )
    demo: bool = field(
        metadata={"help": "True when the snapshot is generated demo data; shows a banner."}
    )
    assets: tuple[str, ...] = field(
        metadata={"help": "Asset codes covered, lead asset first, e.g. ('BTC', 'ETH')."}
    )
    story: Story = field(
        metadata={"help": "Headline facts, key-takeaway facts and the sections, in order."}
    )
    facts: Mapping[str, Fact] = field(
        metadata={
            "help": "Every fact of the note by Fact.key, e.g. 'BTC:price.last' (the summary "
            "picks its row with the glance filter)."
        }
    )
    charts: Mapping[str, tuple[ChartRef, ...]] = field(
        metadata={
            "help": "Charts by asset code ('market' for market-wide ones), each shown in its "
            "ChartRef.section after that asset's paragraph there (market: the section's "
            "market-wide paragraph); section 'appendix' (the base-rate charts) only in the "
            "appendix, beside the cases."
        }
    )
    sources: tuple[str, ...] = field(
        metadata={"help": "Human names of every source the note cites, e.g. 'Binance spot'."}
    )
    gaps: tuple[DataGap, ...] = field(
        metadata={
            "help": "Datasets absent from the snapshot (newest None) or stale at as-of, stated "
            "plainly under the summary; each section also says which of its datasets are "
            "absent."
        }
    )
    snapshot_created_at: pd.Timestamp = field(
        metadata={"help": "When the input snapshot was taken (UTC)."}
    )
    generator: str = field(
        metadata={"help": "Program and version that wrote the note, e.g. 'marketnotes 0.1.0'."}
    )
    title: str = field(
        default="",
        metadata={
            "help": "The headline (HTML), chosen by the renderer from story.headline to fit "
            "its word budget; empty until then."
        },
    )
    windows: Mapping[str, tuple[pd.Timestamp, pd.Timestamp]] = field(
        default_factory=dict,
        metadata={
            "help": "Optional: first and last data time used, by source name, for the "
            "Sources section; a source without an entry is listed without its window."
        },
    )

    def variables(self) -> dict[str, Any]:
        """The template variables: one per field, under the field's name."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def documented_fields() -> dict[str, str]:
    """Each context field's name and help text (for docs and the contract test)."""
    return {f.name: f.metadata["help"] for f in fields(NoteContext)}
