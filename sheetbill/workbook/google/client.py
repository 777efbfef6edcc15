"""Talking to Google: credentials, the API base URL, and retries that end.

`ApiSession` is the `requests.Session` gspread sends every request through. It sends
Google's URLs to the configured base URL (a local test server, say), adds the OAuth
token, and retries 429/500/502/503/504 and timeouts a bounded number of times:
Retry-After when the server gives one, else truncated exponential back-off with jitter.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import requests
from google.auth.credentials import Credentials
from google.auth.exceptions import GoogleAuthError
from google.auth.transport.requests import Request

from sheetbill.errors import ConfigError

SPREADSHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets"
# Only needed once PDFs are uploaded to Drive; sheetbill asks for it then, not before.
DRIVE_FILE_SCOPE = "https://www.googleapis.com/auth/drive.file"
GOOGLE_API_URL = "https://sheets.googleapis.com"
# gspread builds URLs on these hosts; all are sent to the configured base URL instead.
_GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to retry one request before giving up."""

    max_attempts: int = 6
    # Seconds to wait for Google to answer one request.
    timeout: float = 60.0
    # Google's guidance: back off exponentially, capped at 32 to 64 s.
    cap: float = 64.0
    base: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random

    def delay(self, attempt: int, retry_after: str | None) -> float:
        """Seconds before attempt `attempt + 1`; attempt counts from 1."""
        told = parse_retry_after(retry_after)
        if told is not None:
            return min(told, self.cap)
        backoff: float = self.base * 2.0 ** (attempt - 1) + self.jitter()
        return min(self.cap, backoff)


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, float(moment.timestamp()) - time.time())


@dataclass(slots=True)
class RequestStats:
    """What went over the wire: requests (each attempt), retries, bytes sent."""

    requests: int = 0
    retries: int = 0
    bytes_sent: int = 0
    # The last request's failure after all attempts, for the error message.
    gave_up: str = ""
    endpoints: list[str] = field(default_factory=list)


class GaveUpError(requests.RequestException):
    """Every attempt at one request timed out or could not connect."""


class ApiSession(requests.Session):
    """A requests session pointed at `api_url`, with auth and bounded retries."""

    def __init__(
        self,
        *,
        api_url: str = GOOGLE_API_URL,
        credentials: Credentials | None = None,
        policy: RetryPolicy | None = None,
    ) -> None:
        super().__init__()
        self.api_url = api_url.rstrip("/")
        self.credentials = credentials
        self.policy = policy or RetryPolicy()
        self.stats = RequestStats()
        self._auth_session = requests.Session()

    def _rewrite(self, url: str) -> str:
        if self.api_url == GOOGLE_API_URL:
            return url
        for host in _GOOGLE_HOSTS:
            if url.startswith(host):
                return self.api_url + url[len(host) :]
        return url

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        url = self._rewrite(url.decode() if isinstance(url, bytes) else url)
        verb = method.decode() if isinstance(method, bytes) else method
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.policy.timeout
        policy = self.policy
        has_refreshed = False
        attempt = 0
        while True:
            attempt += 1
            headers = dict(kwargs.pop("headers", None) or {})
            self._authorize(verb, url, headers)
            kwargs["headers"] = headers
            self.stats.requests += 1
            self.stats.bytes_sent += _size(verb, url, kwargs)
            try:
                response = super().request(verb, url, *args, **kwargs)
            except (requests.Timeout, requests.ConnectionError) as exc:
                if attempt >= policy.max_attempts:
                    self.stats.gave_up = f"no answer ({type(exc).__name__})"
                    raise GaveUpError(
                        f"no answer after {attempt} attempts "
                        f"({type(exc).__name__}, timeout {policy.timeout:g} s)"
                    ) from exc
                self.stats.retries += 1
                policy.sleep(policy.delay(attempt, None))
                continue
            if (
                response.status_code == 401
                and self.credentials is not None
                and not has_refreshed
            ):
                # An expired token: refresh once and try again (not a retry).
                has_refreshed = True
                self._refresh()
                attempt -= 1
                continue
            if response.status_code in RETRY_STATUSES:
                if attempt < policy.max_attempts:
                    self.stats.retries += 1
                    policy.sleep(
                        policy.delay(attempt, response.headers.get("Retry-After"))
                    )
                    continue
                self.stats.gave_up = (
                    f"HTTP {response.status_code} after {attempt} attempts"
                )
            return response

    def _authorize(self, method: str, url: str, headers: dict[str, str]) -> None:
        if self.credentials is None:
            return
        try:
            self.credentials.before_request(  # type: ignore[no-untyped-call]
                Request(self._auth_session), method, url, headers
            )
        except GoogleAuthError as exc:
            raise ConfigError(f"Google refused the credentials: {exc}") from exc

    def _refresh(self) -> None:
        if self.credentials is None:
            return
        try:
            self.credentials.refresh(  # type: ignore[no-untyped-call]
                Request(self._auth_session)
            )
        except GoogleAuthError as exc:
            raise ConfigError(f"Google refused the credentials: {exc}") from exc


def _size(method: str, url: str, kwargs: Mapping[str, Any]) -> int:
    """Bytes of the request line and body (headers are left out: they vary)."""
    body = kwargs.get("data") or b""
    if kwargs.get("json") is not None:
        body = json.dumps(kwargs["json"]).encode()
    params = kwargs.get("params") or {}
    query = sum(len(str(k)) + len(str(v)) + 2 for k, v in dict(params).items())
    return len(method) + len(url) + query + len(body)


# --- credentials ----------------------------------------------------------------------


def load_credentials(
    *,
    service_account: Path | None,
    oauth_client: Path | None,
    token_path: Path,
    scopes: tuple[str, ...] = (SPREADSHEETS_SCOPE,),
    is_interactive: bool = True,
) -> Credentials:
    """A service account's credentials, else a personal account's via OAuth.

    The OAuth token is cached in `token_path` (mode 0600) so the browser is opened
    once; a cron job without a cached token fails with a message instead of waiting.
    """
    if service_account is not None:
        return _service_account(service_account, scopes)
    if token_path.exists():
        cached = _cached_token(token_path, scopes)
        if cached is not None:
            return cached
    if oauth_client is None:
        raise ConfigError(
            "no Google credentials: set 'google_service_account' (a service "
            "account JSON key) or 'google_oauth_client' (an OAuth client JSON) in "
            "sheetbill.toml"
        )
    if not is_interactive:
        raise ConfigError(
            f"no cached Google sign-in at {token_path}: run 'sheetbill init --google "
            "<id>' once from a terminal to sign in"
        )
    from google_auth_oauthlib.flow import InstalledAppFlow

    try:
        flow = InstalledAppFlow.from_client_secrets_file(str(oauth_client), scopes)
        credentials = flow.run_local_server(port=0, open_browser=True)
    except (OSError, ValueError, GoogleAuthError) as exc:
        raise ConfigError(
            f"'google_oauth_client': Google sign-in failed: {exc}", path=oauth_client
        ) from exc
    save_token(token_path, credentials.to_json())
    return credentials  # type: ignore[no-any-return]


def _service_account(path: Path, scopes: tuple[str, ...]) -> Credentials:
    from google.oauth2 import service_account

    try:
        credentials: Credentials = (
            service_account.Credentials.from_service_account_file(  # type: ignore[no-untyped-call]
                str(path), scopes=list(scopes)
            )
        )
        return credentials
    except FileNotFoundError as exc:
        raise ConfigError("'google_service_account': no such file", path=path) from exc
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(
            f"'google_service_account': not a service account JSON key ({exc})",
            path=path,
        ) from exc


def _cached_token(path: Path, scopes: tuple[str, ...]) -> Credentials | None:
    from google.oauth2.credentials import Credentials as UserCredentials

    try:
        credentials: UserCredentials = UserCredentials.from_authorized_user_file(  # type: ignore[no-untyped-call]
            str(path), list(scopes)
        )
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"'google_token': the cached Google sign-in is unreadable ({exc}); "
            "delete it to sign in again",
            path=path,
        ) from exc
    if not _grants(path, scopes):
        # Signed in before PDFs went to Drive: sign in again to grant drive.file.
        return None
    if credentials.valid:
        return credentials
    if credentials.expired and credentials.refresh_token:
        try:
            credentials.refresh(Request())  # type: ignore[no-untyped-call]
        except GoogleAuthError:
            return None  # revoked: sign in again
        save_token(path, credentials.to_json())  # type: ignore[no-untyped-call]
        return credentials
    return None


def _grants(path: Path, scopes: tuple[str, ...]) -> bool:
    """Whether the cached sign-in was granted every scope asked for now."""
    try:
        granted = json.loads(path.read_text(encoding="utf-8")).get("scopes") or []
    except (OSError, ValueError, AttributeError):
        return False
    return set(scopes) <= set(granted if isinstance(granted, list) else [granted])


def save_token(path: Path, token_json: str) -> None:
    """Write the OAuth token readable by its owner only (0600), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # O_CREAT's mode does not apply to an existing file
        os.write(fd, token_json.encode("utf-8"))
    finally:
        os.close(fd)
    os.replace(temporary, path)
