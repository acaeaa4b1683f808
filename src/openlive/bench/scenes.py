"""Realistic synthetic frames for the vision bench and tests: desktop screenshots and camera frames.

Screenshots are drawn with DejaVu Sans, the TrueType font matplotlib ships (a common desktop UI
font, with the "—" that window titles use): a task-list window, a spreadsheet window with a table,
and an error dialog on top. Each scene carries the strings it drew, so tests and benches can check
what OCR and the screen describer recover. The camera frame with a person is ``grace_hopper.jpg``
from matplotlib's sample data. matplotlib is a development dependency, imported only here.
"""

from __future__ import annotations

import functools
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

SCREEN_SIZE = (1280, 720)

Color = tuple[int, int, int]
Box = tuple[int, int, int, int]

_WINDOW_BODY = (250, 250, 252)
_SIDEBAR = (236, 238, 242)
_TEXT = (32, 33, 36)
_MUTED_TEXT = (95, 99, 104)
_BORDER = (190, 193, 198)
_BUTTON = (228, 230, 235)
_ACCENT = (26, 115, 232)


@dataclass(frozen=True)
class Theme:
    """How windows look: tests run the same content through differently styled desktops."""

    title_bar: Color
    title_text: Color
    title_centred: bool
    # Tables with grid lines, or without (zebra-striped rows, as many web apps draw them).
    table_grid: bool
    desktop_top: Color
    desktop_bottom: Color


# GNOME-like: dark title bars with centred titles, gridded tables.
DARK_TITLES = Theme((45, 48, 56), (236, 238, 242), True, True, (38, 70, 110), (18, 36, 60))
# Windows-like: light title bars with titles on the left, tables without grid lines.
LIGHT_TITLES = Theme((226, 228, 233), (20, 20, 20), False, False, (0, 98, 170), (0, 52, 100))


@functools.cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    from matplotlib import font_manager

    return ImageFont.truetype(font_manager.findfont("DejaVu Sans", fallback_to_default=False), size)


@dataclass(frozen=True)
class ScreenContent:
    """What a screenshot shows. Change a field to get a frame with one changed region."""

    clock: str = "Tue 14:32"
    mail_title: str = "Tasks — Mail"
    tasks: tuple[str, ...] = (
        "Buy milk at the corner shop",
        "Call mother on Sunday morning",
        "Send invoice to Acme Corp",
        "Book dentist appointment",
        "Renew passport before June",
    )
    sheet_title: str = "Quarterly budget — Sheets"
    table_header: tuple[str, ...] = ("Item", "Owner", "Amount", "Status")
    table_rows: tuple[tuple[str, ...], ...] = (
        ("Laptops", "Dana", "4,200", "Approved"),
        ("Office rent", "Sam", "2,750", "Pending"),
        ("Travel", "Priya", "980", "Rejected"),
        ("Software", "Lee", "1,130", "Approved"),
    )
    dialog_title: str | None = "Error"
    dialog_message: str = "Cannot save file: disk full"
    dialog_buttons: tuple[str, ...] = ("OK", "Cancel")


@dataclass
class Scene:
    image: Image.Image
    content: ScreenContent
    # Where each element was drawn, in image pixels, for tests of region grouping.
    boxes: dict[str, Box] = field(default_factory=dict)


def _desktop(draw: ImageDraw.ImageDraw, size: tuple[int, int], theme: Theme) -> None:
    width, height = size
    top, bottom = theme.desktop_top, theme.desktop_bottom
    for y in range(height):
        t = y / (height - 1)
        row: Color = (
            round(top[0] + (bottom[0] - top[0]) * t),
            round(top[1] + (bottom[1] - top[1]) * t),
            round(top[2] + (bottom[2] - top[2]) * t),
        )
        draw.line([(0, y), (width, y)], fill=row)


def _top_panel(draw: ImageDraw.ImageDraw, width: int, clock: str) -> Box:
    draw.rectangle([0, 0, width, 27], fill=(20, 20, 24))
    draw.text((12, 6), "Activities", font=_font(14), fill=(230, 230, 230))
    font = _font(14)
    clock_width = draw.textlength(clock, font=font)
    x = round((width - clock_width) / 2)
    draw.text((x, 6), clock, font=font, fill=(230, 230, 230))
    return (x, 0, x + round(clock_width), 27)


def _window(draw: ImageDraw.ImageDraw, box: Box, title: str, theme: Theme) -> Box:
    """Draw a window frame with a title bar; returns the client area below the title bar."""
    left, top, right, bottom = box
    draw.rectangle([left + 6, top + 8, right + 6, bottom + 8], fill=(10, 14, 22))  # drop shadow
    draw.rectangle([left, top, right, bottom], fill=_WINDOW_BODY, outline=_BORDER)
    draw.rectangle([left, top, right, top + 34], fill=theme.title_bar)
    font = _font(15)
    title_width = draw.textlength(title, font=font)
    title_left = round((left + right - title_width) / 2) if theme.title_centred else left + 14
    draw.text((title_left, top + 8), title, font=font, fill=theme.title_text)
    for index, color in enumerate(((237, 106, 94), (245, 191, 79), (98, 197, 84))):
        cx = right - 20 - index * 22
        draw.ellipse([cx - 6, top + 11, cx + 6, top + 23], fill=color)
    return (left + 1, top + 35, right - 1, bottom - 1)


def _button(draw: ImageDraw.ImageDraw, box: Box, label: str, primary: bool = False) -> None:
    fill, text = (_ACCENT, (255, 255, 255)) if primary else (_BUTTON, _TEXT)
    draw.rounded_rectangle(list(box), radius=4, fill=fill, outline=_BORDER)
    font = _font(14)
    label_width = draw.textlength(label, font=font)
    left, top, right, bottom = box
    draw.text((round((left + right - label_width) / 2), round((top + bottom) / 2 - 8)), label, font=font, fill=text)


def _mail_window(draw: ImageDraw.ImageDraw, content: ScreenContent, theme: Theme, boxes: dict[str, Box]) -> None:
    client = _window(draw, (40, 50, 700, 660), content.mail_title, theme)
    boxes["mail_window"] = (40, 50, 700, 660)
    left, top, right, bottom = client
    for index, label in enumerate(("New task", "Delete", "Sync")):
        _button(draw, (left + 12 + index * 96, top + 10, left + 96 + index * 96, top + 38), label)
    sidebar = (left, top + 48, left + 150, bottom)
    draw.rectangle(list(sidebar), fill=_SIDEBAR)
    for index, label in enumerate(("Inbox", "Today", "Upcoming", "Done")):
        y = sidebar[1] + 14 + index * 32
        if label == "Today":
            draw.rectangle([sidebar[0], y - 6, sidebar[2], y + 24], fill=(210, 227, 252))
        draw.text((sidebar[0] + 16, y), label, font=_font(15), fill=_TEXT)
    list_left = sidebar[2] + 24
    draw.text((list_left, top + 62), "Today", font=_font(22), fill=_TEXT)
    for index, task in enumerate(content.tasks):
        y = top + 110 + index * 44
        draw.rectangle([list_left, y + 2, list_left + 16, y + 18], outline=_MUTED_TEXT, width=2)
        draw.text((list_left + 30, y), task, font=_font(16), fill=_TEXT)
        draw.line([(list_left, y + 34), (right - 16, y + 34)], fill=(226, 228, 232))
    boxes["task_list"] = (list_left, top + 110, right - 16, top + 110 + 44 * len(content.tasks))
    due = sum(1 for task in content.tasks if "Sunday" in task or "milk" in task)
    status = f"{len(content.tasks)} tasks, {due} due today"
    draw.rectangle([left, bottom - 26, right, bottom], fill=_SIDEBAR)
    draw.text((sidebar[2] + 12, bottom - 21), status, font=_font(13), fill=_MUTED_TEXT)


def _sheet_window(draw: ImageDraw.ImageDraw, content: ScreenContent, theme: Theme, boxes: dict[str, Box]) -> None:
    client = _window(draw, (730, 80, 1250, 470), content.sheet_title, theme)
    boxes["sheet_window"] = (730, 80, 1250, 470)
    left, top, _, _ = client
    column_widths = (150, 110, 110, 120)
    row_height = 34
    table_top = top + 24
    table_left = left + 14
    rows = (content.table_header, *content.table_rows)
    for row_index, row in enumerate(rows):
        y = table_top + row_index * row_height
        x = table_left
        fill = (232, 236, 242) if row_index == 0 or (not theme.table_grid and row_index % 2 == 0) else _WINDOW_BODY
        for width, cell in zip(column_widths, row, strict=True):
            draw.rectangle([x, y, x + width, y + row_height], fill=fill, outline=_BORDER if theme.table_grid else None)
            draw.text((x + 10, y + 9), cell, font=_font(15), fill=_TEXT)
            x += width
    boxes["table"] = (table_left, table_top, table_left + sum(column_widths), table_top + row_height * len(rows))


def _dialog(draw: ImageDraw.ImageDraw, content: ScreenContent, theme: Theme, boxes: dict[str, Box]) -> None:
    if content.dialog_title is None:
        return
    box = (430, 330, 870, 500)
    client = _window(draw, box, content.dialog_title, theme)
    boxes["dialog"] = box
    left, top, right, bottom = client
    draw.ellipse([left + 20, top + 24, left + 52, top + 56], fill=(217, 48, 37))
    draw.text((left + 32, top + 28), "!", font=_font(20), fill=(255, 255, 255))
    draw.text((left + 72, top + 30), content.dialog_message, font=_font(17), fill=_TEXT)
    x = right - 16
    for index, label in enumerate(reversed(content.dialog_buttons)):
        x_left = x - 90
        _button(draw, (x_left, bottom - 46, x, bottom - 14), label, primary=index == len(content.dialog_buttons) - 1)
        x = x_left - 12


def render_screen(
    content: ScreenContent | None = None, size: tuple[int, int] = SCREEN_SIZE, theme: Theme = DARK_TITLES
) -> Scene:
    """A 1280×720 desktop: task list window, spreadsheet window, and (optionally) an error dialog."""
    content = content or ScreenContent()
    image = Image.new("RGB", SCREEN_SIZE)
    draw = ImageDraw.Draw(image)
    boxes: dict[str, Box] = {}
    _desktop(draw, SCREEN_SIZE, theme)
    boxes["clock"] = _top_panel(draw, SCREEN_SIZE[0], content.clock)
    _mail_window(draw, content, theme, boxes)
    _sheet_window(draw, content, theme, boxes)
    _dialog(draw, content, theme, boxes)
    if size != SCREEN_SIZE:
        image = image.resize(size, Image.Resampling.LANCZOS)
    return Scene(image=image, content=content, boxes=boxes)


def encode(image: Image.Image, mime_type: str = "image/jpeg", quality: int = 85) -> bytes:
    """Encode as a client would send it: ``image/jpeg`` (quality 85, like browsers) or ``image/png``."""
    buffer = io.BytesIO()
    if mime_type == "image/jpeg":
        image.convert("RGB").save(buffer, format="JPEG", quality=quality)
    elif mime_type == "image/png":
        image.save(buffer, format="PNG")
    else:
        raise ValueError(f"unsupported mime type {mime_type!r}")
    return buffer.getvalue()


def screen_share_frames(count: int, seed: int = 0) -> list[bytes]:
    """JPEG frames of a 1 fps screen share: mostly unchanged, with the clock ticking every 10 frames,
    a task added every 7 frames and the dialog dismissed half-way, like a user working."""
    rng = random.Random(seed)
    extra_tasks = ("Water the plants", "Pay the electricity bill", "Email the landlord", "Buy printer ink")
    frames: list[bytes] = []
    tasks = list(ScreenContent().tasks)
    for index in range(count):
        if index and index % 7 == 0 and len(tasks) < 8:
            tasks.append(extra_tasks[rng.randrange(len(extra_tasks))])
        minute = 32 + index // 10
        content = ScreenContent(
            clock=f"Tue 14:{minute % 60:02d}",
            tasks=tuple(tasks),
            dialog_title="Error" if index < count // 2 else None,
        )
        frames.append(encode(render_screen(content).image))
    return frames


def empty_room(size: tuple[int, int] = (640, 480), seed: int = 0) -> Image.Image:
    """A camera view of a room with nobody in it: wall, window, shelf, plant, sensor noise."""
    width, height = size
    image = Image.new("RGB", size, (196, 186, 170))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, round(height * 0.72), width, height], fill=(120, 92, 70))  # floor
    draw.rectangle(
        [round(width * 0.08), round(height * 0.12), round(width * 0.38), round(height * 0.55)],
        fill=(170, 205, 235),
        outline=(240, 240, 240),
        width=8,
    )  # window
    shelf_left = round(width * 0.6)
    for level in range(4):
        y = round(height * (0.2 + level * 0.13))
        draw.rectangle([shelf_left, y, shelf_left + 180, y + 8], fill=(90, 64, 44))
        for book in range(7):
            shade = 60 + (book * 37 + level * 23) % 150
            draw.rectangle(
                [shelf_left + 8 + book * 24, y - 48, shelf_left + 26 + book * 24, y], fill=(shade, 80, 200 - shade // 2)
            )
    draw.rectangle(
        [round(width * 0.45), round(height * 0.6), round(width * 0.52), round(height * 0.78)], fill=(150, 90, 60)
    )  # pot
    draw.ellipse(
        [round(width * 0.40), round(height * 0.38), round(width * 0.57), round(height * 0.63)], fill=(60, 120, 60)
    )  # plant
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    # Light falls off away from the window, and a webcam adds sensor noise (σ ≈ 4 levels).
    pixels = np.asarray(image, dtype=np.float32)
    falloff = np.linspace(1.05, 0.8, width, dtype=np.float32)[None, :, None]
    noise = np.random.default_rng(seed).normal(0.0, 4.0, pixels.shape).astype(np.float32)
    return Image.fromarray(np.clip(pixels * falloff + noise, 0, 255).astype(np.uint8))


def camera_frame_with_face() -> Image.Image:
    """Grace Hopper's portrait (512×600) from matplotlib's sample data: one frontal face."""
    from matplotlib import cbook

    path = cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    with Image.open(str(path)) as image:
        return image.convert("RGB")


def lines_of(content: ScreenContent) -> Sequence[str]:
    """Every text line the screenshot of ``content`` shows, for OCR accuracy checks."""
    lines = [content.clock, content.mail_title, *content.tasks, content.sheet_title]
    lines += [*content.table_header]
    for row in content.table_rows:
        lines += list(row)
    if content.dialog_title is not None:
        lines += [content.dialog_title, content.dialog_message, *content.dialog_buttons]
    return lines
