"""`python -m sheetbill`: the same entry point as the `sheetbill` command."""

from sheetbill.cli import main

raise SystemExit(main())
