"""A real HTTP server on 127.0.0.1 answering like every live API, from ``demo.replay``.

Faults are injected per path: a delay, a status with headers (429 + Retry-After, 500), a
malformed body, an empty list, data cut short (stale) or pages truncated; ``times`` limits a
fault to the first N requests so retries can succeed. ``latency`` delays every request (the
gather benchmark).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pandas as pd

from demo.replay import DEPTHS, ReplayData, dumps
from settings import Settings, SourcesSettings, StoreSettings


@dataclass
class Fault:
    """What goes wrong on one path."""

    delay: float = 0.0
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    empty: bool = False
    stale_before: pd.Timestamp | None = None
    """Serve only rows stamped before this (Binance/CoinGlass ms bodies, OKX orders, F&G,
    Yahoo)."""
    cap: int | None = None
    """Serve at most this many rows a page, the newest (a server truncating its pages)."""
    size: int | None = None
    """Serve a body of this many filler bytes instead, written as fast as the client reads."""
    declare: bool = True
    """With ``size``: announce it in Content-Length (else the body is sent chunked)."""
    drip: float | None = None
    """Write the body one byte at a time, this many seconds apart (a trickling server)."""
    times: int | None = None
    """Apply to the first ``times`` requests only (None: always)."""


class ReplayServer:
    """The loopback server; ``url`` is its base, ``requests`` every path+query it answered."""

    def __init__(self, data: ReplayData, latency: float = 0.0) -> None:
        self.data = data
        self.latency = latency
        self.faults: dict[str, Fault] = {}
        self.requests: list[str] = []
        self.sent: dict[str, int] = {}
        """Body bytes written per path (until the client hung up)."""
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        # shutdown() waits for serve_forever's next poll: 0.5 s by default, at every test's end
        serve = partial(self.httpd.serve_forever, poll_interval=0.02)
        self.thread = threading.Thread(target=serve, daemon=True)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> ReplayServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def count(self, path: str) -> int:
        """Requests answered on ``path``."""
        return sum(1 for r in self.requests if urlsplit(r).path == path)

    def settings(self, store: Any, **sources: Any) -> Settings:
        """Settings with every base URL on this server, the history depths of the demo
        (``demo.replay.DEPTHS``) and the store at ``store``."""
        base = {
            f: self.url
            for f in (
                "binance_spot_url",
                "binance_futures_url",
                "okx_url",
                "coinglass_url",
                "alternative_me_url",
                "yahoo_url",
                "frankfurter_url",
            )
        }
        options = {"timeout": 2.0, "retries": 2, "backoff": 0.01, **DEPTHS, **base, **sources}
        return Settings(sources=SourcesSettings(**options), store=StoreSettings(path=store))

    def _fault(self, path: str) -> Fault | None:
        with self._lock:
            self.requests.append(path)
            fault = self.faults.get(urlsplit(path).path)
            if fault is None:
                return None
            if fault.times is not None:
                if fault.times <= 0:
                    return None
                fault.times -= 1
            return fault

    def _count(self, path: str, sent: int) -> None:
        with self._lock:
            self.sent[path] = self.sent.get(path, 0) + sent

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True
            """Headers and body are two writes: with Nagle the body would wait for the
            client's delayed ACK of the headers (40 ms a request on Linux)."""

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fault = server._fault(self.path)
                if server.latency:
                    time.sleep(server.latency)
                parts = urlsplit(self.path)
                query = dict(parse_qsl(parts.query))
                status, body = server.data.respond(parts.path, query, dict(self.headers))
                headers: dict[str, str] = {}
                raw: bytes | None = None
                if fault is not None:
                    time.sleep(fault.delay)
                    status, headers, body, raw = _faulty(fault, status, body)
                payload = raw if raw is not None else dumps(body)
                length = _length(payload, fault)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    if length is None:
                        self.send_header("Transfer-Encoding", "chunked")
                    else:
                        self.send_header("Content-Length", str(length))
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    for piece in _pieces(payload, fault):
                        self.wfile.write(piece if length is not None else _chunk(piece))
                        self.wfile.flush()
                        server._count(parts.path, len(piece))
                    if length is None:
                        self.wfile.write(_chunk(b""))
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up (a timeout test)

        return Handler


def _faulty(fault: Fault, status: int, body: Any) -> tuple[int, dict[str, str], Any, bytes | None]:
    """(status, headers, body, raw bytes or None) of an answer with ``fault``."""
    headers: dict[str, str] = {}
    raw: bytes | None = None
    if fault.status is not None:
        status, headers = fault.status, dict(fault.headers)
        body = {"code": fault.status, "msg": "injected fault"}
        if fault.status >= 500:  # as real 5xx answers: a plain page
            raw = b"<html><body>Internal Server Error</body></html>"
    if fault.empty:
        body = _emptied(body)
    if fault.stale_before is not None:
        body = _cut(body, fault.stale_before)
    if fault.cap is not None:
        body = _capped(body, fault.cap)
    return status, headers, body, fault.body if fault.body is not None else raw


def _length(payload: bytes, fault: Fault | None) -> int | None:
    """The Content-Length to announce; None: the body is sent chunked."""
    if fault is None or fault.size is None:
        return len(payload)
    return fault.size if fault.declare else None


def _chunk(piece: bytes) -> bytes:
    """``piece`` in HTTP/1.1 chunked encoding (the empty piece ends the body)."""
    return f"{len(piece):x}\r\n".encode() + piece + b"\r\n"


FILLER = b" " * 65536
"""A piece of an oversized body (JSON whitespace)."""


def _pieces(payload: bytes, fault: Fault | None) -> Iterator[bytes]:
    """The body as written: whole; or ``fault.size`` bytes of filler in 64 KiB pieces; or one
    byte every ``fault.drip`` seconds."""
    if fault is not None and fault.size is not None:
        left = fault.size
        while left > 0:
            yield FILLER[:left]
            left -= len(FILLER)
    elif fault is not None and fault.drip is not None:
        for i in range(len(payload)):
            yield payload[i : i + 1]
            time.sleep(fault.drip)
    else:
        yield payload


def _emptied(body: Any) -> Any:
    if isinstance(body, list):
        return []
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        if body["data"] and isinstance(body["data"][0], dict) and "details" in body["data"][0]:
            return body | {"data": [body["data"][0] | {"details": []}]}
        return body | {"data": []}
    if isinstance(body, dict) and "chart" in body:
        result = body["chart"]["result"][0]
        quote: dict[str, list[float]] = {k: [] for k in result["indicators"]["quote"][0]}
        emptied = result | {"timestamp": [], "indicators": {"quote": [quote]}}
        return {"chart": {"result": [emptied], "error": None}}
    return body


def _capped(body: Any, cap: int) -> Any:
    """``body`` with at most ``cap`` rows, the newest: the last of a Binance list (oldest
    first), the first of OKX's orders (newest first)."""
    if isinstance(body, list):
        return body[-cap:] if cap else []
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        data = [
            r | {"details": r["details"][:cap]} if isinstance(r, dict) and "details" in r else r
            for r in body["data"]
        ]
        return body | {"data": data}
    return body


def _cut(body: Any, before: pd.Timestamp) -> Any:
    limit_ms = int(before.value // 1_000_000)

    def stamp(row: Any) -> int:
        if isinstance(row, list):
            return int(row[0])
        for key in ("timestamp", "fundingTime", "time", "ts"):
            if key in row:
                value = int(row[key])
                return value * 1000 if key == "timestamp" and value < 10**11 else value
        return 0

    def kept(rows: list[Any]) -> list[Any]:
        return [
            r | {"details": kept(r["details"])} if isinstance(r, dict) and "details" in r else r
            for r in rows
            if stamp(r) < limit_ms
        ]

    if isinstance(body, list):
        return kept(body)
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        return body | {"data": kept(body["data"])}
    if isinstance(body, dict) and "chart" in body:
        result = body["chart"]["result"][0]
        keep = [i for i, t in enumerate(result["timestamp"]) if t * 1000 < limit_ms]
        quote = {k: [v[i] for i in keep] for k, v in result["indicators"]["quote"][0].items()}
        stamps = [result["timestamp"][i] for i in keep]
        cut = result | {"timestamp": stamps, "indicators": {"quote": [quote]}}
        return {"chart": {"result": [cut], "error": None}}
    return body


def serve(data: ReplayData, latency: float = 0.0) -> Iterator[ReplayServer]:
    """Start a server for a ``with``/fixture block and stop it afterwards."""
    server = ReplayServer(data, latency).start()
    try:
        yield server
    finally:
        server.stop()
