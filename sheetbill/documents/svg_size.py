"""How much drawing an SVG logo asks for, counted without drawing it.

A few kilobytes of SVG can ask for 10^8 shapes: a `<use>` draws its target again, a
pattern, clip path or mask draws its content for every shape that names it, and a
marker for every vertex. WeasyPrint would draw them all, for minutes, in every PDF.
So the elements are counted as the renderer expands them (SVG 1.1: 5.6 `use`, 13.3
patterns, 14.3 clipping paths, 14.4 masks, 11.6 markers), each element's count
worked out once, and a logo past the limits is refused before any PDF is made.

Pure: takes the parsed tree (`xml.etree.ElementTree`); no WeasyPrint.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree.ElementTree import Element

# A logo with more than this is not a logo: 10,000 shapes take a second a PDF.
MAX_SVG_ELEMENTS = 10_000
MAX_SVG_SHAPES = 10_000
# Real logos nest groups a dozen deep; the renderer recurses once per level.
MAX_SVG_DEPTH = 64

_URL = re.compile(r"""url\(\s*['"]?\s*#([^)'"\s]+)""", re.IGNORECASE)
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
# Paint that a group passes on to every shape inside it (fill and stroke inherit).
_INHERITED_PAINT = frozenset({"fill", "stroke"})
# Gradients paint a shape as one shading, whatever their stops: naming one draws
# nothing more.
_PAINT_ONLY = frozenset({"linearGradient", "radialGradient", "stop"})
# Attributes holding a shape's vertices, where markers are drawn.
_VERTICES = ("d", "points", "x1", "y1", "x2", "y2")


@dataclass(frozen=True, slots=True)
class SvgSize:
    """What a logo asks the renderer for, and how much counting that took."""

    elements: int  # elements in the file
    depth: int  # deepest nesting, through references too (capped at MAX + 1)
    shapes: int  # elements drawn, references expanded (capped at MAX + 1)
    # An element that draws itself again through its references (never finishes).
    loops: bool
    # Elements and references visited: the check's own work, linear in the file.
    steps: int

    def refusal(self) -> str | None:
        """Why the logo is refused, in words for its Settings row, or None."""
        if self.elements > MAX_SVG_ELEMENTS:
            return (
                f"has {self.elements:,} elements; a logo may have at most "
                f"{MAX_SVG_ELEMENTS:,} (each one makes every PDF slower)"
            )
        if self.loops:
            return "draws a part of itself inside that same part, without end"
        if self.depth > MAX_SVG_DEPTH:
            return (
                f"nests its parts more than {MAX_SVG_DEPTH} deep, counting what each "
                "<use> or other reference draws"
            )
        if self.shapes > MAX_SVG_SHAPES:
            return (
                f"would draw more than {MAX_SVG_SHAPES:,} shapes on every invoice once "
                "each <use>, pattern, clip path, mask and marker is drawn where it "
                "is named"
            )
        return None


def local_name(tag: object) -> str:
    return str(tag).rpartition("}")[2]


def svg_size(root: Element) -> SvgSize:
    """Count what drawing `root` takes. Stops early, with the count so far, once the
    file alone is past MAX_SVG_ELEMENTS or MAX_SVG_DEPTH."""
    elements = list(root.iter())
    depth, steps = _nesting(root)
    if len(elements) > MAX_SVG_ELEMENTS or depth > MAX_SVG_DEPTH:
        return SvgSize(len(elements), depth, len(elements), False, steps)
    counter = _Counter(root, elements)
    counter.count()
    root_index = 0
    return SvgSize(
        len(elements),
        counter.depth[root_index],
        counter.work[root_index],
        counter.loops,
        steps + counter.steps,
    )


def _nesting(root: Element) -> tuple[int, int]:
    """The deepest nesting of the file and the elements visited; no recursion, so
    a file nested 100,000 deep is measured, not a crash."""
    deepest, steps = 0, 0
    stack = [(root, 1)]
    while stack:
        element, level = stack.pop()
        steps += 1
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in element)
    return deepest, steps


class _Counter:
    """Per element, memoized: `size`, the elements instantiating it draws (children
    and `<use>` targets); `vertices`, their vertices; `work`, that plus what the
    patterns, clip paths, masks and markers it names draw; `depth`, its nesting."""

    def __init__(self, root: Element, elements: list[Element]) -> None:
        self.elements = elements
        self.index = {id(e): i for i, e in enumerate(elements)}
        self.children = [[self.index[id(c)] for c in e] for e in elements]
        # The first element with an id is the one named, as the renderer finds it.
        targets: dict[str, int] = {}
        for i, element in enumerate(elements):
            if name := element.get("id"):
                targets.setdefault(name, i)
        self.targets = targets
        self.styles = _style_sheet_declarations(root, elements, self.index)
        limit = MAX_SVG_SHAPES + 1
        self.limit = limit
        count = len(elements)
        self.size = [0] * count
        self.vertices = [0] * count
        self.work = [0] * count
        self.depth = [0] * count
        self.loops = False
        self.steps = 0

    def references(self, i: int) -> Iterator[tuple[str, int]]:
        """(how, target) of each element `i` names: "use" for an instance of it
        (href), "paint" for fill or stroke, "marker", or "once" (clip path, mask,
        filter, anything else named by url(#…))."""
        element = self.elements[i]
        tag = local_name(element.tag)
        for name, value in element.attrib.items():
            if name in ("href", _XLINK_HREF) and tag != "a":
                reference = value.strip()
                target = self.targets.get(reference[1:])
                if reference.startswith("#") and target is not None:
                    yield "use", target
        for prop, value in _declarations(element, self.styles.get(i, ())):
            how = (
                "paint"
                if prop in _INHERITED_PAINT
                else "marker"
                if prop.startswith("marker")
                else "once"
            )
            for name in _URL.findall(value):
                target = self.targets.get(name)
                if target is not None and (
                    local_name(self.elements[target].tag) not in _PAINT_ONLY
                ):
                    yield how, target

    def count(self) -> None:
        """Post-order over children and references, without recursion; an element
        met again while its own count is open is a loop."""
        state = [0] * len(self.elements)  # 0 new, 1 open, 2 counted
        stack = [0]
        while stack:
            i = stack[-1]
            if state[i] == 2:
                stack.pop()
                continue
            if state[i] == 0:
                state[i] = 1
                for target in (*self.children[i], *(t for _, t in self.references(i))):
                    self.steps += 1
                    if state[target] == 1:
                        self.loops = True
                    elif state[target] == 0:
                        stack.append(target)
                continue
            stack.pop()
            self.finish(i)
            state[i] = 2
            if self.loops:
                return

    def finish(self, i: int) -> None:
        limit = self.limit
        element = self.elements[i]
        size = 1 + sum(self.size[c] for c in self.children[i])
        vertices = _vertex_count(element) + sum(
            self.vertices[c] for c in self.children[i]
        )
        work = 1 + sum(self.work[c] for c in self.children[i])
        depth = 1 + max((self.depth[c] for c in self.children[i]), default=0)
        for how, target in self.references(i):
            self.steps += 1
            depth = max(depth, 1 + self.depth[target])
            if how == "use":
                size += self.size[target]
                vertices += self.vertices[target]
                work += self.work[target]
            elif how == "paint":
                work += size * self.work[target]
            elif how == "marker":
                work += vertices * self.work[target]
            else:
                work += self.work[target]
            size, vertices, work = (
                min(size, limit),
                min(vertices, limit),
                min(work, limit),
            )
        self.size[i] = min(size, limit)
        self.vertices[i] = min(vertices, limit)
        self.work[i] = min(work, limit)
        self.depth[i] = min(depth, MAX_SVG_DEPTH + 1)


def _vertex_count(element: Element) -> int:
    """At most the vertices a marker is drawn at: every number of the shape's
    geometry counts as one (a vertex takes two)."""
    return sum(
        len(_NUMBER.findall(value))
        for name in _VERTICES
        if (value := element.get(name))
    )


def _declarations(
    element: Element, from_sheets: tuple[tuple[str, str], ...]
) -> Iterator[tuple[str, str]]:
    """(property, value) of the element's attributes, its style attribute and the
    style sheets' rules that match it (any of them may name a pattern, say)."""
    for name, value in element.attrib.items():
        if name == "style":
            for declaration in value.split(";"):
                prop, _, text = declaration.partition(":")
                yield prop.strip().lower(), text
        else:
            yield local_name(name), value
    yield from from_sheets


def _style_sheet_declarations(
    root: Element, elements: list[Element], index: dict[int, int]
) -> dict[int, tuple[tuple[str, str], ...]]:
    """The declarations naming something by url(#…) in the SVG's `<style>` sheets,
    by the index of each element a rule's selector matches (as the renderer matches
    them, with cssselect2)."""
    sheets = [
        e.text
        for e in elements
        if local_name(e.tag) == "style" and e.text and "url(" in e.text.lower()
    ]
    if not sheets:
        return {}
    import cssselect2
    import tinycss2

    matcher = cssselect2.Matcher()
    for sheet in sheets:
        for rule in tinycss2.parse_stylesheet(
            sheet, skip_comments=True, skip_whitespace=True
        ):
            if rule.type != "qualified-rule":
                continue
            found = tuple(
                (d.lower_name, tinycss2.serialize(d.value))
                for d in tinycss2.parse_blocks_contents(rule.content)
                if d.type == "declaration" and "url(" in tinycss2.serialize(d.value)
            )
            if not found:
                continue
            try:
                selectors = cssselect2.compile_selector_list(rule.prelude)
            except cssselect2.SelectorError:
                continue  # the renderer skips it too
            for selector in selectors:
                matcher.add_selector(selector, found)
    declarations: dict[int, tuple[tuple[str, str], ...]] = {}
    for wrapper in cssselect2.ElementWrapper.from_xml_root(root).iter_subtree():
        matches = matcher.match(wrapper)
        if matches:
            declarations[index[id(wrapper.etree_element)]] = tuple(
                d for *_, found in matches for d in found
            )
    return declarations
