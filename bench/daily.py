"""Time a whole daily run (demo brief, blog, email) for N subscribers against a loopback
SMTP server (aiosmtpd, in its own process so that it does not share this one's GIL):
``python -m bench.daily [N] [--rate R] [--attach pdf|link]`` (default 1000 subscribers, rate 0,
the setting's attach).

``--rate`` is ``[email] rate``: 0 (the default here) means unlimited, so the figure is what
the machine and the protocol cost; with the setting's default of 10 messages/s, N messages
take at least N/10 s (``--rate 10``). ``--attach`` is ``[email] attach``: ``pdf`` puts the
whole PDF in every message, ``link`` (the default) links to the blog's copy. The unsubscribe
secret is set to a throwaway value if the environment has none.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import settings
from daily import DailyOptions, run_daily
from delivery import ledger
from devtools.net import free_port
from store import open_store


class _Counter:
    """An aiosmtpd handler that only counts messages and bytes."""

    def __init__(self, count: Any, size: Any) -> None:
        self.count, self.size = count, size

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.count.get_lock():
            self.count.value += 1
            self.size.value += len(envelope.content)
        return "250 OK"


def _serve(port: int, count: Any, size: Any, ready: Any, stop: Any) -> None:
    from aiosmtpd.controller import Controller

    controller = Controller(_Counter(count, size), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


def main(n: int = 1000, rate: float = 0.0, attach: str = settings.EmailSettings.attach) -> None:
    ctx = multiprocessing.get_context("spawn")
    count, size = ctx.Value("i", 0), ctx.Value("d", 0.0)
    ready, stop, port = ctx.Event(), ctx.Event(), free_port()
    server = ctx.Process(target=_serve, args=(port, count, size, ready, stop))
    server.start()
    ready.wait(30)
    try:
        _run(n, rate, attach, port, count, size)
    finally:
        stop.set()
        server.join(30)


def _run(n: int, rate: float, attach: str, port: int, count: Any, size: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        base = settings.Settings()
        os.environ.setdefault(base.email.unsubscribe_secret_env, os.urandom(24).hex())
        config = replace(
            base,
            store=replace(base.store, path=root / "store.sqlite"),
            brief=replace(base.brief, out=root / "out"),
            blog=replace(base.blog, site_dir=root / "site"),
            email=replace(
                base.email,
                smtp_host="127.0.0.1",
                smtp_port=port,
                security="none",
                rate=rate,
                attach=attach,
            ),
        )
        csv = root / "subscribers.csv"
        csv.write_text("email\n" + "".join(f"reader{i:05d}@example.com\n" for i in range(n)))
        store = open_store(config.store.path)
        ledger.import_subscribers(store, csv)
        store.close()
        start = time.perf_counter()
        report = run_daily(config, DailyOptions())
        total = time.perf_counter() - start
        email = report.channel("email")
        assert email is not None and email.figures["sent"] == n, report.lines()
        assert count.value == n, count.value
        megabytes = size.value / 1e6
        print("\n".join(report.lines()))
        limit = f"rate {rate:g}/s" if rate > 0 else "rate unlimited"
        print(
            f"{n} subscribers, {limit}, attach {attach}: whole daily run {total:.1f} s, of which "
            f"email {email.figures['seconds']:.1f} s ({n / email.figures['seconds']:.0f} "
            f"messages/s, {megabytes:.0f} MB over loopback, {size.value / n / 1e6:.3f} MB per "
            "message)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.daily", description=__doc__)
    parser.add_argument("n", type=int, nargs="?", default=1000, help="subscribers (1000)")
    parser.add_argument(
        "--rate", type=float, default=0.0, help="[email] rate, messages/s; 0: unlimited (0)"
    )
    parser.add_argument(
        "--attach",
        choices=settings.ATTACH,
        default=settings.EmailSettings.attach,
        help="[email] attach: pdf or link (the setting's default)",
    )
    args = parser.parse_args()
    main(args.n, args.rate, args.attach)
