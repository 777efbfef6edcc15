"""Workbook backends: one interface (base), an Excel file, later a Google Sheet."""
