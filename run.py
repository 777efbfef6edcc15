"""The entry point a scheduler calls: `python run.py run` is `sheetbill run`."""

from sheetbill.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
