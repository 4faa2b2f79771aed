"""Settings: every key with its default and help text, read once from an optional TOML file.

``load_settings(path)`` merges, in order: the defaults below < the TOML file < the command line
(done by ``generate.py``). Secrets are never in the file: a setting names the environment
variable that holds one (``*_env`` keys), and ``Settings.secret()`` reads it, the only place
outside tests that reads ``os.environ``. ``docs/settings.md`` is generated from these
dataclasses (``python -m settings``) and a test keeps it current.

To add a setting: a field with ``metadata={"help": ...}`` on the section's dataclass.
"""

from __future__ import annotations

import dataclasses
import inspect
import ipaddress
import os
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar, get_type_hints

from datasets import REGISTRY
from errors import InputError

T = TypeVar("T")

ROOT = Path(__file__).resolve().parent

DEMO_SNAPSHOT = ROOT / "demo" / "snapshot"
"""The bundled demo snapshot, written by ``python -m demo``."""

OUTPUT_DIR = ROOT / "output"
"""Where briefs are written: ``<OUTPUT_DIR>/<YYYY-MM-DD>/``."""

FORMATS = ("html", "pdf", "json", "txt")
"""Every output format; ``--formats`` picks a subset."""

DOC_PATH = ROOT / "docs" / "settings.md"

CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "marketnotes"
"""Disposable caches (compiled templates), under ``$XDG_CACHE_HOME`` or ``~/.cache``."""


def _help(text: str) -> dict[str, str]:
    return {"help": text}


@dataclass(frozen=True)
class BriefSettings:
    """What a brief covers and where it goes."""

    assets: tuple[str, ...] = field(
        default=(), metadata=_help("Asset codes to cover; empty means every asset of the snapshot.")
    )
    out: Path = field(
        default=OUTPUT_DIR, metadata=_help("Output folder; each brief goes to OUT/YYYY-MM-DD/.")
    )
    formats: tuple[str, ...] = field(
        default=FORMATS,
        metadata=_help("Outputs to write: any of html, pdf, json, txt (the note as plain text)."),
    )

    def __post_init__(self) -> None:
        unknown = sorted(set(self.formats) - set(FORMATS))
        if unknown or not self.formats:
            raise InputError(
                f"formats: unknown {', '.join(unknown) or 'empty list'} "
                f"(choose from {','.join(FORMATS)})"
            )


@dataclass(frozen=True)
class AnalysisSettings:
    """Thresholds of the facts and the assumptions of the liquidation-level model (the
    estimated clusters and their chart)."""

    squeeze_min_move_pct: float = field(
        default=2.0, metadata=_help("A squeeze needs the price to move at least this % in 24 h.")
    )
    squeeze_min_share: float = field(
        default=0.70,
        metadata=_help("...and the squeezed side to be at least this share (0-1) of the USD."),
    )
    squeeze_min_multiple: float = field(
        default=3.0,
        metadata=_help("...and the 24 h total at least this multiple of its 30-day median."),
    )
    level_major_steps: dict[str, float] = field(
        default_factory=lambda: {"BTC": 5000.0, "ETH": 500.0, "DXY": 1.0},
        metadata=_help(
            "The step of the round levels readers watch, which a level break may be about, by "
            "asset code (DXY: the Dollar Index); other assets: 5 times the power of ten below "
            "the price's (500 from 1,000 to 9,999)."
        ),
    )
    level_minor_steps: dict[str, float] = field(
        default_factory=lambda: {"BTC": 1000.0, "ETH": 100.0},
        metadata=_help(
            "Finer levels, counted only when unseen at a daily close for level_minor_unseen_days "
            "(an asset with a major step but none here has none; other assets: the power of ten "
            "below the price's)."
        ),
    )
    range_days: int = field(
        default=14,
        metadata=_help(
            "price.trading_range: the full days of the range the price traded in (today's "
            "partial day is added), compared with every earlier window of as many days."
        ),
    )
    level_min_age_days: int = field(
        default=14,
        metadata=_help(
            "No level break is reported for a level closed beyond within this many days."
        ),
    )
    level_minor_unseen_days: int = field(
        default=30, metadata=_help("A minor level needs this many days unseen at a daily close.")
    )
    funding_flip_min_prints: int = field(
        default=3,
        metadata=_help("A funding flip needs at least this many prints of the old sign before it."),
    )
    funding_flip_min_pct: float = field(
        default=0.001,
        metadata=_help("...averaging at least this many percent per interval, either way."),
    )
    base_rate_min_cases: int = field(
        default=6,
        metadata=_help("A base rate needs at least this many earlier cases, else it is absent."),
    )
    base_rate_ath_gap_days: int = field(
        default=30,
        metadata=_help(
            "A new all-time high is an event for base rates after this many days without one."
        ),
    )
    base_rate_move_pct: float = field(
        default=5.0,
        metadata=_help("A 24 h move of at least this % either way is an event for base rates."),
    )
    base_rate_fear_greed_extreme: float = field(
        default=25.0,
        metadata=_help(
            "Fear & Greed at most this or at least 100 minus this is an event for base rates "
            "(the extreme of [narrative] fear_greed_extreme)."
        ),
    )
    relative_in_step_pp: float = field(
        default=0.15,
        metadata=_help(
            "24 h changes closer than this many percentage points read as in step (0.15: all "
            "that shows as 0.1 pp or less, inside the rounding of changes shown to 0.1 %)."
        ),
    )
    leverage_mix: dict[str, float] = field(
        default_factory=lambda: {"5": 0.10, "10": 0.25, "25": 0.30, "50": 0.20, "100": 0.15},
        metadata=_help("Assumed share of new positions opened at each leverage (sums to 1)."),
    )
    maintenance_margin: float = field(
        default=0.004, metadata=_help("Maintenance margin rate in the liquidation prices.")
    )
    level_window_days: int = field(
        default=30, metadata=_help("Days of open-interest changes the level model replays.")
    )
    level_turnover: float = field(
        default=0.02,
        metadata=_help(
            "Share of open interest the level model opens and closes each hour at the median "
            "hour's volume, scaled by the hour's volume: the churn a net change in open "
            "interest hides."
        ),
    )
    level_fit_days: int = field(
        default=60,
        metadata=_help(
            "Days of realized liquidations the level model's size coefficient is fitted on "
            "(the days before the last 24 hours)."
        ),
    )
    level_fit_min_days: int = field(
        default=14,
        metadata=_help("Fewer days with data than this: no coefficient, relative sizes only."),
    )
    level_band_pct: float = field(
        default=2.0,
        metadata=_help("Band beside the price (%) whose estimated liquidations the note sizes."),
    )

    def __post_init__(self) -> None:
        try:
            weights = {int(k): float(v) for k, v in self.leverage_mix.items()}
        except (TypeError, ValueError):
            raise InputError(
                "leverage_mix: keys must be leverages (5, 10...) and values shares"
            ) from None
        if not weights or min(weights) < 1 or abs(sum(weights.values()) - 1.0) > 1e-6:
            raise InputError(f"leverage_mix: shares must sum to 1 (got {sum(weights.values())})")
        if not 0.0 <= self.level_turnover < 1.0:
            raise InputError(f"level_turnover = {self.level_turnover}: expected 0 <= x < 1")
        if min(self.level_fit_days, self.level_fit_min_days) < 1 or self.level_band_pct <= 0:
            raise InputError("level_fit_days, level_fit_min_days and level_band_pct must be > 0")
        _check_steps(self.level_major_steps, self.level_minor_steps)

    def options(self) -> dict[str, object]:
        """These settings as ``analysis.compute_facts`` options (fact functions take them by
        their field names; the level ``model`` is built from the last seven)."""
        from analysis import analysis_options

        return analysis_options(self)


@dataclass(frozen=True)
class NarrativeSettings:
    """When a fact is worth saying in the note's prose (the gate). A fact that fails its rule
    stays in facts.json and in the appendix's table of every fact."""

    intraday_min_pct: float = field(
        default=3.0,
        metadata=_help(
            "The move since the 00:00 UTC open is said when at least this % either way, or "
            "against the 24 h move."
        ),
    )
    weekly_rank_max: int = field(
        default=3,
        metadata=_help("The weekly gain's rank is said when it is at most this (1: the largest)."),
    )
    ath_near_pct: float = field(
        default=5.0,
        metadata=_help(
            "The all-time high and the distance to it are said when the price is less than "
            "this % below it, or on a new record."
        ),
    )
    change_rank_min_pct: float = field(
        default=3.0,
        metadata=_help(
            "The 24 h move's rank against daily history is said when the move is at least "
            "this % either way."
        ),
    )
    change_rank_min_days: int = field(
        default=90,
        metadata=_help(
            "...and when the last larger daily move of its sign is at least this many days "
            "back (with none larger, when the history compared spans that many days)."
        ),
    )
    dollar_crypto_min_move_pct: float = field(
        default=1.0,
        metadata=_help(
            "The Dollar Index's day is set beside the crypto move (a rally, a slide, no "
            "bounce) only when the lead asset moved at least this % in 24 h."
        ),
    )
    range_min_wider_share: float = field(
        default=0.5,
        metadata=_help(
            "A range-bound day's range is said when more than this share (0-1) of the past "
            "year's windows of as many days were wider (0.5: narrower than most)."
        ),
    )
    range_narrow_min_days: int = field(
        default=60,
        metadata=_help(
            "A range-bound day's range is called the narrowest since a date when no window of "
            "as many days was as narrow for at least this many days."
        ),
    )
    relative_min_gap_pp: float = field(
        default=1.0,
        metadata=_help(
            "Relative performance is said when an asset's 24 h gap to BTC is at least this (pp)."
        ),
    )
    relative_7d_min_gap_pp: float = field(
        default=3.0,
        metadata=_help(
            "...else the 7-day relative performance is said when an asset's 7-day gap to BTC is "
            "at least this (pp)."
        ),
    )
    macd_cross_max_days: int = field(
        default=3,
        metadata=_help(
            "The MACD is said only when its line crossed the signal at most this many daily "
            "closes ago."
        ),
    )
    spike_min_multiple: float = field(
        default=10.0,
        metadata=_help(
            "A liquidation spike is said when at least this multiple of the median hour."
        ),
    )
    dxy_min_move_pct: float = field(
        default=0.5,
        metadata=_help(
            "The Dollar Index is said on a day's move of at least this %, or on a level break."
        ),
    )
    dxy_break_unseen_days: int = field(
        default=20,
        metadata=_help(
            "A Dollar Index level break is said when it last closed beyond the level at least "
            "this many days earlier (or never)."
        ),
    )
    fomc_max_days: int = field(
        default=7, metadata=_help("The next FOMC meeting is said when at most this many days away.")
    )
    fear_greed_extreme: float = field(
        default=25.0,
        metadata=_help(
            "Fear & Greed is said when at most this or at least 100 minus this (extreme), on "
            "a week's move of fear_greed_min_move, or when it is not extreme on a new record."
        ),
    )
    fear_greed_min_move: float = field(
        default=15.0, metadata=_help("A week's move of Fear & Greed (points) worth saying.")
    )
    funding_default_pct: float = field(
        default=0.01,
        metadata=_help(
            "The venue's default funding rate per 8-hour interval, in % (Binance: 0.01): a "
            "rate within funding_default_band_pct of it reads as the default, longs not "
            "paying up; above it, longs pay up; below zero, shorts pay longs."
        ),
    )
    funding_default_band_pct: float = field(
        default=0.0005,
        metadata=_help(
            "How close to funding_default_pct (in % per interval) reads as the default."
        ),
    )
    rebound_min_pct: float = field(
        default=3.0,
        metadata=_help(
            "A 24-hour move against the way an asset just broke a level (a rise after a first "
            "close below) is said as a contrast when at least this %."
        ),
    )
    oi_quadrant_min_move_pct: float = field(
        default=1.0,
        metadata=_help(
            "...and the price moved at least this % in 24 hours (smaller moves read nothing)."
        ),
    )
    fizzle_min_share: float = field(
        default=0.7,
        metadata=_help(
            "A liquidation spike whose hour was at least this share (0-1) one side's, while the "
            "price moved under fizzle_max_pct the way a squeeze of that side pushes, is said as "
            "a squeeze that fizzled."
        ),
    )
    fizzle_min_multiple: float = field(
        default=24.0,
        metadata=_help(
            "...and the spike's hour was at least this multiple of the median hour (24: as "
            "much as a median day)."
        ),
    )
    fizzle_max_pct: float = field(
        default=2.0,
        metadata=_help("The 24-hour move (%) under which a one-sided spike fizzled."),
    )
    intraday_against_min_pct: float = field(
        default=1.0,
        metadata=_help(
            "A move since the 00:00 UTC open against the 24 h move is said from this %."
        ),
    )
    oi_quadrant_min_pct: float = field(
        default=0.5,
        metadata=_help(
            "Open interest is read against the price (new positions, shorts closing, leverage "
            "cut) when it moved at least this % in 24 hours."
        ),
    )
    volume_heavy_pct: float = field(
        default=100.0,
        metadata=_help(
            "The day's spot volume is said when at least this % above its 30-day median (100: "
            "double)..."
        ),
    )
    volume_thin_pct: float = field(
        default=50.0,
        metadata=_help("...or at least this % below it (50: half)."),
    )
    background: bool = field(
        default=True,
        metadata=_help(
            "On a day with no second story, the note adds background its gates leave out: "
            "the distance to each record, the day's volume, the RSI, open interest, the "
            "accounts' split, the day's liquidations, Fear & Greed, the Dollar Index and the "
            "next FOMC meeting."
        ),
    )
    background_min_lines: int = field(
        default=8,
        metadata=_help(
            "...and on a day with a second story whose sections would say fewer than this "
            "many sentences."
        ),
    )
    fomc_background_max_days: int = field(
        default=21,
        metadata=_help("...the next FOMC meeting when at most this many days away."),
    )
    accounts_even_max_pct: float = field(
        default=55.0,
        metadata=_help(
            "Background: accounts read as split close to evenly when the majority side holds "
            "less than this % of them."
        ),
    )
    liquidations_even_max_share: float = field(
        default=0.6,
        metadata=_help(
            "Background: a day's liquidations read as split about evenly between longs and "
            "shorts when neither side's share (0-1) reaches this."
        ),
    )


def _check_steps(major: Mapping[str, float], minor: Mapping[str, float]) -> None:
    """``InputError`` unless every level step is a positive number and each major step a
    whole multiple of the asset's minor step."""
    for name, steps in (("level_major_steps", major), ("level_minor_steps", minor)):
        for asset, step in steps.items():
            if isinstance(step, bool) or not isinstance(step, int | float) or step <= 0:
                raise InputError(f"{name}: {asset} = {step!r}: expected a positive number")
    for asset, step in minor.items():
        ratio = major.get(asset, step) / step
        if abs(ratio - round(ratio)) > 1e-9:
            raise InputError(
                f"level_major_steps: {asset} = {major[asset]} is not a multiple of its minor "
                f"step {step}"
            )


def _stale_fields(cls: type[T]) -> type[T]:
    """Give ``cls`` one ``str`` field per dataset of the registry, before ``@dataclass`` reads
    them: its default limit and help come from the dataset's spec."""
    annotations = dict(inspect.get_annotations(cls))
    for spec in REGISTRY:
        annotations[spec.name] = "str"
        note = f" ({spec.stale_note})" if spec.stale_note else ""
        help_text = f"{spec.noun[:1].upper()}{spec.noun[1:]}{note}."
        setattr(cls, spec.name, field(default=spec.stale_after, metadata=_help(help_text)))
    cls.__annotations__ = annotations
    return cls


@dataclass(frozen=True)
@_stale_fields
class StaleSettings:
    """How old a dataset's newest row may be at as-of before the note calls it stale
    (pandas offsets: ``3h``, ``2D``). One key per dataset (``datasets.REGISTRY``)."""

    def limit(self, dataset: str) -> str:
        """The limit of ``dataset`` (a registry name), e.g. ``17h``."""
        return str(getattr(self, dataset))

    def __post_init__(self) -> None:
        import pandas as pd

        for f in fields(self):
            try:
                pd.Timedelta(getattr(self, f.name))
            except ValueError:
                raise InputError(
                    f"{f.name} = {getattr(self, f.name)!r}: expected a duration such as 3h or 2D"
                ) from None


LIQUIDATION_SOURCES = ("auto", "recorded")
"""``[sources] liquidations``: the default chain, or the recorded streams first."""


@dataclass(frozen=True)
class SourcesSettings:
    """Live data (``generate.py gather``, ``brief --live``): where each source lives, how long to
    wait, how often to retry, and how much history to fetch. Base URLs are settings so that
    mirrors, proxies and tests can point them elsewhere."""

    assets: tuple[str, ...] = field(
        default=("BTC", "ETH"),
        metadata=_help("Assets gathered by live runs when [brief] assets is empty."),
    )
    exchange: str = field(
        default="binance",
        metadata=_help("ccxt exchange id for candles (spot) and derivatives (USDⓈ-M perpetuals)."),
    )
    quote: str = field(default="USDT", metadata=_help("Quote currency of the markets fetched."))
    binance_spot_url: str = field(
        default="https://api.binance.com",
        metadata=_help("Base URL replacing https://api.binance.com in ccxt's URLs (spot)."),
    )
    binance_futures_url: str = field(
        default="https://fapi.binance.com",
        metadata=_help("Base URL replacing https://fapi.binance.com in ccxt's URLs (USDⓈ-M)."),
    )
    okx_url: str = field(
        default="https://www.okx.com",
        metadata=_help("OKX REST base URL (public liquidation orders, the last day)."),
    )
    coinglass_url: str = field(
        default="https://open-api-v4.coinglass.com",
        metadata=_help("CoinGlass API v4 base URL (aggregated liquidation history)."),
    )
    coinglass_key_env: str = field(
        default="COINGLASS_API_KEY",
        metadata=_help("Environment variable holding the CoinGlass API key; unset: use OKX."),
    )
    coinglass_exchanges: str = field(
        default="Binance,OKX,Bybit",
        metadata=_help("CoinGlass exchange_list: exchanges whose liquidations are summed."),
    )
    alternative_me_url: str = field(
        default="https://api.alternative.me",
        metadata=_help("Alternative.me base URL (Fear & Greed index)."),
    )
    yahoo_url: str = field(
        default="https://query1.finance.yahoo.com",
        metadata=_help("Yahoo Finance chart API base URL (DX-Y.NYB, the US Dollar Index)."),
    )
    frankfurter_url: str = field(
        default="https://api.frankfurter.app",
        metadata=_help("Frankfurter (ECB rates) base URL, for the synthetic DXY fallback."),
    )
    timeout: float = field(
        default=15.0,
        metadata=_help("Seconds to wait for a connection or for each part of an answer."),
    )
    request_deadline: float = field(
        default=60.0,
        metadata=_help(
            "Seconds one request may take in all, body included: a server trickling its answer "
            "byte by byte is cut off here (timeout bounds only each wait). A cut-off request "
            "counts as a timeout and is retried."
        ),
    )
    gather_budget: float = field(
        default=300.0,
        metadata=_help(
            "Seconds a whole gather may take; datasets still unfinished then fail (falling "
            "back to the history store), so a cron run never hangs and never keeps the daily "
            "lock."
        ),
    )
    max_response_mb: float = field(
        default=20.0,
        metadata=_help(
            "Largest answer accepted from an API, in MB: a larger one is refused unread when "
            "its Content-Length says so, else as soon as it passes the cap."
        ),
    )
    max_file_mb: float = field(
        default=50.0,
        metadata=_help(
            "Largest snapshot file read, in MB (manifest.json and each CSV): a larger one is "
            "refused (exit 2) before it is read."
        ),
    )
    retries: int = field(
        default=3, metadata=_help("Retries of a request after a timeout, 429 or 5xx answer.")
    )
    backoff: float = field(
        default=1.0,
        metadata=_help("Seconds before the first retry, doubled each time (Retry-After wins)."),
    )
    max_retry_after: float = field(
        default=60.0, metadata=_help("Longest Retry-After (seconds) honoured before giving up.")
    )
    daily_days: int = field(
        default=0,
        metadata=_help(
            "Days of daily candles paged back from now; 0: back to the exchange's first candle "
            "(the all-time high needs the whole history)."
        ),
    )
    hourly_days: int = field(
        default=60, metadata=_help("Days of hourly candles paged back from now.")
    )
    funding_days: int = field(
        default=0,
        metadata=_help(
            "Days of funding history paged back from now; 0: back to the perpetual's first "
            "settlement (2019 for Binance's BTCUSDT; the base rates of funding flips need it)."
        ),
    )
    derivatives_days: int = field(
        default=60,
        metadata=_help(
            "Days of hourly open interest and liquidations paged back from now (Binance keeps "
            "30; the store keeps what earlier gathers saw)."
        ),
    )
    long_short_days: int = field(
        default=30,
        metadata=_help("Days of hourly long/short account ratios paged back from now."),
    )
    macro_since: str = field(
        default="1971-01-04",
        metadata=_help(
            "Earliest day of the DXY and Fear & Greed series fetched (the DXY's history starts "
            "in 1971, Fear & Greed's in 2018: all of both, for the base rates)."
        ),
    )
    overlap: int = field(
        default=3,
        metadata=_help(
            "Rows fetched again before the newest stored row when a later gather fetches only "
            "what is new (so revised recent rows are corrected)."
        ),
    )
    liquidations: str = field(
        default="auto",
        metadata=_help(
            "Liquidation source: auto (CoinGlass when its key is set, else OKX's last day; the "
            "buckets recorded by `collect` if that fails) or recorded (the recorded buckets "
            "first, then auto's source)."
        ),
    )
    required: tuple[str, ...] = field(
        default=("candles_1d", "candles_1h"),
        metadata=_help("Datasets that must be present and fresh for `brief --live --strict`."),
    )

    def __post_init__(self) -> None:
        if self.liquidations not in LIQUIDATION_SOURCES:
            choices = ", ".join(LIQUIDATION_SOURCES)
            raise InputError(f"liquidations = {self.liquidations!r}: choose from {choices}")
        days = (self.daily_days, self.hourly_days, self.funding_days, self.derivatives_days)
        if min(*days, self.long_short_days, self.overlap) < 0:
            raise InputError("history depths (days) and overlap must be >= 0")
        limits = (self.timeout, self.request_deadline, self.gather_budget)
        if min(*limits, self.max_response_mb, self.max_file_mb) <= 0:
            raise InputError(
                "timeout, request_deadline, gather_budget, max_response_mb and max_file_mb "
                "must be > 0"
            )


@dataclass(frozen=True)
class StoreSettings:
    """The embedded SQLite store that every gather appends to, so history accumulates."""

    path: Path = field(
        default=ROOT / "data" / "marketnotes.sqlite",
        metadata=_help("SQLite file of the history store (created on first use)."),
    )


SECURITY = ("ssl", "starttls", "none")
"""SMTP connection security: TLS from the start, STARTTLS upgrade, or plain (loopback only)."""


def loopback(host: str) -> bool:
    """Whether ``host`` is this machine: ``localhost`` or a loopback address (127.0.0.0/8,
    ``::1``), the only hosts plain SMTP may be sent to."""
    name = host.strip().rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name.removeprefix("[").removesuffix("]")).is_loopback
    except ValueError:
        return False


ATTACH = ("pdf", "link")
"""``[email] attach``: the PDF in each message, or a link to the blog's copy."""


@dataclass(frozen=True)
class EmailSettings:
    """Emailing each brief to the subscribers (``generate.py daily``): the SMTP server, the
    sender, the unsubscribe addresses, and how fast and how often to try."""

    smtp_host: str = field(default="localhost", metadata=_help("SMTP server host name."))
    smtp_port: int = field(
        default=587, metadata=_help("SMTP server port (465 for ssl, 587 for starttls, 25).")
    )
    security: str = field(
        default="starttls",
        metadata=_help("ssl (TLS from the start), starttls, or none (plain: loopback only)."),
    )
    ca_file: str = field(
        default="",
        metadata=_help(
            "PEM file of the certificates to trust for ssl/starttls instead of the system's "
            "(a private CA, or the server's self-signed certificate); empty: the system's. "
            "The certificate and host name are always verified."
        ),
    )
    user: str = field(default="", metadata=_help("SMTP login; empty: no authentication."))
    password_env: str = field(
        default="MARKETNOTES_SMTP_PASSWORD",
        metadata=_help("Environment variable holding the SMTP password (never in this file)."),
    )
    sender: str = field(
        default="Market notes <notes@example.com>",
        metadata=_help("From header and envelope sender; its domain ends each Message-ID."),
    )
    unsubscribe_mailto: str = field(
        default="unsubscribe@example.com",
        metadata=_help("Address of the List-Unsubscribe mailto: link."),
    )
    unsubscribe_url: str = field(
        default="https://example.com/unsubscribe?token={token}",
        metadata=_help(
            "One-click unsubscribe URL (RFC 8058), served by `generate.py serve-unsubscribe` "
            "behind your web server; {token} becomes the subscriber's signed token."
        ),
    )
    unsubscribe_secret_env: str = field(
        default="MARKETNOTES_UNSUBSCRIBE_SECRET",
        metadata=_help(
            "Environment variable holding the secret (16 characters or more; never in this "
            "file) that signs each subscriber's unsubscribe token (HMAC-SHA256). Without it "
            "the email channel sends nothing; serve-unsubscribe needs the same value."
        ),
    )
    postal_address: str = field(
        default="",
        metadata=_help(
            "Sender's postal address printed in the footer (CAN-SPAM); empty: none printed."
        ),
    )
    attach: str = field(
        default="link",
        metadata=_help(
            "pdf: attach brief.pdf to every message; link: attach nothing and link to the "
            "blog's copy ([blog] site_url + posts/DATE/brief.pdf), keeping each message small."
        ),
    )
    rate: float = field(
        default=10.0, metadata=_help("Most messages sent per second; 0 means no limit.")
    )
    attempts: int = field(
        default=3,
        metadata=_help("Tries per message in one run after a 4xx or a dropped connection."),
    )
    max_attempts: int = field(
        default=5,
        metadata=_help(
            "Tries per message over all runs: after this many 4xx answers or dropped "
            "connections the address is marked failed with its last error (a server that "
            "cannot be reached at all does not count)."
        ),
    )
    backoff: float = field(
        default=2.0, metadata=_help("Seconds before the first retry, doubled each time.")
    )
    timeout: float = field(default=30.0, metadata=_help("Seconds to wait for the SMTP server."))

    def __post_init__(self) -> None:
        if self.security not in SECURITY:
            raise InputError(f"security = {self.security!r}: choose from {', '.join(SECURITY)}")
        if self.security == "none" and not loopback(self.smtp_host):
            raise InputError(
                f'security = "none" sends the password and every message in clear: it is only '
                f"allowed to a loopback smtp_host (localhost, 127.0.0.0/8, ::1), not "
                f"{self.smtp_host!r}; use ssl or starttls"
            )
        if self.attempts < 1 or self.max_attempts < 1 or self.rate < 0 or self.backoff < 0:
            raise InputError("attempts and max_attempts must be >= 1, and rate and backoff >= 0")
        if self.attach not in ATTACH:
            raise InputError(f"attach = {self.attach!r}: choose from {', '.join(ATTACH)}")
        if "{token}" not in self.unsubscribe_url or "{address}" in self.unsubscribe_url:
            raise InputError(
                f"unsubscribe_url = {self.unsubscribe_url!r}: put {{token}} in it (the signed "
                "token) and no {address}: a link with the address lets anyone unsubscribe anyone"
            )


MARKDOWN_LAYOUTS = ("hugo", "jekyll")
"""``[blog] markdown_layout``: a Hugo page bundle, or a Jekyll ``_posts/`` file."""


@dataclass(frozen=True)
class BlogSettings:
    """The static blog that ``generate.py daily`` publishes each brief to."""

    site_dir: Path = field(
        default=OUTPUT_DIR / "site",
        metadata=_help("Site folder to serve (a symlink swapped atomically to each new build)."),
    )
    site_url: str = field(
        default="https://example.com/notes/",
        metadata=_help(
            "Public address of the site; used only where a full URL is required "
            "(feed ids, sitemap, Open Graph). Pages link relatively."
        ),
    )
    title: str = field(default="Market notes", metadata=_help("Site title."))
    subscribe_url: str = field(
        default="",
        metadata=_help(
            "Address of the Subscribe link on every page (a sign-up form, say); "
            "empty: no Subscribe link."
        ),
    )
    markdown: bool = field(
        default=False,
        metadata=_help(
            "Also write each whole note as Markdown with front matter, for Hugo or Jekyll "
            "(raw HTML escaped; see markdown_layout)."
        ),
    )
    markdown_layout: str = field(
        default="hugo",
        metadata=_help(
            "Where the Markdown goes: hugo, posts/DATE/index.md (a page bundle beside its "
            "charts); jekyll, _posts/DATE-SLUG.md (images through relative_url)."
        ),
    )

    def __post_init__(self) -> None:
        if self.markdown_layout not in MARKDOWN_LAYOUTS:
            choices = ", ".join(MARKDOWN_LAYOUTS)
            raise InputError(f"markdown_layout = {self.markdown_layout!r}: choose from {choices}")


@dataclass(frozen=True)
class WebhookSettings:
    """Posting each brief's headline and link to a chat webhook (Slack, Discord, Mattermost:
    the JSON body carries both ``text`` and ``content``) when ``webhook`` is in
    ``[delivery] channels``."""

    url_env: str = field(
        default="MARKETNOTES_WEBHOOK_URL",
        metadata=_help("Environment variable holding the webhook URL (a secret: never here)."),
    )
    timeout: float = field(default=10.0, metadata=_help("Seconds to wait for the webhook."))


@dataclass(frozen=True)
class DeliverySettings:
    """Where ``generate.py daily`` takes each brief: the channels, in order. Each channel has
    its own section ([blog], [email], [webhook])."""

    channels: tuple[str, ...] = field(
        default=("blog", "email"),
        metadata=_help("Channels the daily run publishes to, in order: blog, email, webhook."),
    )


@dataclass(frozen=True)
class DailySettings:
    """The daily run (``generate.py daily``)."""

    lock_wait: float = field(
        default=900.0,
        metadata=_help("Seconds to wait for an overlapping run to finish before giving up."),
    )
    max_age: str = field(
        default="36h",
        metadata=_help(
            "A brief whose --as-of is older than the snapshot's newest data by more than this "
            "(a backfill) is written and published to the blog, never emailed or posted."
        ),
    )
    ping_url: str = field(
        default="",
        metadata=_help(
            "Healthchecks-style URL pinged after each run: the URL on success, URL/fail (with "
            "the problems) on failure; empty: no ping."
        ),
    )

    def __post_init__(self) -> None:
        import pandas as pd

        try:
            pd.Timedelta(self.max_age)
        except ValueError:
            raise InputError(
                f"max_age = {self.max_age!r}: expected a duration such as 36h or 2D"
            ) from None


@dataclass(frozen=True)
class Settings:
    """All settings, by section (``[brief]``, ``[stale_after]`` in the TOML file)."""

    brief: BriefSettings = field(default_factory=BriefSettings)
    analysis: AnalysisSettings = field(default_factory=AnalysisSettings)
    narrative: NarrativeSettings = field(default_factory=NarrativeSettings)
    stale_after: StaleSettings = field(default_factory=StaleSettings)
    sources: SourcesSettings = field(default_factory=SourcesSettings)
    store: StoreSettings = field(default_factory=StoreSettings)
    email: EmailSettings = field(default_factory=EmailSettings)
    blog: BlogSettings = field(default_factory=BlogSettings)
    webhook: WebhookSettings = field(default_factory=WebhookSettings)
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    daily: DailySettings = field(default_factory=DailySettings)
    file: Path | None = None
    """The TOML file read, if any."""

    def secret(self, env_var: str) -> str | None:
        """The secret held by environment variable ``env_var`` (named by a ``*_env`` setting)."""
        return os.environ.get(env_var) or None


SECTIONS: Mapping[str, type] = {
    f.name: f.type if isinstance(f.type, type) else get_type_hints(Settings)[f.name]
    for f in fields(Settings)
    if f.name != "file"
}


def load_settings(path: Path | None = None) -> Settings:
    """Defaults overlaid with the TOML file at ``path``; ``InputError`` naming the bad key."""
    if path is None:
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: settings file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from None
    sections: dict[str, Any] = {}
    for name, table in data.items():
        if name not in SECTIONS:
            raise InputError(f"{path}: unknown section [{name}] (known: {', '.join(SECTIONS)})")
        if not isinstance(table, dict):
            raise InputError(f"{path}: [{name}] must be a table")
        sections[name] = _section(SECTIONS[name], table, f"{path}: [{name}]")
    return Settings(**sections, file=path)


def _section(cls: type, table: dict[str, Any], where: str) -> Any:
    hints = get_type_hints(cls)
    known = {f.name for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, raw in table.items():
        if key not in known:
            raise InputError(f"{where} unknown key {key!r} (known: {', '.join(sorted(known))})")
        values[key] = _convert(raw, hints[key], f"{where} {key}")
    try:
        return cls(**values)
    except InputError as exc:
        raise InputError(f"{where} {exc}") from None


def _convert(raw: Any, hint: Any, where: str) -> Any:
    """``raw`` from TOML as the field's type, or ``InputError`` saying what was expected."""
    text = str(hint)
    number = isinstance(raw, int | float) and not isinstance(raw, bool)
    if hint is Path and isinstance(raw, str):
        return Path(raw)
    if text.startswith("tuple[") and isinstance(raw, list):
        if all(isinstance(x, str) for x in raw):
            return tuple(raw)
    elif text.startswith(("dict[", "Mapping[")) and isinstance(raw, dict):
        return dict(raw)
    elif (hint is bool and isinstance(raw, bool)) or (
        hint is int and number and isinstance(raw, int)
    ):
        return raw
    elif hint is float and number:
        return float(raw)
    elif hint in (str, str | None) and isinstance(raw, str):
        return raw
    raise InputError(f"{where} = {raw!r}: expected {_type_name(hint)}")


def _type_name(hint: Any) -> str:
    text = str(hint)
    if hint is Path:
        return "a path string"
    if text.startswith("tuple["):
        return "a list of strings"
    if text.startswith(("dict[", "Mapping[")):
        return "a table"
    return {bool: "true or false", float: "a number", int: "an integer"}.get(hint, "a string")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Path):
        if value.is_relative_to(ROOT):
            value = value.relative_to(ROOT)
        return f'"{value.as_posix()}"'
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


def settings_markdown() -> str:
    """The whole of docs/settings.md: every section and key with its default and help."""
    out = [
        "# Settings\n\n",
        "<!-- Generated by `python -m settings` from settings.py; do not edit by hand. -->\n\n",
        "Pass a TOML file with `--config FILE`; every key is optional and defaults to the value "
        "shown. Paths are relative to the directory you run from. Secrets never go in the file: "
        "keys ending in `_env` name the environment variable that holds the secret.\n",
    ]
    defaults = Settings()
    for name in SECTIONS:
        section = getattr(defaults, name)
        doc = " ".join((type(section).__doc__ or "").split())
        out.append(f"\n## `[{name}]`\n\n{doc}\n\n```toml\n[{name}]\n")
        for f in fields(section):
            out.append(
                f"# {f.metadata['help']}\n{f.name} = {_toml_value(getattr(section, f.name))}\n"
            )
        out.append("```\n")
    return "".join(out)


EXAMPLE_PATH = ROOT / "marketnotes.example.toml"


def example_toml() -> str:
    """marketnotes.example.toml (and what ``generate.py init`` writes): every section and key,
    commented out at its default, with its help."""
    out = [
        "# marketnotes settings: uncomment what you change; every other key keeps its default.\n",
        "# Generated by `python -m settings` from settings.py (docs/settings.md has the same).\n",
        "# Secrets never go here: keys ending in _env name the environment variable holding one.\n",
    ]
    defaults = Settings()
    for name in SECTIONS:
        section = getattr(defaults, name)
        out.append(f"\n[{name}]\n")
        for f in fields(section):
            out.append(
                f"# {f.metadata['help']}\n# {f.name} = {_toml_value(getattr(section, f.name))}\n"
            )
    return "".join(out)


def replace(settings: Settings, section: str, **changes: Any) -> Settings:
    """``settings`` with some keys of one section changed (command-line overrides)."""
    current = getattr(settings, section)
    return dataclasses.replace(settings, **{section: dataclasses.replace(current, **changes)})


if __name__ == "__main__":
    DOC_PATH.write_text(settings_markdown(), encoding="utf-8")
    EXAMPLE_PATH.write_text(example_toml(), encoding="utf-8")
    print(DOC_PATH, EXAMPLE_PATH, sep="\n", file=sys.stdout)
