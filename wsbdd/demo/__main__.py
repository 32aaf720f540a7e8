"""``python -m wsbdd.demo``: run the demo chat server until interrupted."""

from __future__ import annotations

import argparse
import logging
import sys

from .server import serve_forever

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, serve until SIGINT or SIGTERM, return the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m wsbdd.demo", description="Run the wsbdd demo chat server."
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: %(default)s)"
    )
    parser.add_argument(
        "--port", type=int, default=0, help="port to bind; 0 picks a free one (default: 0)"
    )
    parser.add_argument(
        "--no-rate-limit", action="store_true", help="accept messages as fast as they come"
    )
    parser.add_argument(
        "--no-socketio", action="store_true", help="do not serve the chat over Socket.IO"
    )
    parser.add_argument("--quiz-file", metavar="PATH", help="JSON file of extra quizzes for /quiz")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    options: dict[str, object] = {"socketio": not args.no_socketio}
    if args.no_rate_limit:
        options["rate_limit"] = None
    if args.quiz_file:
        options["quiz_file"] = args.quiz_file
    try:
        serve_forever(args.host, args.port, **options)
    except (OSError, ValueError) as exc:  # e.g. the port is taken, or a bad quiz file
        print(f"wsbdd demo server could not start: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
