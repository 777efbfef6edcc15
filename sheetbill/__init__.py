"""sheetbill: a billing agent for small shops that keep their books in a spreadsheet."""

__version__ = "0.1.0"
