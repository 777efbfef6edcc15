"""Bank statement files for the tests, built to the published specs: camt.053 of
each version (ISO 20022 message definitions), MT940 (SWIFT field layout, German
banks' structured :86:) and OFX; the committed samples' paths."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from paths import ROOT

DATA = ROOT / "tests" / "data" / "payments"
CAMT = DATA / "camt053-batched.xml"
OFX_1 = DATA / "statement-v1.ofx"
OFX_2 = DATA / "statement-v2.ofx"
MT940 = DATA / "statement.sta"
SAMPLES = {"camt.053": (CAMT,), "ofx": (OFX_1, OFX_2), "mt940": (MT940,)}


def camt_details(
    version: int,
    *,
    amount: str | None = "1190.00",
    currency: str = "EUR",
    indicator: str | None = "CRDT",
    payer: str = "ACME GmbH",
    iban: str = "DE89370400440532013000",
    party: str = "Dbtr",
    ustrd: Sequence[str] = ("INV-2026-0007",),
    bank_reference: str = "",
    extra: str = "",
) -> str:
    """One TxDtls as each version writes it: .001.02 states its amount in
    AmtDtls/TxAmt; later versions in Amt with CdtDbtInd; .001.08 names a party
    inside Pty."""
    refs = f"<Refs><AcctSvcrRef>{bank_reference}</AcctSvcrRef></Refs>" * bool(
        bank_reference
    )
    money = ""
    if amount is not None and version == 2:
        money = (
            f'<AmtDtls><TxAmt><Amt Ccy="{currency}">{amount}</Amt></TxAmt></AmtDtls>'
        )
    elif amount is not None:
        money = f'<Amt Ccy="{currency}">{amount}</Amt>'
        money += f"<CdtDbtInd>{indicator}</CdtDbtInd>" * bool(indicator)
    name = f"<Pty><Nm>{payer}</Nm></Pty>" if version >= 8 else f"<Nm>{payer}</Nm>"
    parties = (
        f"<RltdPties><{party}>{name}</{party}>"
        f"<{party}Acct><Id><IBAN>{iban}</IBAN></Id></{party}Acct></RltdPties>"
    )
    remittance = "".join(f"<Ustrd>{text}</Ustrd>" for text in ustrd)
    remittance = f"<RmtInf>{remittance}</RmtInf>" * bool(ustrd)
    additional = f"<AddtlTxInf>{extra}</AddtlTxInf>" * bool(extra)
    return f"<TxDtls>{refs}{money}{parties}{remittance}{additional}</TxDtls>"


def camt_entry(
    version: int,
    *,
    amount: str = "1190.00",
    currency: str = "EUR",
    indicator: str = "CRDT",
    reversal: bool = False,
    status: str = "BOOK",
    booked: str = "<Dt>2026-01-15</Dt>",
    reference: str = "2026011500001",
    codes: tuple[str, str] = ("RCDT", "ESCT"),
    details: Sequence[str] = (),
    info: str = "",
) -> str:
    """One Ntry; `details` are its TxDtls (camt_details)."""
    sts = f"<Sts><Cd>{status}</Cd></Sts>" if version >= 8 else f"<Sts>{status}</Sts>"
    family, sub_family = codes
    return (
        f'<Ntry><Amt Ccy="{currency}">{amount}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>'
        + "<RvslInd>true</RvslInd>" * reversal
        + sts
        + (f"<BookgDt>{booked}</BookgDt>" if booked else "")
        + "<ValDt><Dt>2026-01-15</Dt></ValDt>"
        + (f"<AcctSvcrRef>{reference}</AcctSvcrRef>" if reference else "")
        + f"<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>{family}</Cd>"
        f"<SubFmlyCd>{sub_family}</SubFmlyCd></Fmly></Domn></BkTxCd>"
        + (f"<NtryDtls>{''.join(details)}</NtryDtls>" if details else "")
        + (f"<AddtlNtryInf>{info}</AddtlNtryInf>" if info else "")
        + "</Ntry>"
    )


def camt_document(
    entries: Sequence[str],
    *,
    version: int = 8,
    message: str = "053",
    container: str = "BkToCstmrStmt",
    part: str = "Stmt",
    account_currency: str = "EUR",
    prolog: str = '<?xml version="1.0" encoding="UTF-8"?>\n',
) -> bytes:
    """A whole camt document of `entries` (camt_entry)."""
    namespace = f"urn:iso:std:iso:20022:tech:xsd:camt.{message}.001.{version:02d}"
    return (
        f'{prolog}<Document xmlns="{namespace}"><{container}>'
        "<GrpHdr><MsgId>M-1</MsgId><CreDtTm>2026-01-15T22:00:00</CreDtTm></GrpHdr>"
        f"<{part}><Id>S-1</Id><CreDtTm>2026-01-15T22:00:00</CreDtTm>"
        "<Acct><Id><IBAN>DE02120300000000202051</IBAN></Id>"
        f"<Ccy>{account_currency}</Ccy></Acct>"
        f"{''.join(entries)}</{part}></{container}></Document>"
    ).encode()


def write(path: Path, content: bytes | str) -> Path:
    """`content` written to `path` (text as UTF-8), the path returned."""
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def field_86(content: str) -> list[str]:
    """A :86: field's content as a bank writes it: lines of 65 characters."""
    lines = [content[i : i + 65] for i in range(0, len(content), 65)]
    return [":86:" + lines[0], *lines[1:]]


def mt940_statement(
    *transactions: str, opening: str = ":60F:C260101EUR1000,00", reference: str = "1"
) -> str:
    """An MT940 statement around `transactions` (:61: lines with their :86:)."""
    return "\r\n".join(
        [
            f":20:STARTUMS{reference}",
            ":25:12030000/0000202051",
            ":28C:00001/001",
            opening,
            *transactions,
            ":62F:C260131EUR1000,00",
            "-",
            "",
        ]
    )


def ofx_2(
    transactions: str, *, statement: str = "STMTRS", currency: str = "EUR"
) -> str:
    """An OFX 2 (XML) file with `transactions` (STMTTRN aggregates)."""
    messages, account = (
        (
            "BANKMSGSRSV1",
            "<BANKACCTFROM><BANKID>12030000</BANKID>"
            "<ACCTID>202051</ACCTID><ACCTTYPE>CHECKING</ACCTTYPE></BANKACCTFROM>",
        )
        if statement == "STMTRS"
        else ("CREDITCARDMSGSRSV1", "<CCACCTFROM><ACCTID>4111</ACCTID></CCACCTFROM>")
    )
    wrapper = "STMTTRNRS" if statement == "STMTRS" else "CCSTMTTRNRS"
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        '<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" '
        'NEWFILEUID="NONE"?>\n'
        "<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY>"
        "</STATUS><DTSERVER>20260131</DTSERVER><LANGUAGE>ENG</LANGUAGE></SONRS>"
        f"</SIGNONMSGSRSV1><{messages}><{wrapper}><TRNUID>1</TRNUID><STATUS>"
        "<CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>"
        f"<{statement}><CURDEF>{currency}</CURDEF>{account}"
        "<BANKTRANLIST><DTSTART>20260101</DTSTART><DTEND>20260131</DTEND>"
        f"{transactions}</BANKTRANLIST>"
        "<LEDGERBAL><BALAMT>0.00</BALAMT><DTASOF>20260131</DTASOF></LEDGERBAL>"
        f"</{statement}></{wrapper}></{messages}></OFX>\n"
    )


def ofx_line(
    *,
    amount: str = "1190.00",
    fitid: str = "F-1",
    name: str = "ACME GmbH",
    memo: str = "INV-2026-0007",
    posted: str = "20260115",
    trntype: str = "CREDIT",
    after_name: str = "",
    after_memo: str = "",
) -> str:
    """One STMTTRN (its elements in the spec's order: BANKACCTTO after NAME,
    CURRENCY after MEMO)."""
    return (
        f"<STMTTRN><TRNTYPE>{trntype}</TRNTYPE><DTPOSTED>{posted}</DTPOSTED>"
        f"<TRNAMT>{amount}</TRNAMT><FITID>{fitid}</FITID>"
        + (f"<NAME>{name}</NAME>" if name else "")
        + after_name
        + (f"<MEMO>{memo}</MEMO>" if memo else "")
        + after_memo
        + "</STMTTRN>"
    )
