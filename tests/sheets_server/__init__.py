"""A local HTTP server speaking the Google Sheets API v4 and Drive v3 basics.

Real gspread talks to it unchanged except for the base URL; see server.SheetsServer.
"""

from .server import IMPLEMENTED, Fault, RequestInfo, SheetsServer

__all__ = ["IMPLEMENTED", "Fault", "RequestInfo", "SheetsServer"]
