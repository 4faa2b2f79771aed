#!/usr/bin/env python3
"""marketnotes command line: parse arguments, load settings, run the command, map errors to
exit codes. The commands themselves are in ``cli.py``; ``--help`` lists them.

Exit codes: 0 done; 1 internal error; 2 bad input (arguments, settings or snapshot: nothing
written); 3 rendering failed (nothing written); 4 live data unusable; 5 delivery left work for
the next run; 6 the daily lock was busy; 130 interrupted.
"""

from __future__ import annotations

import gc
import sys

import cli
import settings
from errors import MarketnotesError


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = cli.parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        config = settings.load_settings(args.config)
        return cli.COMMANDS[args.command](args, config)
    except MarketnotesError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted: nothing was written", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    code = main()
    # The process ends here: keep the collector from walking every object left at exit (a
    # quarter of a second after a brief with its PDF). Finalizers and atexit handlers still
    # run; objects only a collection would free are freed by the exit itself.
    gc.freeze()
    sys.exit(code)
