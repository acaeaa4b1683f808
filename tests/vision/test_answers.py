"""Grounded answers from real observations: rendered screenshots through PP-OCRv6 and the layout,
camera frames through the face cascades, asked in typed and in Whisper-like phrasings."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace

import cv2
import numpy as np
import pytest
from matplotlib import font_manager
from PIL import Image, ImageDraw, ImageFont

from openlive.engine.vision import CameraObservation, FrameSource, ScreenObservation, VisionEngine, VisualContext
from openlive.engine.vision.answers import STILL_LOOKING, Topic, answer_visual_question, classify_question
from openlive.engine.vision.layout import ElementKind
from tests.support.images import (
    LIGHT_TITLES,
    ScreenContent,
    camera_jpeg_with_face,
    empty_room_jpeg,
    encode,
    render_screen,
    screen_jpeg,
)

# A second desktop with other apps and words, so no answer can lean on the first one's strings.
INVOICES = ScreenContent(
    clock="Wed 09:05",
    mail_title="Inbox — Outlook",
    tasks=("Quarterly report from Maria", "Team lunch on Friday", "Flight confirmation", "Password expires soon"),
    sheet_title="Invoices 2025 — Excel",
    table_header=("Client", "Invoice", "Total", "Due"),
    table_rows=(
        ("Globex", "INV-301", "12,400", "March 3"),
        ("Initech", "INV-302", "860", "March 9"),
        ("Umbrella", "INV-303", "5,075", "April 1"),
    ),
    dialog_title="Warning",
    dialog_message="Unsaved changes will be lost",
    dialog_buttons=("Save", "Discard"),
)


TERMINAL_LINES = ("~/project$ make release", "Compiling main.c", "Build failed: 3 errors in main.c")


def terminal_jpeg() -> bytes:
    """A full-screen terminal: text on a dark background, no windows, no dialog."""
    font = ImageFont.truetype(font_manager.findfont("DejaVu Sans Mono", fallback_to_default=False), 18)
    image = Image.new("RGB", (960, 240), (30, 30, 30))
    draw = ImageDraw.Draw(image)
    for index, line in enumerate(TERMINAL_LINES):
        draw.text((16, 20 + index * 34), line, font=font, fill=(220, 220, 220))
    return encode(image)


class Seen:
    """Observations of the rendered frames, each read once by a real vision session."""

    def __init__(self) -> None:
        self.screens: dict[str, ScreenObservation] = {}
        self.cameras: dict[str, CameraObservation] = {}

    def context(self, screen: str | None = None, camera: str | None = None) -> VisualContext:
        return VisualContext(
            screen=self.screens[screen] if screen else None, camera=self.cameras[camera] if camera else None
        )


@pytest.fixture(scope="module")
async def seen(vision_engine: VisionEngine) -> AsyncIterator[Seen]:
    result = Seen()
    session = vision_engine.open_session(rate_hz=100.0, burst=10)
    other = vision_engine.open_session(rate_hz=100.0, burst=10)
    try:
        for name, data in (("error", screen_jpeg()), ("no dialog", screen_jpeg(ScreenContent(dialog_title=None)))):
            # One session, so the second frame (the dialog closed) is read incrementally.
            session.submit(data, "image/jpeg", FrameSource.SCREEN)
            await session.settle()
            assert session.context.screen is not None
            result.screens[name] = session.context.screen
        for name, data in (
            ("invoices", encode(render_screen(INVOICES, theme=LIGHT_TITLES).image)),
            ("terminal", terminal_jpeg()),
        ):
            other.submit(data, "image/jpeg", FrameSource.SCREEN)
            await other.settle()
            assert other.context.screen is not None
            result.screens[name] = other.context.screen
        face = np.asarray(cv2.imdecode(np.frombuffer(camera_jpeg_with_face(), np.uint8), cv2.IMREAD_COLOR))
        two_people = cv2.imencode(".jpg", np.hstack([face, face]))[1].tobytes()
        for name, data in (("person", camera_jpeg_with_face()), ("room", empty_room_jpeg()), ("two", two_people)):
            session.submit(data, "image/jpeg", FrameSource.CAMERA)
            await session.settle()
            assert session.context.camera is not None
            result.cameras[name] = session.context.camera
        yield result
    finally:
        await session.close()
        await other.close()


def ask(question: str, context: VisualContext) -> str | None:
    """Asked a second after the newest frame, as a user would."""
    times = [observation.at for observation in (context.screen, context.camera) if observation is not None]
    return answer_visual_question(question, context, now=max(times, default=0.0) + 1.0)


def assert_speakable(answer: str | None) -> str:
    assert answer is not None
    assert not re.search(r"[*#|\[\]_`\n]", answer), f"markup in a spoken answer: {answer!r}"
    assert answer.endswith((".", "?", "!")), answer
    return answer


@pytest.mark.parametrize(
    "question",
    [
        "What's on my screen?",
        "what is on my screen",
        "Describe my screen.",
        "what do you see",
        "Can you see my screen?",
        "so what am i sharing right now",
    ],
)
def test_screen_summary_names_dialog_windows_and_content(seen: Seen, question: str) -> None:
    answer = assert_speakable(ask(question, seen.context("error")))
    assert "Error dialog saying: Cannot save file: disk full" in answer
    assert "Tasks — Mail" in answer and "Quarterly budget — Sheets" in answer
    assert "a table of four rows with the columns Item, Owner, Amount and Status" in answer
    assert "a list of five items, starting with Buy milk at the corner shop" in answer
    # The dialog is on top: it comes first.
    assert answer.index("Error dialog") < answer.index("Tasks — Mail")
    assert len(answer.split()) <= 80, "a spoken summary stays short"


def test_screen_summary_of_another_desktop(seen: Seen) -> None:
    answer = assert_speakable(ask("what's on my screen", seen.context("invoices")))
    assert "Warning dialog saying: Unsaved changes will be lost, with Save and Discard buttons" in answer
    assert "Inbox — Outlook" in answer and "Invoices 2025 — Excel" in answer
    assert "three rows with the columns Client, Invoice, Total and Due" in answer


def test_can_you_see_my_screen_says_yes_or_no(seen: Seen) -> None:
    assert assert_speakable(ask("can you see my screen", seen.context("no dialog"))).startswith("Yes. On your screen")
    assert ask("Can you see my screen?", seen.context(camera="person")) == "I can't see your screen, only your camera."
    assert (
        ask("Can you see my screen?", VisualContext()) == "I can't see your screen right now; nothing is being shared."
    )


@pytest.mark.parametrize(
    "question",
    [
        "Read me the error message.",
        "read the error",
        "What does the error message say?",
        "what does the error say",
        "What does the dialog say?",
        "whats the error",
        "What's the error message?",
        "Can you see the error?",
        "can you read what the popup says",
    ],
)
def test_error_is_read_verbatim(seen: Seen, question: str) -> None:
    assert ask(question, seen.context("error", "person")) == "The Error dialog says: Cannot save file: disk full."


def test_any_dialog_is_read_with_its_own_title(seen: Seen) -> None:
    answer = ask("read me the error message", seen.context("invoices"))
    assert answer == "The Warning dialog says: Unsaved changes will be lost."


def test_no_error_on_screen(seen: Seen) -> None:
    context = seen.context("no dialog")
    assert ask("Read me the error message.", context) == "I don't see an error message on your screen."
    # Without naming anything seen, the question may be about something else: the LLM answers.
    assert ask("what's the error", context) is None
    assert ask("read me the error message", seen.context(camera="room")) == "I can't see your screen, only your camera."


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What does the second line of the table say?", "Not counting the header, the second line says: "),
        ("what does the 2nd row say", "Not counting the header, the second row says: "),
        ("what's in row two of the spreadsheet", "Not counting the header, the second row says: "),
        ("What is line 2 of the table?", "Not counting the header, the second line says: "),
    ],
)
def test_table_row_counts_below_the_header(seen: Seen, question: str, expected: str) -> None:
    answer = assert_speakable(ask(question, seen.context("error")))
    assert answer == expected + "Office rent, Sam, 2,750, Pending."


def test_error_text_outside_a_dialog(seen: Seen) -> None:
    # Read after a 1280×720 desktop in the same session: nothing of that larger frame remains.
    assert [line.text for line in seen.screens["terminal"].lines] == list(TERMINAL_LINES)
    context = seen.context("terminal")
    assert ask("read me the error message", context) == (
        "I don't see a dialog, but your screen shows: Build failed: 3 errors in main.c."
    )
    assert ask("what's on my screen", context) == (
        "Your screen shows ~/project$ make release, Compiling main.c and Build failed: 3 errors in main.c."
    )
    assert ask("What does the second line say?", context) == "The second line says: Compiling main.c."
    assert ask("what's the title of the window", context) == "I can't see any window titles on your screen."


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        (
            "read me the third row of the table",
            "Not counting the header, the third row says: Travel, Priya, 980, Rejected.",
        ),
        ("What's in the last row?", "The last row says: Software, Lee, 1,130, Approved."),
        ("what's the second to last row", "The second to last row says: Travel, Priya, 980, Rejected."),
        ("What are the column headers of the table?", "The header row says: Item, Owner, Amount, Status."),
        ("what does the tenth row of the table say", "The table only has four rows below the header."),
        ("What's the first item in the list?", "The first item says: Buy milk at the corner shop."),
        ("what does the second line of the list say", "The second line says: Call mother on Sunday morning."),
    ],
)
def test_rows_and_items_by_ordinal(seen: Seen, question: str, answer: str) -> None:
    assert ask(question, seen.context("error")) == answer


def test_rows_of_another_table_and_list(seen: Seen) -> None:
    context = seen.context("invoices")
    first = ask("what does the first row of the table say", context)
    assert first == "Not counting the header, the first row says: Globex, INV-301, 12,400, March 3."
    assert ask("what's the last item on the list", context) == "The last item says: Password expires soon."


def test_rows_without_a_screen(seen: Seen) -> None:
    assert ask("What does the second line of the table say?", VisualContext()) == (
        "I can't see your screen right now; nothing is being shared."
    )
    # "the third line" could be of a poem: only a shared screen makes it a question about the screen.
    assert ask("what's the third line", VisualContext()) is None


def test_window_titles(seen: Seen) -> None:
    assert ask("What's the title of the window?", seen.context("no dialog")) == (
        "I can see two windows: Tasks — Mail and Quarterly budget — Sheets."
    )
    assert ask("what windows are open", seen.context("error")) == (
        "I can see two windows: Tasks — Mail and Quarterly budget — Sheets, with an Error dialog on top."
    )
    assert ask("What is the dialog called?", seen.context("invoices")) == "The dialog is titled Warning."
    assert ask("what's the name of the dialog", seen.context("no dialog")) == "I don't see a dialog on your screen."


@pytest.mark.parametrize(
    "question",
    [
        "Can you see me?",
        "can you see me",
        "Do you see me?",
        "am I on camera",
        "Hey, are you seeing me?",
        "Am I visible?",
    ],
)
def test_can_you_see_me(seen: Seen, question: str) -> None:
    assert ask(question, seen.context("error", "person")) == "Yes, I can see you."
    assert ask(question, seen.context("error", "room")) == "No, I can't see anyone on the camera right now."
    assert ask(question, seen.context("error")) == "I can't see you, only your shared screen."
    assert ask(question, VisualContext()) == "I don't have a camera view."


def test_people_are_counted(seen: Seen) -> None:
    assert ask("How many people do you see?", seen.context(camera="person")) == "I can see one person."
    assert ask("how many people can you see", seen.context(camera="two")) == "I can see two people."
    assert ask("Can you see us?", seen.context(camera="two")) == "Yes, I can see two people."
    assert ask("is anyone on camera", seen.context(camera="room")) == "I can't see anyone on the camera."


def test_smile_is_hedged_and_needs_the_cue(seen: Seen) -> None:
    camera = seen.cameras["person"]
    assert camera.faces[0].smiling is True
    assert ask("Am I smiling?", seen.context(camera="person")) == "It looks like you're smiling."
    not_smiling = replace(camera, faces=(replace(camera.faces[0], smiling=False),))
    assert ask("am i smiling", VisualContext(camera=not_smiling)) == (
        "It doesn't look like you're smiling right now, but I can't be sure."
    )
    unmeasured = replace(camera, faces=(replace(camera.faces[0], smiling=None),))
    assert "can't really tell" in (ask("do I look happy", VisualContext(camera=unmeasured)) or "")
    assert ask("am I smiling", seen.context(camera="room")) == (
        "I can't see anyone on the camera right now, so I can't tell."
    )


def test_frames_not_yet_read_are_not_denied() -> None:
    """The first OCR pass takes seconds: meanwhile "I can't see your screen" would be untrue."""
    waiting = VisualContext(frames_received=1)
    for question in ("What's on my screen?", "Can you see me?", "what do you see", "what does the error say"):
        assert answer_visual_question(question, waiting) == STILL_LOOKING
    assert STILL_LOOKING == "I'm still looking at what you shared; ask me again in a moment."


def test_latest_source_comes_first(seen: Seen) -> None:
    screen, camera = seen.screens["no dialog"], seen.cameras["person"]
    camera_newer = VisualContext(screen=replace(screen, at=100.0), camera=replace(camera, at=105.0))
    screen_newer = VisualContext(screen=replace(screen, at=105.0), camera=replace(camera, at=100.0))
    first = answer_visual_question("What do you see?", camera_newer, now=106.0)
    second = answer_visual_question("What do you see?", screen_newer, now=106.0)
    assert first is not None and first.startswith("On the camera: One person is visible")
    assert second is not None and second.startswith("On your screen I can see two windows")
    assert "On the camera" in second


def test_latest_screen_replaces_the_older_one(seen: Seen) -> None:
    """The same session saw the dialog, then the screen without it: only the newer frame counts."""
    context = VisualContext()
    context.update_screen(seen.screens["error"])
    context.update_screen(seen.screens["no dialog"])
    assert ask("read me the error message", context) == "I don't see an error message on your screen."


def test_stale_observations_are_flagged(seen: Seen) -> None:
    screen = seen.screens["error"]
    answer = answer_visual_question("what does the error say", VisualContext(screen=screen), now=screen.at + 45)
    assert answer == (
        "The Error dialog says: Cannot save file: disk full. "
        "That was on your screen 45 seconds ago, so it may have changed since."
    )
    camera = replace(seen.cameras["person"], at=1000.0)
    context = VisualContext(screen=replace(screen, at=1100.0), camera=camera)
    assert answer_visual_question("can you see me", context, now=1120.0) == (
        "The last camera picture I got, 2 minutes ago, showed you, so that may be out of date. "
        "Since then I've only seen your shared screen."
    )
    # Within 30 s nothing is flagged.
    fresh = answer_visual_question("can you see me", VisualContext(camera=camera), now=1029.0)
    assert fresh == "Yes, I can see you."


@pytest.mark.parametrize(
    "question",
    [
        "What's the capital of France?",
        "tell me a joke",
        "What is the weather like in Paris",
        "see you later",
        "Do you see what I mean?",
        "what do you see as the biggest risk",
        "How do I fix a disk full error?",
        "What does this error mean?",
        "why does it say disk full",
        "Send a message to my mother",
        "what is the first law of thermodynamics",
        "",
    ],
)
def test_other_questions_go_to_the_llm(seen: Seen, question: str) -> None:
    assert answer_visual_question(question, seen.context("error", "person")) is None


@pytest.mark.parametrize(
    ("question", "position", "containers"),
    [
        ("What does the 3rd line of the table say?", 3, (ElementKind.TABLE,)),
        ("read row number two", 2, (ElementKind.TABLE, ElementKind.LIST)),
        ("what is line 4", 4, (ElementKind.TABLE, ElementKind.LIST)),
        ("the penultimate row please", -2, (ElementKind.TABLE, ElementKind.LIST)),
        ("what's the next to last item", -2, (ElementKind.LIST, ElementKind.TABLE)),
        ("what does the bottom line of the list say", -1, (ElementKind.LIST,)),
        ("what are the headings of the table", 0, (ElementKind.TABLE,)),
        ("What's the twelfth entry?", 12, (ElementKind.LIST, ElementKind.TABLE)),
    ],
)
def test_ordinals_and_containers_are_parsed(question: str, position: int, containers: tuple[ElementKind, ...]) -> None:
    asked = classify_question(question)
    assert asked is not None and asked.topic is Topic.ROW
    assert (asked.position, asked.containers) == (position, containers)
