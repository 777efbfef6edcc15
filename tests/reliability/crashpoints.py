"""The crash-point harness: stop a real run at the n-th side effect of a kind, as a
kill -9 would, rerun it, and check that nothing was billed twice, lost or skipped.

A side effect is a named *patch point* in `EFFECTS` (module, function, before or
after the call); the run is the real CLI (`sheetbill.cli.main`) in a child process
forked from a helper process that imported sheetbill once (`Runs`), so a run costs
no import. The child counts every point it passes and, at the n-th call of the one
it was told, kills itself with SIGKILL: no `finally`, no flush, no lock released
but by the kernel. `tests/reliability/test_crash_points.py` drives it.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import os
import re
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from cli_runs import drawn, state_of
from readback import calamine_records

HERE = Path(__file__).resolve().parent
# What a person does after a crash when the rerun's message asks for it: given the
# workbook and the message.
WayOut = Callable[[Path, str], None]


def put_back_the_named_backup(book: Path, message: str) -> None:
    """What "no such file" asks after a run killed between moving the workbook into
    its backups and linking the new one in: the backup it names, put back."""
    named = re.search(r"(\S*\.sheetbill-backups/\S+?\.xlsx)", message)
    assert named, message
    backup = Path(named[1])
    backup = backup if backup.is_absolute() else book.parent / backup
    os.replace(backup, book)


# Between moving the workbook into its backups and linking the new one in, the
# workbook's name is briefly absent (docs/decisions.md, "A person's save is never
# lost"); the rerun then stops in one line naming the backup to put back.
WAY_OUT = put_back_the_named_backup


@dataclass(frozen=True, slots=True)
class Effect:
    """One kind of side effect: `target` is "module:function" or
    "module:Class.method"; the run dies `when` before or after that call."""

    name: str
    target: str
    when: Literal["before", "after"] = "after"
    # A crash here leaves what the rerun refuses in one line, asking a person to
    # act: what they do, as the message says, before running again.
    way_out: WayOut | None = None
    # Only calls whose arguments this accepts count (for a journal that records
    # many kinds through one function: `lambda args, kwargs: args[1] == "pdf"`).
    counts: Callable[[tuple[Any, ...], dict[str, Any]], bool] | None = None


# The functions that do them, by module (shortens the rows below).
DB = "sheetbill.state:StateDB."
JOURNAL = "sheetbill.state.journal:"
APPROVALS = "sheetbill.state.approvals:"
FILES = "sheetbill.documents.files:"
EXCEL = "sheetbill.workbook.excel:"
OUTBOX = "sheetbill.mail.outbox:"


def _of_emails(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """A journal call about an email (`intend_in(db, intent)`, `settle_in`)."""
    return getattr(args[1], "kind", "") == "email.send"


# Every side effect a run has, in the order a run reaches them. A later feature adds
# its kinds here (one row each); when the journal takes over a kind, its row's target
# becomes the journal's function (with `counts` picking the kind).
EFFECTS: tuple[Effect, ...] = (
    Effect("paused periods recorded", DB + "record_plan_decisions"),
    Effect("numbers drawn", DB + "record_pending"),
    Effect("approvals recorded", APPROVALS + "record_run_approvals"),
    Effect("document files intended", DB + "record_file_intents"),
    Effect("document temp file written", FILES + "_temp_beside"),
    Effect("document file written", FILES + "write_owned"),
    Effect("PDFs recorded", DB + "record_documents"),
    Effect("document intents cleared", DB + "clear_file_intents"),
    Effect("PDF uploaded", DB + "record_upload"),  # Drive only
    Effect("payments recorded", DB + "record_payments"),
    Effect("email skips recorded", DB + "record_skips"),
    Effect("email intended", JOURNAL + "intend_in", counts=_of_emails),
    Effect("email handed over", OUTBOX + "OutboxSession.send"),
    Effect("email outcome recorded", JOURNAL + "settle_in", counts=_of_emails),
    Effect("workbook save started", EXCEL + "ExcelWorkbook.apply", "before"),
    Effect("workbook temp file written", EXCEL + "_write_temp"),
    Effect("workbook moved into backups", EXCEL + "_link_in", "before", WAY_OUT),
    Effect("workbook linked in", EXCEL + "_link_in"),
    Effect("workbook saved", EXCEL + "ExcelWorkbook.apply"),
    Effect("invoices marked written", DB + "mark_written"),
    Effect("journal outcome recorded", JOURNAL + "settle_in"),
    Effect("journal outcomes recorded together", JOURNAL + "settle_keys_in"),
    Effect("approvals marked shown", APPROVALS + "mark_approvals_shown"),
    Effect("payments marked written", DB + "mark_payments_written"),
)
BY_NAME = {effect.name: effect for effect in EFFECTS}


# -- in the child: the run with its effects counted ------------------------------------


def _resolve(target: str) -> tuple[Any, str, Any]:
    """(owner, attribute name, original) of a patch point."""
    module_name, _, path = target.partition(":")
    owner: Any = importlib.import_module(module_name)
    *parents, attr = path.split(".")
    for parent in parents:
        owner = getattr(owner, parent)
    # A method StateDB has from one of its parts (state/invoices.py, documents.py) is
    # patched on StateDB itself.
    original = owner.__dict__[attr] if attr in vars(owner) else getattr(owner, attr)
    return owner, attr, original


def _replace(owner: Any, attr: str, original: Any, replacement: Any) -> None:
    """Put `replacement` where `original` is: on its class, or in every sheetbill
    module that imported the function by name (as `from x import f` does)."""
    if isinstance(owner, type):
        setattr(owner, attr, replacement)
        return
    for module in list(sys.modules.values()):
        if not getattr(module, "__name__", "").startswith("sheetbill"):
            continue
        for name, value in list(vars(module).items()):
            if value is original:
                setattr(module, name, replacement)


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _counting(
    effects: list[Effect],
    function: Callable[..., Any],
    counts: Counter[str],
    crash: tuple[str, int] | None,
) -> Callable[..., Any]:
    def counted(*args: Any, **kwargs: Any) -> Any:
        due = []
        for effect in effects:
            if effect.counts is None or effect.counts(args, kwargs):
                counts[effect.name] += 1
                if crash == (effect.name, counts[effect.name]):
                    due.append(effect)
        if any(e.when == "before" for e in due):
            _die()
        result = function(*args, **kwargs)
        if due:
            _die()
        return result

    return counted


def _install(crash: tuple[str, int] | None) -> Counter[str]:
    """Count every effect from now on; die at the n-th call of the one named."""
    counts: Counter[str] = Counter()
    by_target: dict[str, list[Effect]] = {}
    for effect in EFFECTS:
        by_target.setdefault(effect.target, []).append(effect)
    for target, effects in by_target.items():
        owner, attr, original = _resolve(target)
        is_static = isinstance(original, staticmethod)
        function = original.__func__ if is_static else original
        counted = _counting(effects, function, counts, crash)
        _replace(owner, attr, original, staticmethod(counted) if is_static else counted)
    return counts


# Beside the shop's folder: every Message-ID handed to the outbox by any run of it,
# one per line, written before the hand-over (it survives a kill -9).
HANDED_OVER = "handed-over.txt"


def _note_handed_over(path: Path) -> None:
    """Each email handed to the outbox is noted first, so that a test sees one
    handed over twice even where the outbox keeps the first file."""
    from sheetbill.mail.outbox import OutboxSession

    original = OutboxSession.send

    def send(session: Any, email: Any) -> Any:
        with path.open("a", encoding="utf-8") as noted:
            noted.write(email.message_id + "\n")
        return original(session, email)

    OutboxSession.send = send  # type: ignore[method-assign]


def _render_in_this_process() -> None:
    """PDFs are made by this process alone: the pool's workers come from a fork
    server the patches do not reach, and a kill -9 of the run would leave them to
    finish their file unseen."""
    from sheetbill.documents import pool

    original = pool._render_pooled
    _replace(
        pool, "_render_pooled", original, lambda jobs, workers: pool._render_all(jobs)
    )


PRELOAD = ("sheetbill.cli", "sheetbill.usecases.run", "sheetbill.documents.render")


def run_child(request: Mapping[str, Any]) -> int:
    """The CLI as `request` says (folder, args, crash, where output and the counts
    go), in this process, which it may kill; the exit code."""
    os.chdir(request["folder"])
    for fd, name in ((1, "stdout"), (2, "stderr")):
        out = os.open(request[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(out, fd)
        os.close(out)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    sys.stdin = open(0, closefd=False)  # noqa: SIM115 - fd 0, never closed here
    sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
    for module in PRELOAD:
        importlib.import_module(module)
    crash = request.get("crash")
    _note_handed_over(Path(request["folder"]).parent / HANDED_OVER)
    counts = _install((crash[0], crash[1]) if crash else None)
    _render_in_this_process()
    from sheetbill.cli import main

    try:
        code = main(request["args"])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    except BaseException:
        traceback.print_exc()
        code = 70
    if request.get("counts"):
        Path(request["counts"]).write_text(json.dumps(counts))
    sys.stdout.flush()
    sys.stderr.flush()
    return code


def serve() -> None:
    """The helper process: imports sheetbill once, then forks a child per request
    line on stdin and answers each with a line: its pid, then its exit code (-9 when
    killed)."""
    # Also what sheetbill's own PDF fork server loads: fonts and templates, warm.
    for module in (*PRELOAD, "sheetbill.documents.warmup"):
        importlib.import_module(module)
    answers = sys.stdout
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            code = 70
            try:
                code = run_child(request)
            except BaseException:
                traceback.print_exc()  # into the run's stderr file
                sys.stderr.flush()
            finally:
                os._exit(code)
        answers.write(json.dumps({"pid": pid}) + "\n")
        answers.flush()
        _, status = os.waitpid(pid, 0)
        answers.write(json.dumps({"code": os.waitstatus_to_exitcode(status)}) + "\n")
        answers.flush()


# -- in the test: runs, and what must hold after them ----------------------------------


@dataclass(frozen=True, slots=True)
class Done:
    code: int
    stdout: str
    stderr: str
    counts: Mapping[str, int] = field(default_factory=dict)


_BOOT = (
    f"import sys; sys.path[:0] = [{str(HERE)!r}, {str(HERE.parent)!r}]; "
    "import crashpoints; "
)


class Runs:
    """Runs of the CLI in child processes: forked from a helper that imported
    sheetbill once (`forked`), or each in a new interpreter (`spawned`)."""

    TIMEOUT = 300.0

    def __init__(self, *, mode: Literal["forked", "spawned"] = "forked") -> None:
        self.mode = mode
        self._server: subprocess.Popen[bytes] | None = None
        self._answers = b""
        self._env = {**os.environ, "PYTHONPATH": str(HERE.parents[1])}

    def close(self) -> None:
        if self._server is not None:
            assert self._server.stdin is not None
            self._server.stdin.close()
            self._server.wait(timeout=30)
            self._server = None

    def run(
        self,
        folder: Path,
        *args: str,
        crash: tuple[str, int] | None = None,
        count: bool = False,
    ) -> Done:
        out = folder.parent / f".{folder.name}-run"
        out.mkdir(exist_ok=True)
        request = {
            "folder": str(folder),
            "args": list(args),
            "crash": list(crash) if crash else None,
            "stdout": str(out / "stdout"),
            "stderr": str(out / "stderr"),
            "counts": str(out / "counts.json") if count else None,
        }
        (out / "counts.json").unlink(missing_ok=True)
        if self.mode == "spawned":
            code = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    _BOOT + "sys.exit(crashpoints.run_child("
                    "__import__('json').loads(sys.argv[1])))",
                    json.dumps(request),
                ],
                env=self._env,
                check=False,
                timeout=self.TIMEOUT,
            ).returncode
        else:
            code = self._forked(request)
        # None when the run was killed, or failed before it counted.
        written = out / "counts.json"
        counts = json.loads(written.read_text()) if written.exists() else {}
        return Done(
            code, (out / "stdout").read_text(), (out / "stderr").read_text(), counts
        )

    def _forked(self, request: Mapping[str, Any]) -> int:
        if self._server is None:
            self._server = subprocess.Popen(
                [sys.executable, "-c", _BOOT + "crashpoints.serve()"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                bufsize=0,
                env=self._env,
            )
            self._answers = b""
        assert self._server.stdin is not None
        self._server.stdin.write(json.dumps(request).encode() + b"\n")
        pid = json.loads(self._answer(None))["pid"]
        return int(json.loads(self._answer(pid))["code"])

    def _answer(self, pid: int | None) -> bytes:
        """The helper's next line, read unbuffered so that a line already read
        never waits behind `select`; a run that hangs is killed."""
        assert self._server is not None and self._server.stdout is not None
        answers = self._server.stdout.fileno()
        while b"\n" not in self._answers:
            ready, _, _ = select.select([answers], [], [], self.TIMEOUT)
            if not ready:
                if pid is not None:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                self._server.kill()
                self._server = None
                raise AssertionError(f"a run took more than {self.TIMEOUT} s")
            chunk = os.read(answers, 4096)
            assert chunk, "the helper process that forks the runs died"
            self._answers += chunk
        line, _, self._answers = self._answers.partition(b"\n")
        return line


def age_temp_files(folder: Path, seconds: float = 3600) -> list[str]:
    """Make the temp files a killed run left look `seconds` old, as they are when a
    person reruns later: a run removes only those older than a minute (another
    process may be writing one right now). Their names, relative to `folder`."""
    found = []
    then = time.time() - seconds
    for path in folder.rglob("*"):
        if _is_temp(path.name):
            os.utime(path, (then, then), follow_symlinks=False)
            found.append(path.relative_to(folder).as_posix())
    return sorted(found)


def _is_temp(name: str) -> bool:
    return name.endswith((".sheetbill-tmp", ".tmp"))


# -- the invariants --------------------------------------------------------------------

SERIES = re.compile(r"(?P<prefix>.*\D)(?P<seq>\d+)\Z")
ROW_ID = re.compile(r"\b([A-Z])-(\d+)\b(?:\s*[–-]\s*\1-(\d+)\b)?")
BILLED_TABS = ("Time Log", "Orders")
COMPARED_TABS = (
    "Invoices",
    "Invoice Lines",
    "Time Log",
    "Orders",
    "Exceptions",
    "Payments",
)


def source_row_ids(text: str) -> list[str]:
    """The Row IDs a Source cell names, ranges (an en dash) expanded; a recurring
    plan's line names its period (`P-001@2026-11-01`), billed once like a row."""
    from sheetbill.domain.recurring import period_key, recurring_source

    period = recurring_source(text)
    if period is not None:
        return [period_key(*period)]
    found = []
    for match in ROW_ID.finditer(text):
        letter, first, last = match[1], match[2], match[3]
        end = int(last) if last else int(first)
        found += [f"{letter}-{n:0{len(first)}d}" for n in range(int(first), end + 1)]
    return found


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a run left, as the invariants read it."""

    tabs: Mapping[str, list[dict[str, object]]]
    # File name -> sha256 of every file in the PDF folder.
    documents: Mapping[str, str]
    counters: Mapping[str, int]
    withdrawn: tuple[str, ...]
    logged_withdrawn: tuple[str, ...]
    # Every email in the journal: key -> status.
    emails: Mapping[str, str] = field(default_factory=dict)


def outcome_of(book: Path) -> Outcome:
    """The workbook (read by calamine and openpyxl: it must open in both), its PDF
    folder and its state database."""
    import openpyxl

    openpyxl.load_workbook(book).close()
    tabs = {tab: calamine_records(book, tab) for tab in COMPARED_TABS}
    logged = tuple(
        str(r["Invoice"])
        for r in calamine_records(book, "Log")
        if r["Action"] == "number withdrawn"
    )
    folder = book.parent / "invoices"
    documents = (
        {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir())
            if p.is_file() and not p.name.startswith(".")
        }
        if folder.is_dir()
        else {}
    )
    state = sqlite3.connect(state_of(book))
    try:
        withdrawn = tuple(n for (n,) in state.execute("SELECT number FROM withdrawn"))
        emails = dict(
            state.execute("SELECT key, status FROM journal WHERE kind = 'email.send'")
        )
    finally:
        state.close()
    return Outcome(tabs, documents, drawn(state_of(book)), withdrawn, logged, emails)


def assert_invariants(book: Path, outcome: Outcome) -> None:
    """What holds after any run, however the one before it ended."""
    invoices = [str(r["Invoice No"]) for r in outcome.tabs["Invoices"]]
    # Every number once; every number up to the counter shown or withdrawn (with a
    # Log row saying why), none skipped silently.
    assert len(invoices) == len(set(invoices)), f"a number twice: {invoices}"
    assert not set(invoices) & set(outcome.withdrawn), "a withdrawn number shown"
    assert set(outcome.withdrawn) <= set(outcome.logged_withdrawn), outcome
    by_series: dict[str, set[int]] = {}
    for number in [*invoices, *outcome.withdrawn]:
        match = SERIES.match(number)
        assert match, number
        by_series.setdefault(match["prefix"], set()).add(int(match["seq"]))
    # A counter is kept per series, by its pattern: "INV-2026-{seq:04}".
    counters = {
        re.sub(r"\{seq[^}]*\}\Z", "", series): last
        for series, last in outcome.counters.items()
        if not series.startswith("#")
    }
    assert counters == {p: max(seqs) for p, seqs in by_series.items()}, counters
    for prefix, seqs in by_series.items():
        skipped = set(range(1, max(seqs) + 1)) - seqs
        assert not skipped, f"{prefix} numbers skipped silently: {sorted(skipped)}"
    # One PDF per invoice, none for a number no invoice has; the PDF cell finds it.
    stems = {name.rsplit(".", 1)[0] for name in outcome.documents}
    assert stems == set(invoices), (sorted(stems), invoices)
    for row in outcome.tabs["Invoices"]:
        assert (book.parent / str(row["PDF"])).is_file(), row
    # Every billed row on exactly one invoice line, of the invoice its row names.
    lines: dict[str, list[str]] = {}
    for line in outcome.tabs["Invoice Lines"]:
        assert line["Invoice No"] in invoices, line
        for row_id in source_row_ids(str(line["Source"])):
            lines.setdefault(row_id, []).append(str(line["Invoice No"]))
    twice = {row_id: on for row_id, on in lines.items() if len(on) > 1}
    assert not twice, f"billed twice: {twice}"
    billed = {
        str(r["Row ID"]): str(r["Invoice No"])
        for tab in BILLED_TABS
        for r in outcome.tabs[tab]
        if r["Row ID"]
    }
    row_ids = [str(r["Row ID"]) for tab in BILLED_TABS for r in outcome.tabs[tab]]
    assert len([r for r in row_ids if r]) == len(billed), "a Row ID twice"
    # A plan's period shows on its line only (its row gets Last Invoice).
    on_rows = {k: on[0] for k, on in lines.items() if "@" not in k}
    assert billed == on_rows, "rows and lines differ"
    # Every Payments row with one Row ID of its own.
    payment_ids = [str(r["Row ID"]) for r in outcome.tabs["Payments"]]
    assert all(payment_ids), f"a payment without its Row ID: {payment_ids}"
    assert len(payment_ids) == len(set(payment_ids)), f"a Row ID twice: {payment_ids}"


def assert_no_temp_files(book: Path) -> None:
    left = [
        p.relative_to(book.parent).as_posix()
        for p in book.parent.rglob("*")
        if _is_temp(p.name)
    ]
    assert not left, f"temp files left: {left}"


# What sending writes: when an email went (a clock time) and what came of it; a run
# stopped while handing one over leaves it needs review (`assert_emails`).
SENDING_COLUMNS = ("Status", "Sent At", "Reminder Stage", "Last Reminder")


def _billing_of(tab: str, rows: list[dict[str, object]]) -> list[dict[str, object]]:
    if tab == "Invoices":
        return [{k: v for k, v in r.items() if k not in SENDING_COLUMNS} for r in rows]
    if tab == "Exceptions":
        return [r for r in rows if "email" not in str(r["Problem"]).casefold()]
    return rows


def assert_same_billing(outcome: Outcome, clean: Outcome) -> None:
    """Nothing lost, nothing added: the tabs a run writes (but what sending writes:
    `assert_emails`), every document and the counters are those of a run never
    stopped."""
    for tab in COMPARED_TABS:
        assert _billing_of(tab, outcome.tabs[tab]) == _billing_of(
            tab, clean.tabs[tab]
        ), f"{tab} differs from a clean run"
    assert outcome.documents == clean.documents
    assert outcome.counters == clean.counters


def assert_emails(book: Path, outcome: Outcome, clean: Outcome) -> None:
    """No email handed over twice; none to a customer lost (every one of a clean
    run is in the journal, sent or needs review); each invoice's Status says
    which."""
    noted = book.parent.parent / HANDED_OVER
    handed = noted.read_text().split() if noted.exists() else []
    assert len(handed) == len(set(handed)), f"handed over twice: {handed}"
    # The owners' digests may differ: a stopped send is itself a problem to tell.
    customers = {k for k in outcome.emails if not k.startswith("digest.")}
    assert customers == {k for k in clean.emails if not k.startswith("digest.")}, (
        "an email lost or added"
    )
    assert set(outcome.emails.values()) <= {"done", "unknown"}, outcome.emails
    statuses = {str(r["Invoice No"]): r["Status"] for r in outcome.tabs["Invoices"]}
    for key, status in outcome.emails.items():
        number = key.split(".")[0] if not key.startswith("digest.") else ""
        if number and status == "unknown":
            assert statuses[number] == "needs review", (key, statuses[number])
        elif number and key.endswith(".invoice"):
            assert statuses[number] != "needs review", (key, statuses[number])


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` but the state database's and the lock, by name."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".sheetbill.sqlite" not in p.name
    }


def state_dump(book: Path) -> list[str]:
    state = sqlite3.connect(state_of(book))
    try:
        return list(state.iterdump())
    finally:
        state.close()


def copy_book(source: Path, folder: Path, *, toml: str = "backups = 5\n") -> Path:
    folder.mkdir(parents=True)
    book = folder / "shop.xlsx"
    shutil.copyfile(source, book)
    (folder / "sheetbill.toml").write_text(toml)
    return book


__all__ = [
    "EFFECTS",
    "Done",
    "Effect",
    "Outcome",
    "Runs",
    "age_temp_files",
    "assert_invariants",
    "assert_no_temp_files",
    "assert_same_billing",
]
