"""An SVG logo of a few kilobytes that asks for millions of shapes is refused before
any PDF is made, and the check itself does work linear in the file.

Counted, not timed: `SvgSize.steps` is the elements and references the check visits.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import fromstring

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetbill.documents.logo import LogoError, find_logo
from sheetbill.documents.svg_size import (
    MAX_SVG_DEPTH,
    MAX_SVG_ELEMENTS,
    MAX_SVG_SHAPES,
    svg_size,
)

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">{}</svg>'


def use_bomb(levels: int, fan_out: int) -> str:
    """g0 is one square; each next group draws the one before `fan_out` times."""
    groups = ['<g id="g0"><rect width="1" height="1"/></g>']
    groups += [
        f'<g id="g{level}">'
        + "".join(f'<use href="#g{level - 1}" x="{i}"/>' for i in range(fan_out))
        + "</g>"
        for level in range(1, levels + 1)
    ]
    return SVG.format(f'<defs>{"".join(groups)}</defs><use href="#g{levels}"/>')


def drawn_by_use_bomb(levels: int, fan_out: int) -> int:
    """Every element drawn, each <use> standing for a copy of what it names."""
    group = 2  # g0 and its square
    groups = group
    for _ in range(levels):
        group = 1 + fan_out * (1 + group)
        groups += group
    return 1 + (1 + groups) + (1 + group)  # <svg>, <defs> with all, the last <use>


def size_of(svg: str):  # type: ignore[no-untyped-def]
    return svg_size(fromstring(svg))


def linear(svg: str) -> int:
    """Elements plus references in the file: what the check may visit a few times."""
    return svg.count("<") + svg.count("#")


def test_svg_size_refuses_the_use_bomb_of_a_few_kilobytes():
    """8 levels of 10 <use> each: 10^8 squares, which hung a run for minutes."""
    bomb = use_bomb(8, 10)
    assert len(bomb) < 8000
    size = size_of(bomb)
    assert size.shapes == MAX_SVG_SHAPES + 1 and not size.loops
    assert "more than 10,000 shapes" in str(size.refusal())
    assert size.steps <= 4 * linear(bomb)


@settings(max_examples=150)
@given(levels=st.integers(0, 12), fan_out=st.integers(1, 12))
def test_svg_size_counts_what_nested_uses_draw_and_refuses_exactly_past_the_limit(
    levels: int, fan_out: int
):
    bomb = use_bomb(levels, fan_out)
    size = size_of(bomb)
    drawn = drawn_by_use_bomb(levels, fan_out)
    assert size.shapes == min(drawn, MAX_SVG_SHAPES + 1)
    assert (size.refusal() is not None) == (drawn > MAX_SVG_SHAPES)
    assert size.steps <= 4 * linear(bomb)


def _shapes(count: int, **attributes: str) -> str:
    extra = "".join(f' {k.rstrip("_")}="{v}"' for k, v in attributes.items())
    return "".join(
        f'<rect x="{i % 90}" width="1" height="1"{extra}/>' for i in range(count)
    )


HUNDRED = f'<g id="h">{_shapes(100)}</g>'


@pytest.mark.parametrize(
    ("body", "why"),
    [
        # A pattern draws its content for each shape it fills; fill is inherited.
        (
            f'<defs>{HUNDRED}<pattern id="p" width="5" height="5">'
            f'<use href="#h"/></pattern></defs><g fill="url(#p)">{_shapes(200)}</g>',
            "shapes",
        ),
        # A clip path, named from a style sheet, draws its content for each shape.
        (
            f"<style>.c {{ clip-path: url(#cp) }}</style><defs>{HUNDRED}"
            f'<clipPath id="cp"><use href="#h"/></clipPath></defs>'
            f"{_shapes(200, class_='c')}",
            "shapes",
        ),
        # A mask, named in each shape's style attribute.
        (
            f'<defs>{HUNDRED}<mask id="m"><use href="#h"/></mask></defs>'
            f"{_shapes(200, style='mask:url(#m)')}",
            "shapes",
        ),
        # A marker is drawn at every vertex of a path.
        (
            f'<defs>{HUNDRED}<marker id="k"><use href="#h"/></marker></defs>'
            f'<path marker-mid="url(#k)" d="M0 0{" L1 1" * 200}"/>',
            "shapes",
        ),
        ('<g id="a"><use href="#a"/></g>', "without end"),
        ('<g id="a"><use href="#b"/></g><g id="b"><use href="#a"/></g>', "without end"),
        (
            "<g>" * (MAX_SVG_DEPTH + 1) + "<rect/>" + "</g>" * (MAX_SVG_DEPTH + 1),
            "deep",
        ),
        (_shapes(MAX_SVG_ELEMENTS), "elements"),
    ],
    ids=[
        "pattern",
        "clip path",
        "mask",
        "marker",
        "loop",
        "loop of two",
        "deep",
        "many",
    ],
)
def test_svg_size_refuses_every_way_of_drawing_a_part_again(body: str, why: str):
    svg = SVG.format(body)
    size = size_of(svg)
    assert why in str(size.refusal())
    assert size.steps <= 4 * linear(svg)


def test_svg_size_takes_a_logo_styled_with_gradients_from_a_style_sheet():
    """As drawing programs export them: a class per colour, a gradient each; a
    gradient is one shading, however many shapes name it."""
    gradients = "".join(
        f'<linearGradient id="lg{i}"><stop offset="0" stop-color="#d628a0"/>'
        f'<stop offset="1" stop-color="#000"/></linearGradient>'
        for i in range(20)
    )
    style = "".join(f".cls-{i} {{ fill: url(#lg{i}); }}" for i in range(20))
    paths = "".join(
        f'<path class="cls-{i % 20}" d="M{i % 90} 0 l1 1 l0 1 z"/>' for i in range(3000)
    )
    svg = SVG.format(f"<defs>{gradients}<style>{style}</style></defs>{paths}")
    size = size_of(svg)
    assert size.refusal() is None and size.shapes < MAX_SVG_SHAPES


def test_find_logo_refuses_the_bomb_on_its_settings_row(tmp_path: Path):
    (tmp_path / "logo.svg").write_text(use_bomb(8, 10))
    with pytest.raises(LogoError) as refused:
        find_logo("logo.svg", folder=tmp_path)
    assert "more than 10,000 shapes" in refused.value.problem
    assert "simpler SVG" in refused.value.fix
