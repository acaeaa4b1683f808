"""Screen understanding with the real PP-OCRv6 models: exact text, regions, and incremental OCR."""

from __future__ import annotations

import pytest

from openlive.backends.ocr.rapidocr import RapidOcr
from openlive.engine.vision.frames import MediaResolution, decode_frame
from openlive.engine.vision.layout import ElementKind, RegionKind
from openlive.engine.vision.screen import ScreenObservation, ScreenReader
from tests.support.images import DARK_TITLES, LIGHT_TITLES, ScreenContent, Theme, screen_jpeg

VISIBLE_LINES = [
    "Tasks — Mail",
    "Quarterly budget — Sheets",
    "Buy milk at the corner shop",
    "Call mother on Sunday morning",
    "Send invoice to Acme Corp",
    "Cannot save file: disk full",
    "Office rent",
    "2,750",
    "Pending",
    "980",
    "5 tasks, 2 due today",
    "Tue 14:32",
]


@pytest.fixture(scope="module", params=[DARK_TITLES, LIGHT_TITLES], ids=["dark-titles", "light-titles"])
def theme(request: pytest.FixtureRequest) -> Theme:
    theme: Theme = request.param
    return theme


@pytest.fixture(scope="module")
def reader(ocr: RapidOcr, theme: Theme) -> ScreenReader:
    return ScreenReader(ocr)


@pytest.fixture(scope="module")
def first(reader: ScreenReader, theme: Theme) -> ScreenObservation:
    data = screen_jpeg(theme=theme)
    return reader.read(decode_frame(data, "image/jpeg", 1280).image, data)


def test_ocr_reads_rendered_text_exactly(first: ScreenObservation) -> None:
    """Every uncovered line comes back character for character (the dialog hides two task ends)."""
    texts = {line.text for line in first.lines}
    missing = [line for line in VISIBLE_LINES if line not in texts]
    assert missing == []


def test_regions_name_windows_dialog_and_table(first: ScreenObservation) -> None:
    kinds = {(region.kind, region.title) for region in first.regions}
    assert (RegionKind.DIALOG, "Error") in kinds
    assert (RegionKind.WINDOW, "Tasks — Mail") in kinds
    assert (RegionKind.WINDOW, "Quarterly budget — Sheets") in kinds
    sheet = next(region for region in first.regions if region.title == "Quarterly budget — Sheets")
    table = next(element for element in sheet.elements if element.kind is ElementKind.TABLE)
    assert table.has_header
    assert table.cells[0] == ("Item", "Owner", "Amount", "Status")
    assert table.cells[2] == ("Office rent", "Sam", "2,750", "Pending")


def test_description_reads_like_the_screen(first: ScreenObservation) -> None:
    text = first.description
    assert "Dialog 'Error': 'Cannot save file: disk full'; buttons [OK] [Cancel]." in text
    assert "Window 'Tasks — Mail':" in text
    assert "list: 'Buy milk at the corner shop'; 'Call mother on Sunday morning'" in text
    assert "header: Item | Owner | Amount | Status" in text
    assert "row 2: Office rent | Sam | 2,750 | Pending" in text
    # The dialog is on top, so it comes first.
    assert text.index("Dialog 'Error'") < text.index("Window 'Tasks — Mail'")


def test_only_the_changed_region_is_read_again(reader: ScreenReader, first: ScreenObservation, theme: Theme) -> None:
    changed = screen_jpeg(ScreenContent(dialog_message="Cannot save file: permission denied"), theme)
    update = reader.read(decode_frame(changed, "image/jpeg", 1280).image, changed)
    assert 0 < update.reprocessed_share < 0.1
    assert "Dialog 'Error': 'Cannot save file: permission denied'" in update.description
    assert "disk full" not in update.description
    assert "row 2: Office rent | Sam | 2,750 | Pending" in update.description

    again = reader.unchanged(changed)
    assert again is not None and again.reprocessed_share == 0.0
    assert again.description == update.description


def test_low_resolution_still_reads_titles_and_the_error(ocr: RapidOcr) -> None:
    data = screen_jpeg()
    image = decode_frame(data, "image/jpeg", MediaResolution.LOW.screen_max_side).image
    observation = ScreenReader(ocr).read(image, data)
    assert observation.size == (1024, 576)
    assert "Dialog 'Error': 'Cannot save file: disk full'" in observation.description
    assert "Window 'Tasks — Mail'" in observation.description
