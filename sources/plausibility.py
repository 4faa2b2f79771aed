"""Plausibility of gathered prices: a row that jumps away from its neighbours is quarantined
unless the other market moved alike.

A feed can send an hourly close a thousand times too high, and the note would then report a
record high at $115 million. ``suspects`` flags the rows whose prices lie beyond the dataset's
``jump`` factor (``datasets.DatasetSpec.jump``) from the median close of their neighbours (the
five rows on each side; the newest row has only those before it); the median shrugs off one bad
row, so only the spike is flagged, not the rows around it. A suspect is then compared with the
other market's row at the same time (spot candles with the perpetual's,
``sources.base.Reference``): if that market shows
the same prices, or made the same jump, the move was real and the row is kept; otherwise, or
when no other market can tell, it is quarantined (left out of the snapshot and the store) and
the manifest says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from datasets import DATASETS

PRICES = ("open", "high", "low", "close")
NEIGHBOURS = 5
"""Rows on each side whose median close is a row's reference."""
AGREE = 1.1
"""The other market shows "the same price" within this factor (spot and perpetual differ by
well under 1 % outside the wildest minutes)."""
MOST_SUSPECTS = 10
"""More suspects than this in one table: the feed is broken, not spiking (the source fails)."""


@dataclass(frozen=True)
class Verdict:
    """The rows of a table kept, the times quarantined, and what to say about them."""

    frame: pd.DataFrame
    quarantined: tuple[pd.Timestamp, ...] = ()
    note: str | None = None


def suspects(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """The rows of ``frame`` (``time`` first) whose prices jump beyond dataset ``name``'s
    factor from their reference (the median close of their neighbours), with that reference
    (column ``reference``)."""
    spec = DATASETS[name]
    columns = [c for c in PRICES if c in frame]
    if spec.jump is None or len(frame) < 2 or not columns:
        return frame.iloc[0:0].assign(reference=pd.Series(dtype=float))
    close = frame["close"].reset_index(drop=True)
    around = [close.shift(k) for k in range(-NEIGHBOURS, NEIGHBOURS + 1) if k]
    reference = np.nanmedian(np.column_stack(around), axis=1)
    ratio = frame[columns].to_numpy(dtype="float64") / reference[:, None]
    flagged = ((ratio > spec.jump) | (ratio < 1 / spec.jump)).any(axis=1)
    found: pd.DataFrame = frame.loc[flagged].assign(reference=reference[flagged])
    return found


def judge(
    frame: pd.DataFrame,
    name: str,
    flagged: pd.DataFrame,
    other: pd.DataFrame,
    market: str,
    unknown: str,
) -> Verdict:
    """``frame`` without the ``flagged`` rows that the ``other`` market's rows (``time`` and
    prices) do not confirm; ``market`` names it, ``unknown`` says why a row has no match."""
    if flagged.empty:
        return Verdict(frame)
    jump = DATASETS[name].jump or 1.0
    columns = [c for c in PRICES if c in flagged]
    times = pd.DatetimeIndex(flagged["time"])
    mine = flagged[columns].to_numpy("float64")
    closes = flagged["close"].to_numpy("float64")
    references = flagged["reference"].to_numpy("float64")
    theirs = other.set_index("time").reindex(times, columns=columns).to_numpy("float64")
    out: list[pd.Timestamp] = []
    said: list[str] = []
    for i, t in enumerate(times):
        known = not np.isnan(theirs[i]).any()
        if known and _alike(mine[i], theirs[i], float(references[i]), jump):
            continue
        out.append(t)
        seen = f"{market}: {theirs[i][columns.index('close')]:g}" if known else unknown
        said.append(f"{t:%Y-%m-%dT%H:%MZ} close {closes[i]:g} against {references[i]:g} ({seen})")
    if not out:
        return Verdict(frame)
    kept = frame[~frame["time"].isin(out)].reset_index(drop=True)
    note = f"quarantined {len(out)} implausible row(s): " + "; ".join(said[:3])
    return Verdict(kept, tuple(out), note + ("; ..." if len(said) > 3 else ""))


def _alike(mine: np.ndarray, theirs: np.ndarray, reference: float, jump: float) -> bool:
    """Whether the other market confirms a row: each price within ``AGREE`` of its own, or
    beyond the jump from the same reference on the same side (it made the same move)."""
    same = (mine / theirs <= AGREE) & (theirs / mine <= AGREE)
    up, down = mine / reference > jump, mine / reference < 1 / jump
    moved = (up & (theirs / reference > jump)) | (down & (theirs / reference < 1 / jump))
    calm = ~(up | down)
    return bool((same | moved | calm).all())
