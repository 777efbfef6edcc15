"""Workbook backends behind `sheetbill.ports.Workbook`: an Excel file (excel.py and the
xlsx_* modules) and a Google Sheet (google/); `sheetbill.wiring` picks one."""
