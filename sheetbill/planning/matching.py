"""Which invoices each payment settles, and the evidence for it, in a person's words.

Pure. The rules, tried in order for each payment (issue 15, point 2; the shared
design): an Invoice No a person typed (PERSON); an earlier run's match of an unchanged
row (KEPT); invoice numbers inside the reference (REFERENCE); for a refund, the
processor charge it names (REFUND_OF_CHARGE); the payer's only open invoice of that
amount (PAYER_AMOUNT) or the sum of all its open invoices (PAYER_SUM); the only open
invoice of that amount in the date window (AMOUNT_DATE); a processor's payout
(PAYOUT). Never a guess: where several invoices fit the payment is *ambiguous*, where
none does *unmatched*, each with the invoices looked at and why each was not taken.
Amounts are compared in the currency's minor units; each payment consumes the
balances it settles, so later payments see what is left. Decisions already taken —
a person's typed Invoice No and an earlier run's kept match — are applied first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta

from sheetbill.domain.payments import (
    Allocation,
    Candidate,
    Match,
    Matching,
    MatchRule,
    MatchSettings,
    OpenInvoice,
    Payer,
    Payment,
    PaymentStatus,
    TransactionKind,
    paid_by_invoice,
)
from sheetbill.domain.wording import amount_text, counted
from sheetbill.planning.matching_books import (
    Balances,
    Payers,
    Payouts,
    Who,
    major,
    minor,
    money_text,
)
from sheetbill.planning.matching_problems import match_problems
from sheetbill.planning.matching_text import NumberFinder, ids_named

__all__ = ["match_payments", "match_problems"]

# Exceptions are tried again each run (an invoice issued since may settle them);
# every other earlier match is a decision, kept as it was.
_TRIED_AGAIN = frozenset(
    {
        PaymentStatus.UNMATCHED,
        PaymentStatus.AMBIGUOUS,
        PaymentStatus.CURRENCY_MISMATCH,
    }
)


@dataclass(slots=True)
class _State:
    """The matcher's knowledge during one call: balances, indexes, and the charges
    matched so far (a refund of a charge finds its invoice through them)."""

    books: Balances
    numbers: NumberFinder
    payers: Payers
    payouts: Payouts
    settings: MatchSettings
    # Charge transaction id -> the charge, for refunds naming it.
    charges: dict[str, Payment]
    # Charges not matched yet: a refund naming one waits for it.
    undecided: set[str]
    charge_matches: dict[str, Match] = field(default_factory=dict)

    def apply(self, payment: Payment, match: Match) -> None:
        for allocation in match.allocations:
            invoice = self.books.invoices.get(allocation.number)
            if invoice is not None:
                share = minor(allocation.amount, invoice.currency)
                self.books.change(allocation.number, -share)
        if payment.transaction_id in self.charges:
            self.undecided.discard(payment.transaction_id)
            if match.allocations and _is_money_in(payment):
                self.charge_matches[payment.transaction_id] = match


def _is_money_in(payment: Payment) -> bool:
    return payment.kind is not TransactionKind.REFUND and payment.amount > 0


def _is_refund(payment: Payment) -> bool:
    """Money given back: a refund or chargeback, or a negative amount typed."""
    return payment.kind is TransactionKind.REFUND or payment.amount < 0


# --- The matcher ------------------------------------------------------------------


def match_payments(
    payments: Sequence[Payment],
    invoices: Sequence[OpenInvoice],
    payers: Sequence[Payer],
    *,
    kept: Mapping[str, Match] = {},
    settings: MatchSettings = MatchSettings(),  # noqa: B008 - frozen value
) -> Matching:
    """Match each payment (in the order to apply: the caller sorts by date, row) to
    the open invoices, payers being the customers' names and accounts.

    `kept`: payment key -> its earlier match, applied first and as it was (an
    exception in it is tried again). Amounts in major units; compared in the
    currency's minor units (ISO 4217). Returns one `Match` per payment, in order,
    and Paid per invoice (sum of allocations, refunds negative). Raises nothing:
    every payment gets a status."""
    charges = {
        p.transaction_id: p
        for p in payments
        if p.transaction_id and _is_money_in(p) and p.kind is TransactionKind.PAYMENT
    }
    state = _State(
        books=Balances.of(invoices),
        numbers=NumberFinder.of(i.number for i in invoices),
        payers=Payers.of(payers),
        payouts=Payouts.of(payments),
        settings=settings,
        charges=charges,
        undecided=set(charges),
    )
    decided: dict[int, Match] = {}
    for index, payment in enumerate(payments):
        earlier = kept.get(payment.key)
        if payment.invoice_numbers and _is_matchable(payment):
            decided[index] = _typed(state, payment)
        elif earlier is not None and earlier.status not in _TRIED_AGAIN:
            decided[index] = replace(earlier, key=payment.key)
        else:
            continue
        state.apply(payment, decided[index])
    _match_the_rest(state, payments, decided, kept)
    matches = tuple(decided[i] for i in range(len(payments)))
    return Matching(matches, paid_by_invoice(matches))


def _match_the_rest(
    state: _State,
    payments: Sequence[Payment],
    decided: dict[int, Match],
    kept: Mapping[str, Match],
) -> None:
    """The payments no typed number or kept match decided, by the rules."""
    waiting: list[int] = []
    # New payments before earlier exceptions tried again: a run right after this
    # one finds the new ones kept (applied first), so the exceptions see the same
    # balances then as now, and the rerun changes nothing.
    undecided = [i for i in range(len(payments)) if i not in decided]
    retried = [i for i in undecided if payments[i].key in kept]
    for index in [*(i for i in undecided if i not in retried), *retried]:
        payment = payments[index]
        if index not in decided:
            match = _match_one(state, payment)
            if match is None:
                waiting.append(index)
                continue
            decided[index] = match
            state.apply(payment, match)
    for index in waiting:
        # A refund naming a charge that came after it in the order.
        last = _refund(state, payments[index], last_try=True)
        assert last is not None, "a refund's last try always answers"
        decided[index] = last
        state.apply(payments[index], last)


def _is_matchable(payment: Payment) -> bool:
    """Lines that may settle or reopen an invoice: not a payout, fee, zero amount."""
    return payment.amount != 0 and payment.kind not in (
        TransactionKind.PAYOUT,
        TransactionKind.FEE,
    )


def _match_one(state: _State, payment: Payment) -> Match | None:
    """The rules after PERSON and KEPT, in order; None: a refund waits for the
    charge it names."""
    if not _is_matchable(payment) or payment.kind is TransactionKind.OTHER:
        return _not_matched(state, payment)
    if _is_refund(payment):
        return _refund(state, payment, last_try=False)
    named = _by_reference(state, payment) or _payout_named(state, payment)
    if named is not None:
        return named
    who = state.payers.who(payment)
    by_payer = _by_payer(state, payment, who)
    if by_payer is not None:
        return by_payer
    inside, outside = _same_amount(state, payment, who)
    return (
        _by_amount_and_date(state, payment, who, inside)
        or _payout_by_sum(state, payment)
        or _unmatched(state, payment, who, outside)
    )


def _not_matched(state: _State, payment: Payment) -> Match:
    """Payout lines, fees, outgoing payments and zero amounts: nothing to match."""
    key = payment.key
    if payment.kind is TransactionKind.PAYOUT:
        count = state.payouts.charges.get(payment.payout, 0)
        note = f"payout {payment.payout or '(no id)'}: " + (
            _lines_matched(count) if count else "none of its charges is in the tab"
        )
        return Match(key, PaymentStatus.PAYOUT, note=note)
    if payment.amount == 0:
        note = "amount 0: nothing to match"
    elif payment.kind is TransactionKind.FEE:
        note = "a processor's fee: kept for the books, nothing to match"
    else:
        note = "money paid out that is no refund: nothing to match"
    return Match(key, PaymentStatus.IGNORED, note=note)


# --- Invoices named: typed, or in the reference ------------------------------------


def _typed(state: _State, payment: Payment) -> Match:
    """PERSON: the Invoice No typed wins; an unknown number or another currency is
    an exception and nothing is applied."""
    numbers: list[str] = []
    unknown: list[str] = []
    for typed in payment.invoice_numbers:
        found = state.numbers.typed(typed)
        if len(found) == 1:
            numbers.append(found[0])
        else:
            unknown.append(typed)
    if unknown:
        who = state.payers.who(payment)
        candidates = (
            _refund_candidates(state, payment, who)
            if _is_refund(payment)
            else _unmatched(state, payment, who).candidates
        )
        return Match(
            payment.key,
            PaymentStatus.UNMATCHED,
            MatchRule.PERSON,
            note=f"Invoice No typed: {', '.join(unknown)} is not the number of an "
            "invoice that may be paid",
            candidates=candidates,
            customer_id=who.customer,
        )
    numbers = list(dict.fromkeys(numbers))
    return _settle(state, payment, numbers, MatchRule.PERSON, "Invoice No typed:")


def _by_reference(state: _State, payment: Payment) -> Match | None:
    """REFERENCE: the invoice numbers the reference names, in the order written."""
    found = state.numbers.find(payment.reference)
    if not found:
        return None
    said = f'reference "{payment.reference}"'
    doubtful = [numbers for _, numbers in found if len(numbers) > 1]
    if doubtful:
        candidates = tuple(
            Candidate(n, "its number differs from another's only in punctuation")
            for n in doubtful[0]
        )
        return Match(
            payment.key,
            PaymentStatus.AMBIGUOUS,
            MatchRule.REFERENCE,
            note=f"{said} may name any of {', '.join(doubtful[0])}",
            candidates=candidates[: state.settings.max_candidates],
        )
    numbers = list(dict.fromkeys(n for _, (n,) in found))
    return _settle(state, payment, numbers, MatchRule.REFERENCE, f"{said} names")


def _other_currency(
    state: _State, payment: Payment, numbers: Sequence[str], rule: MatchRule, said: str
) -> Match | None:
    invoices = [state.books.invoices[n] for n in numbers]
    others = [i for i in invoices if i.currency != payment.currency]
    if not others:
        return None
    candidates = tuple(
        Candidate(i.number, f"in {i.currency}; the payment is in {payment.currency}")
        for i in others
    )
    currencies = ", ".join(sorted({i.currency for i in others}))
    return Match(
        payment.key,
        PaymentStatus.CURRENCY_MISMATCH,
        rule,
        note=f"{said} {_listed(list(numbers))}; {_listed([i.number for i in others])} "
        f"{'is' if len(others) == 1 else 'are'} invoiced in {currencies}, the payment "
        f"is in {payment.currency}: nothing applied",
        candidates=candidates[: state.settings.max_candidates],
        customer_id=invoices[0].customer_id,
    )


def _settle(
    state: _State, payment: Payment, numbers: Sequence[str], rule: MatchRule, said: str
) -> Match:
    """Money in for the invoices named, in order, each up to its open balance; what
    is left over is the customer's credit (an over-payment)."""
    if _is_refund(payment):
        return _give_back(state, payment, numbers, rule, said)
    mismatch = _other_currency(state, payment, numbers, rule, said)
    if mismatch is not None:
        return mismatch
    currency = payment.currency
    left = minor(payment.amount, currency)
    allocations: list[Allocation] = []
    shown: list[str] = []
    partial = ""
    for number in numbers:
        balance = max(state.books.left[number], 0)
        take = min(left, balance)
        left -= take
        allocations.append(Allocation(number, major(take, currency)))
        shown.append(
            f"{number} ({money_text(balance, currency)} open)"
            if balance
            else f"{number} (paid already)"
        )
        if 0 < take < balance:
            partial = (
                f"; partial: {number} keeps {money_text(balance - take, currency)} open"
            )
    customer = state.books.invoices[numbers[0]].customer_id
    note = f"{said} {_listed(shown)}{partial}"
    if left:
        note += (
            f"; {money_text(left, currency)} more than "
            f"{'their balances' if len(numbers) > 1 else 'its balance'}, "
            f"kept as customer {customer}'s credit"
        )
    return Match(
        payment.key,
        PaymentStatus.OVERPAID if left else PaymentStatus.MATCHED,
        rule,
        allocations=tuple(allocations),
        note=note,
        credit=major(left, currency),
        customer_id=customer,
    )


def _give_back(
    state: _State, payment: Payment, numbers: Sequence[str], rule: MatchRule, said: str
) -> Match:
    """A refund of the invoices named: each reopens by what was paid of it, at
    most; a refund beyond that pays back the customer's credit (a negative credit).
    Nothing paid on any of them: not applied."""
    mismatch = _other_currency(state, payment, numbers, rule, said)
    if mismatch is not None:
        return mismatch
    currency = payment.currency
    left = abs(minor(payment.amount, currency))
    allocations: list[Allocation] = []
    for number in numbers:
        take = min(left, max(state.books.paid_on(number), 0))
        left -= take
        if take:
            allocations.append(Allocation(number, -major(take, currency)))
    customer = state.books.invoices[numbers[0]].customer_id
    if not allocations:
        return Match(
            payment.key,
            PaymentStatus.UNMATCHED,
            rule,
            note=f"refund: {said} {_listed(list(numbers))}, on which nothing is paid",
            candidates=tuple(Candidate(n, "nothing is paid on it") for n in numbers),
            customer_id=customer,
        )
    said = f"refund: {said} {_listed(list(numbers))}"
    return _refunded(payment, allocations, left, rule, said, customer)


def _refunded(
    payment: Payment,
    allocations: Sequence[Allocation],
    left: int,
    rule: MatchRule,
    said: str,
    customer: str,
) -> Match:
    currency = payment.currency
    reopened = _listed(
        [f"{a.number} by {amount_text(-a.amount, currency)}" for a in allocations]
    )
    note = f"{said}; reopens {reopened}"
    if left:
        note += (
            f"; {money_text(left, currency)} more than was paid, taken from customer "
            f"{customer}'s credit"
        )
    return Match(
        payment.key,
        PaymentStatus.REFUNDED,
        rule,
        allocations=tuple(allocations),
        note=note,
        credit=-major(left, currency),
        customer_id=customer,
    )


def _listed(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


# --- Refunds ---------------------------------------------------------------------


def _refund(state: _State, payment: Payment, *, last_try: bool) -> Match | None:
    """A refund or chargeback: by the invoice numbers its reference names, else by
    the matched charge it names (REFUND_OF_CHARGE). None: the charge it names is
    not decided yet (it comes later in the order); `last_try` answers anyway."""
    by_reference = _by_reference(state, payment)
    if by_reference is not None:
        return by_reference
    named = ids_named(payment.reference, state.charges) if state.charges else []
    for charge_id in named:
        match = state.charge_matches.get(charge_id)
        if match is not None:
            return _refund_of_charge(state, payment, charge_id, match)
    if not last_try and any(c in state.undecided for c in named):
        return None
    who = state.payers.who(payment)
    if named:
        charge = state.charges[named[0]]
        note = f"refund of charge {named[0]} (row {charge.row}), which pays no invoice"
    else:
        note = "refund: the reference names no invoice and no matched charge"
    return Match(
        payment.key,
        PaymentStatus.UNMATCHED,
        note=note,
        candidates=_refund_candidates(state, payment, who),
        customer_id=who.customer,
    )


def _refund_of_charge(
    state: _State, payment: Payment, charge_id: str, charge: Match
) -> Match:
    """A refund takes back from the invoices its charge paid, in their order, at
    most what the charge paid each."""
    currency = payment.currency
    left = abs(minor(payment.amount, currency))
    allocations: list[Allocation] = []
    for paid in charge.allocations:
        invoice = state.books.invoices.get(paid.number)
        if invoice is None or invoice.currency != currency:
            continue
        most = min(minor(paid.amount, currency), state.books.paid_on(paid.number))
        take = min(left, max(most, 0))
        left -= take
        if take:
            allocations.append(Allocation(paid.number, -major(take, currency)))
    row = state.charges[charge_id].row
    customer = charge.customer_id or ""
    if not allocations:
        return Match(
            payment.key,
            PaymentStatus.UNMATCHED,
            MatchRule.REFUND_OF_CHARGE,
            note=f"refund of charge {charge_id} (row {row}), whose invoices in "
            f"{currency} have nothing paid left",
            customer_id=charge.customer_id,
        )
    invoices = _listed([a.number for a in charge.allocations])
    said = f"refund of charge {charge_id} (row {row}), which paid {invoices}"
    return _refunded(
        payment, allocations, left, MatchRule.REFUND_OF_CHARGE, said, customer
    )


def _refund_candidates(
    state: _State, payment: Payment, who: Who
) -> tuple[Candidate, ...]:
    """The payer's invoices with as much paid as the refund, which it may be for."""
    size = abs(minor(payment.amount, payment.currency))
    found: list[Candidate] = []
    for customer in who.customers:
        for number in state.books.of_customer.get(customer, ()):
            invoice = state.books.invoices[number]
            if invoice.currency != payment.currency:
                continue
            paid = state.books.paid_on(invoice.number)
            if paid >= size > 0:
                found.append(
                    Candidate(
                        invoice.number,
                        f"{money_text(paid, payment.currency)} paid on it; the "
                        "reference does not name it",
                    )
                )
    return tuple(found[: state.settings.max_candidates])


# --- Payer, amount, date -----------------------------------------------------------


def _by_payer(state: _State, payment: Payment, who: Who) -> Match | None:
    """PAYER_AMOUNT, then PAYER_SUM, for a payer that is exactly one customer."""
    customer = who.customer
    if customer is None:
        return None
    currency = payment.currency
    amount = minor(payment.amount, currency)
    open_ = state.books.open_of(customer, currency)
    fits = [i for i in open_ if state.books.left[i.number] == amount]
    money = money_text(amount, currency)
    if len(fits) == 1:
        note = f"{who.said}; its only open invoice of {money} is {fits[0].number}"
        return _whole(state, payment, fits, MatchRule.PAYER_AMOUNT, note)
    if len(fits) > 1:
        return Match(
            payment.key,
            PaymentStatus.AMBIGUOUS,
            MatchRule.PAYER_AMOUNT,
            note=f"{who.said}; {len(fits)} of its open invoices are of {money}",
            candidates=tuple(
                Candidate(i.number, f"{money} open, as is another of its invoices")
                for i in fits[: state.settings.max_candidates]
            ),
            customer_id=customer,
        )
    if len(open_) >= 2 and state.books.sums.get((customer, currency)) == amount:
        note = (
            f"{who.said}; its {len(open_)} open invoices add up to {money}: "
            f"{_listed([i.number for i in open_])}"
        )
        return _whole(state, payment, open_, MatchRule.PAYER_SUM, note)
    return None


def _whole(
    state: _State,
    payment: Payment,
    invoices: Sequence[OpenInvoice],
    rule: MatchRule,
    note: str,
) -> Match:
    """Each invoice settled by its whole open balance (the amounts were found equal)."""
    left = state.books.left
    return Match(
        payment.key,
        PaymentStatus.MATCHED,
        rule,
        allocations=tuple(
            Allocation(i.number, major(left[i.number], i.currency)) for i in invoices
        ),
        note=note,
        customer_id=invoices[0].customer_id,
    )


def _outside_window(invoice: OpenInvoice, payment: Payment, days: int) -> str:
    """Why the invoice is outside AMOUNT_DATE's window for the payment, or ""."""
    if invoice.issue_date > payment.booked:
        return f"issued {invoice.issue_date.isoformat()}, after the payment"
    if invoice.due_date + timedelta(days=days) < payment.booked:
        return (
            f"due {invoice.due_date.isoformat()}, more than {days} days before the "
            "payment"
        )
    return ""


def _same_amount(
    state: _State, payment: Payment, who: Who
) -> tuple[list[OpenInvoice], list[Candidate]]:
    """The open invoices of exactly the payment's amount: those in the date window
    (of the payer's customers, when it names some), and the others with why not."""
    currency = payment.currency
    bucket = state.books.by_amount.get((currency, minor(payment.amount, currency)))
    inside: list[OpenInvoice] = []
    outside: list[Candidate] = []
    most = state.settings.max_candidates
    for number in sorted(bucket or (), key=lambda n: state.books.invoices[n].due_date):
        invoice = state.books.invoices[number]
        why = _outside_window(invoice, payment, state.settings.window_days)
        if not why and who.customers and invoice.customer_id not in who.customers:
            why = f"customer {invoice.customer_id}'s; the {who.said}"
        if why:
            outside.append(Candidate(number, why))
        else:
            inside.append(invoice)
        if len(inside) > most:
            # Enough to know it is ambiguous and to list the best.
            break
    return inside, outside


def _by_amount_and_date(
    state: _State, payment: Payment, who: Who, inside: Sequence[OpenInvoice]
) -> Match | None:
    """AMOUNT_DATE: the only open invoice of exactly that amount, issued on or
    before the booking date and due at most `window_days` before it. A payout of
    the same sum makes it ambiguous."""
    if not inside:
        return None
    currency = payment.currency
    money = money_text(minor(payment.amount, currency), currency)
    payouts = () if who.customers or payment.payout else _payouts_of(state, payment)
    days = state.settings.window_days
    if len(inside) == 1 and not payouts:
        invoice = inside[0]
        note = (
            f"{invoice.number} is the only open invoice of {money} issued by "
            f"{payment.booked.isoformat()} and due at most {days} days before it"
        )
        return _whole(state, payment, inside, MatchRule.AMOUNT_DATE, note)
    candidates = [
        Candidate(i.number, f"{money} open, customer {i.customer_id}'s, in the window")
        for i in inside
    ] + [Candidate(p, "a payout of the same sum") for p in payouts]
    return Match(
        payment.key,
        PaymentStatus.AMBIGUOUS,
        MatchRule.AMOUNT_DATE,
        note=f"{len(candidates)} open invoices{' or payouts' if payouts else ''} "
        f"of {money} fit "
        f"(issued by {payment.booked.isoformat()}, due at most {days} days before)",
        candidates=tuple(candidates[: state.settings.max_candidates]),
        customer_id=who.customer,
    )


# --- Payouts -----------------------------------------------------------------------


def _payouts_of(state: _State, payment: Payment) -> tuple[str, ...]:
    currency = payment.currency
    return state.payouts.by_sum.get((currency, minor(payment.amount, currency)), ())


def _payout_named(state: _State, payment: Payment) -> Match | None:
    """PAYOUT: a bank line whose reference names a payout among the payments."""
    if payment.payout:
        return None
    if not state.payouts.ids or not payment.reference:
        return None
    named = ids_named(payment.reference, state.payouts.ids)
    if not named:
        return None
    count = sum(state.payouts.charges.get(p, 0) for p in named)
    note = (
        f'reference "{payment.reference}" names payout {", ".join(named)}: '
        f"{_lines_matched(count)}"
    )
    return Match(payment.key, PaymentStatus.PAYOUT, MatchRule.PAYOUT, note=note)


def _lines_matched(count: int) -> str:
    if count == 1:
        return "its 1 line is matched on its own row"
    return f"its {count} lines are matched on their own rows"


def _payout_by_sum(state: _State, payment: Payment) -> Match | None:
    """PAYOUT: a bank line whose amount is what exactly one payout carried."""
    if payment.payout:
        return None
    payouts = _payouts_of(state, payment)
    if len(payouts) != 1:
        return None
    money = amount_text(payment.amount, payment.currency)
    count = state.payouts.charges.get(payouts[0], 0)
    rows = "its own row" if count == 1 else "their own rows"
    note = (
        f"{money} is what payout {payouts[0]} carried (its "
        f"{counted(count, 'line')} after fees, matched on {rows})"
    )
    return Match(payment.key, PaymentStatus.PAYOUT, MatchRule.PAYOUT, note=note)


# --- Nothing fits ------------------------------------------------------------------


def _unmatched(
    state: _State,
    payment: Payment,
    who: Who,
    elsewhere: Sequence[Candidate] | None = None,
) -> Match:
    """No rule found one invoice: the payer's invoices of the closest amounts and
    those of the same amount elsewhere, each with why it was not taken."""
    currency = payment.currency
    amount = minor(payment.amount, currency)
    closest: list[Candidate] = []
    for customer in who.customers:
        numbers = state.books.by_customer.get(customer, {})
        for invoice in sorted(
            (state.books.invoices[n] for n in numbers),
            key=lambda i: (
                i.currency != currency,
                abs(state.books.left[i.number] - amount),
                i.number,
            ),
        ):
            closest.append(_why_not_payer(state, payment, invoice))
    if elsewhere is None:
        _, elsewhere = _same_amount(state, payment, who)
    candidates: dict[str, Candidate] = {}
    for candidate in [*closest, *elsewhere]:
        candidates.setdefault(candidate.number, candidate)
    words = [
        "the reference names no invoice" if payment.reference else "no reference",
        who.said,
        f"no open invoice of {money_text(amount, currency)} fits",
    ]
    if who.customer is not None:
        open_ = state.books.open_of(who.customer, currency)
        total = money_text(state.books.sums.get((who.customer, currency), 0), currency)
        words.append(
            f"it has no open invoice in {currency}"
            if not open_
            else f"its 1 open invoice has {total} open"
            if len(open_) == 1
            else f"its {len(open_)} open invoices add up to {total}"
        )
    return Match(
        payment.key,
        PaymentStatus.UNMATCHED,
        note="; ".join(words),
        candidates=tuple(candidates.values())[: state.settings.max_candidates],
        customer_id=who.customer,
    )


def _why_not_payer(state: _State, payment: Payment, invoice: OpenInvoice) -> Candidate:
    if invoice.currency != payment.currency:
        why = f"in {invoice.currency}; the payment is in {payment.currency}"
    else:
        left = money_text(state.books.left[invoice.number], invoice.currency)
        why = (
            f"{left} open; the payment is "
            f"{amount_text(payment.amount, payment.currency)}"
        )
    return Candidate(invoice.number, why)
