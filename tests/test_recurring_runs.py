"""Recurring plans through whole runs (`sheetbill run --as-of`): a real workbook, the
state database, the Log and the outbox, read back with calamine."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from recurring_helpers import (
    MONTHLY,
    clear_row,
    edit_row,
    plan_shop,
    records,
    recurring_lines,
    run,
)
from sending_run_helpers import outbox_messages, set_setting

from sheetbill.cli import main

D = Decimal
OK = (0, 1)


def _periods_billed(book: Path, plan_id: str) -> list[tuple[str, str]]:
    """(invoice number, line description) of each line billed from the plan."""
    return [
        (str(r["Invoice No"]), str(r["Description"]))
        for r in recurring_lines(book, plan_id)
    ]


def _plan_row(book: Path, plan_id: str = "P-001") -> dict[str, object]:
    return next(r for r in records(book, "Recurring") if r["Plan ID"] == plan_id)


def test_three_months_of_downtime_bill_three_invoices_in_period_order(
    tmp_path: Path,
) -> None:
    book = plan_shop(tmp_path, [MONTHLY])
    assert run(book, "2026-08-03") in OK
    assert _periods_billed(book, "P-001") == [
        ("INV-2026-0001", "Support plan, August 2026")
    ]
    assert run(book, "2026-11-02") in OK
    billed = _periods_billed(book, "P-001")
    assert [d for _, d in billed] == [
        "Support plan, August 2026",
        "Support plan, September 2026",
        "Support plan, October 2026",
        "Support plan, November 2026",
    ]
    numbers = [n for n, _ in billed]
    assert numbers == sorted(numbers) and len(set(numbers)) == 4
    row = _plan_row(book)
    assert row["Last Invoice"] == numbers[-1]
    assert str(row["Next Date"]).startswith("2026-12-01")


def test_a_rerun_on_the_same_day_bills_and_writes_nothing(tmp_path: Path) -> None:
    book = plan_shop(tmp_path, [MONTHLY])
    assert run(book, "2026-10-05") in OK
    before = book.read_bytes()
    assert run(book, "2026-10-05") in OK
    assert _periods_billed(book, "P-001") == _periods_billed(book, "P-001")
    assert len(_periods_billed(book, "P-001")) == 3
    assert book.read_bytes() == before


def test_next_date_set_back_by_hand_bills_nothing_again_and_says_so(
    tmp_path: Path,
) -> None:
    book = plan_shop(tmp_path, [MONTHLY])
    assert run(book, "2026-09-02") in OK
    edit_row(book, "Recurring", 2, {"Next Date": date(2026, 8, 1)})
    assert run(book, "2026-09-03") in OK
    assert len(_periods_billed(book, "P-001")) == 2
    problems = [
        r for r in records(book, "Exceptions") if r.get("Column") == "Next Date"
    ]
    assert problems, records(book, "Exceptions")
    assert str(_plan_row(book)["Next Date"]).startswith("2026-10-01")


def test_a_copied_plan_row_bills_neither_copy(tmp_path: Path) -> None:
    book = plan_shop(tmp_path, [MONTHLY, MONTHLY])
    assert run(book, "2026-09-02") == 1
    assert _periods_billed(book, "P-001") == []
    flagged = [r for r in records(book, "Exceptions") if r.get("Column") == "Plan ID"]
    assert {r["Row"] for r in flagged} == {2, 3}


def test_a_deleted_plan_row_stops_the_plan_and_the_log_says_so_once(
    tmp_path: Path,
) -> None:
    book = plan_shop(tmp_path, [MONTHLY])
    assert run(book, "2026-09-02") in OK
    clear_row(book, "Recurring", 2)
    assert run(book, "2026-10-02") in OK
    assert run(book, "2026-11-02") in OK
    assert len(_periods_billed(book, "P-001")) == 2
    removed = [r for r in records(book, "Log") if r.get("Action") == "plan removed"]
    assert len(removed) == 1 and removed[0]["Invoice"] == "P-001"


def test_a_paused_plan_skips_its_periods_for_good_and_resumes(tmp_path: Path) -> None:
    book = plan_shop(tmp_path, [MONTHLY])
    assert run(book, "2026-08-03") in OK
    edit_row(book, "Recurring", 2, {"Active": "no"})
    assert run(book, "2026-09-02") in OK
    assert run(book, "2026-10-02") in OK
    assert _plan_row(book)["Next Date"] in (None, "")
    edit_row(book, "Recurring", 2, {"Active": "yes"})
    assert run(book, "2026-10-20") in OK
    assert run(book, "2026-11-02") in OK
    assert [d for _, d in _periods_billed(book, "P-001")] == [
        "Support plan, August 2026",
        "Support plan, November 2026",
    ]
    skipped = [r for r in records(book, "Log") if r.get("Action") == "period skipped"]
    assert len(skipped) == 2


def test_a_price_change_applies_from_the_next_period_only(tmp_path: Path) -> None:
    book = plan_shop(tmp_path, [MONTHLY])
    assert run(book, "2026-09-02") in OK
    edit_row(book, "Recurring", 2, {"Unit Price": D(550)})
    assert run(book, "2026-10-02") in OK
    prices = [D(str(r["Unit Price"])) for r in recurring_lines(book, "P-001")]
    assert prices == [D(500), D(500), D(550)]


def test_a_retainer_draws_hours_down_bills_the_extra_and_marks_its_rows(
    tmp_path: Path,
) -> None:
    retainer = {
        **MONTHLY,
        "Customer ID": "C001",
        "Description": "Maintenance retainer",
        "Unit Price": D(1500),
        "Included Hours": D(10),
        "Project": "Warehouse App",
    }
    rows = [
        {
            "Date": date(2026, 9, day),
            "Person": "David Kim",
            "Customer ID": "C001",
            "Project": "Warehouse App",
            "Activity": "Development",
            "Hours": D(4),
            "Billable": "yes",
            "Approved": "yes",
        }
        for day in (1, 2, 3)
    ]
    book = plan_shop(tmp_path, [retainer], time_rows=rows)
    # September's rows wait for September's period (billed in arrears).
    assert run(book, "2026-09-20") in OK
    assert all(not r.get("Invoice No") for r in records(book, "Time Log"))
    assert run(book, "2026-10-01") in OK
    september = [
        r
        for r in recurring_lines(book, "P-001")
        if "September" in str(r["Description"])
    ]
    assert september, recurring_lines(book, "P-001")
    number = september[0]["Invoice No"]
    lines = [r for r in records(book, "Invoice Lines") if r["Invoice No"] == number]
    extra = [r for r in lines if D(str(r["Unit Price"])) == D(90)]
    assert extra and D(str(extra[0]["Quantity"])) == D(2)
    assert {r["Invoice No"] for r in records(book, "Time Log")} == {number}


def test_auto_send_emails_the_invoice_and_no_leaves_it_for_review(
    tmp_path: Path,
) -> None:
    sent = {**MONTHLY, "Auto Send": "yes"}
    held = {**MONTHLY, "Plan ID": "P-002", "Customer ID": "C002", "Auto Send": "no"}
    book = plan_shop(tmp_path, [sent, held])
    assert run(book, "2026-08-03") in OK
    messages = outbox_messages(tmp_path / "outbox")
    invoices = [m for m in messages if "invoice" in str(m["Message-ID"])]
    assert [m["To"] for m in invoices] == ["faktura@fjord.example"]


def test_dry_run_as_of_lists_the_periods_it_would_bill_and_changes_nothing(
    tmp_path: Path, capsys: object
) -> None:
    book = plan_shop(tmp_path, [MONTHLY])
    before = book.read_bytes()
    assert (
        main(["run", str(book), "--dry-run", "--as-of", "2026-10-15", "--json"]) in OK
    )
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "P-001" in out and "2026-10-01" in out and "2026-08-01" in out
    assert book.read_bytes() == before


def test_state_rebuild_keeps_the_periods_billed(tmp_path: Path) -> None:
    book = plan_shop(tmp_path, [MONTHLY])
    assert run(book, "2026-09-02") in OK
    assert main(["state", "rebuild", str(book)]) in OK
    assert run(book, "2026-09-03") in OK
    assert len(_periods_billed(book, "P-001")) == 2


def test_the_log_and_issue_date_of_a_catch_up_invoice(tmp_path: Path) -> None:
    book = plan_shop(tmp_path, [MONTHLY])
    assert run(book, "2026-10-05") in OK
    issued = {str(r["Invoice No"]): r["Issue Date"] for r in records(book, "Invoices")}
    assert len(issued) == 3
    assert all(str(d).startswith("2026-10-05") for d in issued.values()), issued


def test_auto_send_yes_under_after_review_waits_and_says_why(tmp_path: Path) -> None:
    book = plan_shop(tmp_path, [{**MONTHLY, "Auto Send": "yes"}])
    set_setting(book, "Send Invoices", "after review")
    assert run(book, "2026-08-03") == 1
    invoices = [
        m
        for m in outbox_messages(tmp_path / "outbox")
        if "invoice" in str(m["Message-ID"])
    ]
    assert invoices == []
    (held,) = [r for r in records(book, "Exceptions") if r.get("Column") == "Auto Send"]
    assert held["Row"] == 2 and "after review" in str(held["Problem"])


def test_a_renamed_plan_id_bills_nothing_again_and_says_why(tmp_path: Path) -> None:
    book = plan_shop(tmp_path, [MONTHLY])
    assert run(book, "2026-09-02") in OK
    edit_row(book, "Recurring", 2, {"Plan ID": "P-001-SUPPORT"})
    assert run(book, "2026-09-03") == 1
    assert recurring_lines(book, "P-001-SUPPORT") == []
    (renamed,) = [
        r for r in records(book, "Exceptions") if r.get("Column") == "Plan ID"
    ]
    assert "P-001" in str(renamed["Problem"])


def test_a_plan_id_typed_in_another_case_and_back_bills_each_period_once(
    tmp_path: Path,
) -> None:
    book = plan_shop(tmp_path, [MONTHLY])
    assert run(book, "2026-09-01") in OK
    edit_row(book, "Recurring", 2, {"Plan ID": "p-001"})
    assert run(book, "2026-10-01") in OK
    edit_row(book, "Recurring", 2, {"Plan ID": "P-001"})
    assert run(book, "2026-11-01") in OK
    assert run(book, "2026-11-02") in OK
    lines = [
        str(r["Description"])
        for r in records(book, "Invoice Lines")
        if str(r.get("Source", "")).casefold().startswith("recurring p-001,")
    ]
    assert lines == [
        "Support plan, August 2026",
        "Support plan, September 2026",
        "Support plan, October 2026",
        "Support plan, November 2026",
    ]


def test_an_interval_too_large_for_any_schedule_is_an_error_on_its_cell(
    tmp_path: Path,
) -> None:
    book = plan_shop(tmp_path, [{**MONTHLY, "Interval": D(999_999_999_999)}])
    assert run(book, "2026-09-02") == 1
    (bad,) = [r for r in records(book, "Exceptions") if r.get("Column") == "Interval"]
    assert bad["Row"] == 2
