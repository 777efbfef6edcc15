"""Run the local Sheets API server alone: `python -m tests.sheets_server --port N`."""

from __future__ import annotations

import argparse
import time

from .server import SheetsServer


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.sheets_server")
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1")
    parser.add_argument(
        "--spreadsheet",
        metavar="TITLE",
        action="append",
        default=[],
        help="create an empty spreadsheet with this title at start (repeatable)",
    )
    args = parser.parse_args()
    server = SheetsServer(port=args.port).start()
    print(f"Sheets API server on {server.url} (Ctrl-C stops it)", flush=True)
    for title in args.spreadsheet:
        print(f"  {title}: gsheets://{server.create_spreadsheet(title)}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
