"""Screen layout from OCR lines and pixels: windows, dialogs, bars, buttons, lists and tables.

The analysis looks at the flat-coloured panel behind each text line:

* a **title bar** is a wide, short panel whose window sides (long vertical edges) run *down*
  from its ends; a status bar has them running up. A bar across the whole top or bottom of the
  screen is the desktop's own bar (top panel, taskbar).
* a **button** is a small panel around one line, in a colour other than its window's body and
  clear of the window's sides.
* a **table** is a run of ≥ 3 rows, each with ≥ 2 cells of one height on one background, whose
  cells fall into ≥ 2 shared columns (grid lines are not needed); its first row is a header when
  it differs in background, or has no digits where later rows do.
* a **list** is a run of ≥ 3 left-aligned lines of one height; anything else is plain text.
* a window is a **dialog** when it is small (≤ 25% of the screen), has a button and ≤ 10 lines.

Lines are assigned to the smallest window that contains them, which puts a dialog's lines in
the dialog even though the window under it contains them too. Known limits: a maximised window
whose title bar spans the screen top reads as a screen bar; title bars in the body's own colour
(no distinct band) are not found, and their windows' text is listed as outside windows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum

import cv2
import numpy as np
import numpy.typing as npt

from openlive.backends.ocr.base import BgrImage, Box, TextLine

# Colours closer than this (per channel) count as one flat colour; covers JPEG noise and gradients.
_COLOUR_TOLERANCE = 10
# Vertical edges may break for a few pixels (anti-aliasing, JPEG) and still count as one side.
_EDGE_GAP = 3
# A bar or button is at most this many times as tall as its text.
_MAX_PANEL_HEIGHT = 2.6
_DIGIT = re.compile(r"\d")


class RegionKind(Enum):
    WINDOW = "Window"
    DIALOG = "Dialog"
    SCREEN_BAR = "Bar"
    DESKTOP = "Desktop"


class ElementKind(Enum):
    TEXT = "text"
    BUTTON = "button"
    LIST = "list"
    TABLE = "table"


@dataclass(frozen=True)
class Element:
    kind: ElementKind
    box: Box
    # One entry per line for TEXT/BUTTON/LIST; for TABLE one entry per row, cells joined by " | ".
    texts: tuple[str, ...]
    # TABLE only: cells per row, and whether the first row is a header.
    cells: tuple[tuple[str, ...], ...] = ()
    has_header: bool = False


@dataclass(frozen=True)
class Region:
    kind: RegionKind
    box: Box
    title: str
    elements: tuple[Element, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class _Panel:
    colour: npt.NDArray[np.int16]
    box: Box


class _Pixels:
    """The frame plus the maps every probe needs, computed once per analysis."""

    def __init__(self, image: BgrImage) -> None:
        self.colour = image.astype(np.int16)
        self._panels: dict[Box, _Panel | None] = {}
        self.height, self.width = image.shape[:2]
        grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        gradient = cv2.morphologyEx(grey, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
        self.edges = gradient > 18

    def matches(self, pixels: npt.NDArray[np.int16], colour: npt.NDArray[np.int16]) -> npt.NDArray[np.bool_]:
        return np.asarray(np.abs(pixels - colour).max(axis=-1) <= _COLOUR_TOLERANCE, dtype=bool)

    def background(self, line: Box) -> npt.NDArray[np.int16]:
        """The most common colour inside the line's box: its background, since glyphs are thin."""
        return _most_common_colour(self.colour[line.top : line.bottom, line.left : line.right].reshape(-1, 3))

    def panel_behind(self, line: Box) -> _Panel | None:
        """The flat-coloured band the line is drawn on: a bar, a button, a table cell.

        None on a textured background, and for tall panels (a window body): those are neither
        bars nor buttons, and measuring their width would cost a pass over most of the frame.
        """
        if line not in self._panels:
            self._panels[line] = self._measure_panel(line)
        return self._panels[line]

    def _measure_panel(self, line: Box) -> _Panel | None:
        inside = self.colour[line.top : line.bottom, line.left : line.right].reshape(-1, 3)
        if inside.size == 0:
            return None
        colour = self.background(line)
        if self.matches(inside, colour).mean() < 0.5:
            return None
        column = self._clean_column(line, colour)
        if column is None:
            return None
        cy = (line.top + line.bottom) // 2
        top = cy - _run_end(self.matches(self.colour[:cy, column], colour)[::-1])
        bottom = cy + _run_end(self.matches(self.colour[cy:, column], colour))
        if bottom - top > _MAX_PANEL_HEIGHT * line.height:
            return None
        # Columns where most of the band's rows have the panel colour: glyphs and small icons
        # cover only part of a column, a different panel covers all of it. Every few rows suffice.
        step = max(1, (bottom - top) // 8)
        band = self.matches(self.colour[top:bottom:step], colour).mean(axis=0) >= 0.35
        left = column + 1 - _run_end(band[: column + 1][::-1])
        right = column + _run_end(band[column:])
        return _Panel(colour, Box(left, top, right, bottom))

    def _clean_column(self, line: Box, colour: npt.NDArray[np.int16]) -> int | None:
        """A column near the left or right end of the line's box that no glyph touches.

        Only the middle of the box is checked: OCR boxes often overhang the panel's top and bottom.
        """
        margin = line.height // 5
        candidates = [
            *range(line.left, min(line.right, line.left + 6)),
            *range(line.right - 1, max(line.left, line.right - 7), -1),
        ]
        for column in candidates:
            pixels = self.colour[line.top + margin : line.bottom - margin, column]
            if self.matches(pixels, colour).mean() >= 0.9:
                return int(column)
        return None

    def edge_run(self, x: int, y: int, step: int) -> int:
        """How far a vertical edge near column ``x`` runs from row ``y`` up (step -1) or down (+1)."""
        if not 0 <= y < self.height:
            return 0
        columns = np.asarray(self.edges[:, max(0, x - 2) : min(self.width, x + 3)].any(axis=1), dtype=bool)
        path = columns[y:] if step > 0 else columns[y::-1]
        return _run_end(path, gap=_EDGE_GAP)


def _most_common_colour(pixels: npt.NDArray[np.int16]) -> npt.NDArray[np.int16]:
    quantised = pixels.astype(np.int32) // 4
    keys = (quantised[:, 0] << 12) | (quantised[:, 1] << 6) | quantised[:, 2]
    key = int(np.argmax(np.bincount(keys)))
    return np.array([(key >> 12) & 63, (key >> 6) & 63, key & 63], dtype=np.int16) * 4 + 2


def _run_end(matches: npt.NDArray[np.bool_], gap: int = 2) -> int:
    """Length of the leading run of True values, bridging up to ``gap`` False values in a row."""
    misses = np.flatnonzero(~matches)
    if misses.size == 0:
        return int(matches.size)
    breaks = np.flatnonzero(np.diff(misses) > 1)
    for start, end in zip(np.concatenate(([0], breaks + 1)), np.concatenate((breaks, [misses.size - 1])), strict=True):
        first, last = int(misses[start]), int(misses[end])
        if last - first + 1 > gap or last == matches.size - 1:
            return first
    return int(matches.size)


@dataclass
class _Window:
    kind: RegionKind
    box: Box
    bar: Box
    title_lines: list[TextLine]


def _find_bars(pixels: _Pixels, lines: Sequence[TextLine]) -> list[_Window]:
    """Title bars (with the window below each) and screen-wide bars, from the panels behind lines."""
    found: list[_Window] = []
    min_bar_width = 0.12 * pixels.width
    for line in lines:
        panel = pixels.panel_behind(line.box)
        if panel is None:
            continue
        bar = panel.box
        if bar.width < max(1.5 * line.box.width, min_bar_width):
            continue
        existing = next((window for window in found if window.bar.intersects(line.box)), None)
        if existing is not None:
            existing.title_lines.append(line)
            continue
        # A title bar holds a title (and perhaps an app name), not a row of cells.
        if sum(1 for other in lines if bar.contains_point(*other.box.center)) > 2:
            continue
        touches_edge = bar.top <= 1 or bar.bottom >= pixels.height - 1
        if touches_edge and bar.width >= 0.9 * pixels.width:
            found.append(_Window(RegionKind.SCREEN_BAR, bar, bar, [line]))
            continue
        down = max(pixels.edge_run(bar.left - 1, bar.bottom + 1, 1), pixels.edge_run(bar.right, bar.bottom + 1, 1))
        up = max(pixels.edge_run(bar.left - 1, bar.top - 2, -1), pixels.edge_run(bar.right, bar.top - 2, -1))
        if bar.top >= 2 and down >= 2 * bar.height and up <= bar.height:
            window = Box(bar.left, bar.top, bar.right, min(pixels.height, bar.bottom + 1 + down))
            found.append(_Window(RegionKind.WINDOW, window, bar, [line]))
    return found


def _rows(lines: Sequence[TextLine]) -> list[list[TextLine]]:
    """Lines grouped into rows by vertical centre, each row sorted left to right."""
    rows: list[list[TextLine]] = []
    for line in sorted(lines, key=lambda item: item.box.center[1]):
        if rows:
            row = rows[-1]
            centre = sum(item.box.center[1] for item in row) / len(row)
            height = float(np.median([item.box.height for item in row]))
            if abs(line.box.center[1] - centre) <= 0.5 * height:
                row.append(line)
                continue
        rows.append([line])
    return [sorted(row, key=lambda item: item.box.left) for row in rows]


def _columns(rows: Sequence[Sequence[TextLine]]) -> list[tuple[int, int]]:
    """Column x-spans: cells whose horizontal spans overlap share a column."""
    spans = sorted((cell.box.left, cell.box.right) for row in rows for cell in row)
    columns: list[list[int]] = []
    for left, right in spans:
        if columns and left <= columns[-1][1]:
            columns[-1][1] = max(columns[-1][1], right)
        else:
            columns.append([left, right])
    return [(left, right) for left, right in columns]


def _table_from(rows: Sequence[Sequence[TextLine]], pixels: _Pixels) -> Element | None:
    columns = _columns(rows)
    if len(columns) < 2:
        return None
    cells: list[tuple[str, ...]] = []
    for row in rows:
        texts = [""] * len(columns)
        for cell in row:
            index = next(i for i, (left, right) in enumerate(columns) if left <= cell.box.left <= right)
            texts[index] = f"{texts[index]} {cell.text}".strip()
        cells.append(tuple(texts))
    used_by = [sum(1 for row in cells if row[index]) for index in range(len(columns))]
    if sum(1 for count in used_by if count >= 3) < 2:
        return None
    box = rows[0][0].box
    for row in rows:
        for cell in row:
            box = box.union(cell.box)
    return Element(
        ElementKind.TABLE,
        box,
        tuple(" | ".join(row) for row in cells),
        tuple(cells),
        has_header=_first_row_is_header(rows, cells, pixels),
    )


def _first_row_is_header(rows: Sequence[Sequence[TextLine]], cells: Sequence[Sequence[str]], pixels: _Pixels) -> bool:
    """Headers have no digits where later rows do, or sit on a different background."""
    first_has_digits = any(_DIGIT.search(text) for text in cells[0])
    later_have_digits = any(_DIGIT.search(text) for row in cells[1:] for text in row)
    if later_have_digits and not first_has_digits:
        return True
    first, second = pixels.panel_behind(rows[0][0].box), pixels.panel_behind(rows[1][0].box)
    return bool(first and second and not pixels.matches(first.colour, second.colour))


def _could_be_table_row(row: Sequence[TextLine], pixels: _Pixels) -> bool:
    """Two or more cells in one font size on one background (a sidebar item beside a heading
    or a toolbar beside a list is not a table row)."""
    if len(row) < 2:
        return False
    heights = [cell.box.height for cell in row]
    if max(heights) > 1.35 * min(heights):
        return False
    backgrounds = [pixels.background(cell.box) for cell in row]
    return all(pixels.matches(colour, backgrounds[0]) for colour in backgrounds[1:])


def _find_tables(lines: Sequence[TextLine], pixels: _Pixels) -> list[Element]:
    tables: list[Element] = []
    run: list[list[TextLine]] = []

    def close_run() -> None:
        if len(run) >= 3:
            table = _table_from(run, pixels)
            if table is not None:
                tables.append(table)
        run.clear()

    for row in _rows(lines):
        if not _could_be_table_row(row, pixels):
            close_run()
            continue
        height = float(np.median([cell.box.height for cell in row]))
        if run and row[0].box.center[1] - run[-1][0].box.center[1] > 2.5 * height:
            close_run()
        run.append(row)
    close_run()
    return tables


def _is_button(line: TextLine, window: Box, body: npt.NDArray[np.int16], pixels: _Pixels) -> bool:
    """A small panel in its own colour, clear of the window's sides (a sidebar touches them)."""
    panel = pixels.panel_behind(line.box)
    if panel is None or pixels.matches(panel.colour, body):
        return False
    box = panel.box
    return (
        box.width <= 2.2 * line.box.width + 2 * line.box.height
        and box.left > window.left + 3
        and box.right < window.right - 3
    )


def _lists_and_text(lines: Sequence[TextLine]) -> list[Element]:
    chains: list[list[TextLine]] = []
    for line in sorted(lines, key=lambda item: (item.box.top, item.box.left)):
        height = line.box.height
        for chain in chains:
            last = chain[-1]
            if (
                abs(line.box.left - last.box.left) <= 0.6 * height
                and 0.75 <= height / last.box.height <= 1.33
                and 0 <= line.box.top - last.box.bottom + 2 <= 1.6 * height
            ):
                chain.append(line)
                break
        else:
            chains.append([line])
    elements = []
    for chain in chains:
        box = chain[0].box
        for line in chain[1:]:
            box = box.union(line.box)
        kind = ElementKind.LIST if len(chain) >= 3 else ElementKind.TEXT
        elements.append(Element(kind, box, tuple(line.text for line in chain)))
    return elements


def _elements(
    lines: Sequence[TextLine], window: Box, body: npt.NDArray[np.int16], pixels: _Pixels
) -> tuple[Element, ...]:
    tables = _find_tables(lines, pixels)
    in_table = {id(line) for line in lines if any(table.box.contains_point(*line.box.center) for table in tables)}
    rest = [line for line in lines if id(line) not in in_table]
    buttons = [line for line in rest if _is_button(line, window, body, pixels)]
    button_ids = {id(line) for line in buttons}
    others = [line for line in rest if id(line) not in button_ids]
    elements = [
        *tables,
        *(Element(ElementKind.BUTTON, line.box, (line.text,)) for line in buttons),
        *_lists_and_text(others),
    ]
    return _reading_order(elements)


def _reading_order(elements: Sequence[Element]) -> tuple[Element, ...]:
    """Top to bottom in rows, left to right within a row. An element belongs to the current row
    if it starts above the middle of the row's first element (a sidebar beside a heading)."""
    ordered: list[Element] = []
    row: list[Element] = []
    for element in sorted(elements, key=lambda item: (item.box.top, item.box.left)):
        if row and element.box.top >= row[0].box.center[1]:
            ordered += sorted(row, key=lambda item: item.box.left)
            row = []
        row.append(element)
    ordered += sorted(row, key=lambda item: item.box.left)
    return tuple(ordered)


def _body_colour(window: Box, bar: Box, pixels: _Pixels) -> npt.NDArray[np.int16]:
    body = pixels.colour[bar.bottom + 1 : window.bottom : 4, window.left : window.right : 4]
    if body.size == 0:
        return np.zeros(3, dtype=np.int16)
    flat = body.reshape(-1, 3)
    # The most common colour, not the mean: a window is mostly its background.
    return _most_common_colour(flat)


def analyse_layout(image: BgrImage, lines: Sequence[TextLine]) -> list[Region]:
    """Group ``lines`` (in ``image``'s pixels) into regions, dialogs first, then in reading order."""
    pixels = _Pixels(image)
    windows = _find_bars(pixels, lines)
    title_ids = {id(line) for window in windows for line in window.title_lines}
    members: dict[int, list[TextLine]] = {index: [] for index in range(len(windows))}
    desktop: list[TextLine] = []
    screen_area = pixels.width * pixels.height
    for line in lines:
        if id(line) in title_ids:
            continue
        holders = [
            index
            for index, window in enumerate(windows)
            if window.kind is RegionKind.WINDOW and window.box.contains_point(*line.box.center)
        ]
        if holders:
            members[min(holders, key=lambda index: windows[index].box.area)].append(line)
        else:
            desktop.append(line)
    regions = []
    for index, window in enumerate(windows):
        ordered = sorted(window.title_lines, key=lambda item: item.box.left)
        if window.kind is RegionKind.SCREEN_BAR:
            title = "' · '".join(line.text for line in ordered)
            regions.append(Region(RegionKind.SCREEN_BAR, window.box, title))
            continue
        title = " ".join(line.text for line in ordered)
        body = _body_colour(window.box, window.bar, pixels)
        elements = _elements(members[index], window.box, body, pixels)
        kind = RegionKind.WINDOW
        has_button = any(element.kind is ElementKind.BUTTON for element in elements)
        if has_button and window.box.area <= 0.25 * screen_area and len(members[index]) <= 10:
            kind = RegionKind.DIALOG
        regions.append(Region(kind, window.box, title, elements))
    if desktop:
        everything = Box(0, 0, pixels.width, pixels.height)
        elements = _elements(desktop, everything, np.zeros(3, np.int16), pixels)
        regions.append(Region(RegionKind.DESKTOP, everything, "", elements))
    order = {RegionKind.DIALOG: 0, RegionKind.WINDOW: 1, RegionKind.DESKTOP: 2, RegionKind.SCREEN_BAR: 3}
    return sorted(regions, key=lambda region: (order[region.kind], region.box.top, region.box.left))


def _describe_element(element: Element) -> str:
    if element.kind is ElementKind.TABLE:
        parts = [f"table ({len(element.cells)} rows × {len(element.cells[0])} columns)"]
        data = element.cells
        if element.has_header:
            parts.append("header: " + " | ".join(element.cells[0]))
            data = element.cells[1:]
        parts += [f"row {number}: " + " | ".join(row) for number, row in enumerate(data, start=1)]
        return "; ".join(parts)
    if element.kind is ElementKind.LIST:
        return "list: " + "; ".join(f"'{text}'" for text in element.texts)
    if element.kind is ElementKind.BUTTON:
        return f"[{element.texts[0]}]"
    return " / ".join(f"'{text}'" for text in element.texts)


def describe_regions(regions: Sequence[Region]) -> str:
    """A compact description an LLM can read: one line per region, elements in reading order."""
    lines = []
    for region in regions:
        clauses: list[str] = []
        for element in region.elements:
            text = _describe_element(element)
            # Neighbouring buttons read as one clause: "buttons [OK] [Cancel]".
            if element.kind is ElementKind.BUTTON and clauses and clauses[-1].startswith("button"):
                clauses[-1] = clauses[-1].replace("button ", "buttons ", 1) + f" {text}"
            elif element.kind is ElementKind.BUTTON:
                clauses.append(f"button {text}")
            else:
                clauses.append(text)
        body = "; ".join(clauses)
        if region.kind is RegionKind.SCREEN_BAR:
            lines.append(f"Screen bar: '{region.title}'.")
        elif region.kind is RegionKind.DESKTOP:
            lines.append(f"Outside windows: {body}.")
        else:
            heading = f"{region.kind.value} '{region.title}'"
            lines.append(f"{heading}: {body}." if body else f"{heading}.")
    return "\n".join(lines)
