"""Grounded answers to questions about what is seen, built from the structured observations.

A small LLM cannot reliably answer "can you see me?" or "read me the error" from a text
description of the frames, so the decision is split into steps that rules do well:

1. :func:`classify_question` decides from keywords and phrasing (typed, or as Whisper
   transcribes speech: lower case, no punctuation, "what's" or "what is") whether the question
   is about the shared screen or the camera, and what exactly it asks for, with an ordinal
   ("second", "2nd", "row 2", "last") where it names a row.
2. :func:`answer_visual_question` reads the answer from the latest :class:`ScreenObservation`
   regions (windows, dialogs, tables, lists) or :class:`CameraObservation` faces, as short
   sentences for text-to-speech (a summary describes at most three windows): no markdown,
   table cells read as "Office rent, Sam, 2,750, Pending". It returns None when the question
   is not about what is seen, and the LLM answers with the visual description in its context.

Row numbers count the rows *below* a table's header, as the screen description numbers
them: "the second row" ("line 2", "2nd line") of a table with a header is the second data row,
and "the header" is the header row. List items count from the first item.

A question that names something seen ("screen", "camera", "table", "dialog", "can you see")
is always answered, if need be with "I can't see your screen". One that could be about
anything ("what's the error?", "what does the third line say?") is answered only when the
screen shows what it asks about; otherwise it goes to the LLM.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from openlive.backends.face.base import FacePose
from openlive.backends.ocr.base import Box
from openlive.engine.vision.camera import CameraObservation
from openlive.engine.vision.context import STALE_AFTER_SECONDS, VisualContext
from openlive.engine.vision.layout import Element, ElementKind, Region, RegionKind
from openlive.engine.vision.screen import ScreenObservation

# The answer while frames have arrived but none has been read yet (the first OCR pass takes seconds).
STILL_LOOKING = "I'm still looking at what you shared; ask me again in a moment."


class Topic(Enum):
    SCREEN_SUMMARY = "screen summary"
    # "Can you see my screen?": a yes or no, then the summary.
    SCREEN_CONFIRM = "screen confirm"
    DIALOG_TEXT = "dialog text"
    ROW = "row"
    WINDOW_TITLE = "window title"
    SEES_USER = "sees user"
    PEOPLE_COUNT = "people count"
    SMILE = "smile"
    CAMERA_SUMMARY = "camera summary"
    # "What do you see?": everything, newest source first.
    EVERYTHING = "everything"


@dataclass(frozen=True)
class VisualQuestion:
    topic: Topic
    # False when the question could be about anything ("what's the error?"): answered only
    # when the screen shows what it asks about.
    explicit: bool = True
    # ROW only: 1-based from the top, negative from the end (-1 the last), 0 the header row.
    position: int = 0
    # ROW only: the kinds of element it may mean, preferred first.
    containers: tuple[ElementKind, ...] = ()
    # ROW only: the noun the user used ("row", "line", "item"), to answer in their words.
    row_noun: str = "row"
    # ROW only: content words, to pick the window the question names ("the list in the mail window").
    words: frozenset[str] = frozenset()
    # WINDOW_TITLE only: the question asks about a dialog's title rather than the windows'.
    names_dialog: bool = False


# --- step 1: what is asked -------------------------------------------------------------------

_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_ORDINAL_WORDS = (
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
)
_ORDINALS = {word: index for index, word in enumerate(_ORDINAL_WORDS, start=1)}
_FROM_END = {
    "last": -1,
    "bottom": -1,
    "final": -1,
    "second last": -2,
    "second to last": -2,
    "next to last": -2,
    "penultimate": -2,
    "third last": -3,
    "third to last": -3,
}
_ORDINAL = "|".join([*sorted(_FROM_END, key=len, reverse=True), *_ORDINAL_WORDS, r"\d{1,2}(?:st|nd|rd|th)", "top"])
_CARDINAL = "|".join([*_NUMBER_WORDS[1:], r"\d{1,2}"])
_ROW_NOUN = r"row|line|item|entry|record"

_SCREEN = r"(?:screen|display|monitor|desktop)"
_CAMERA = r"(?:camera|webcam|cam|video|picture|frame|view)"
_DETERMINER = r"(?:the|my|this|that|your|our)"
_DIALOG_NOUN = r"(?:error|errors|dialog|dialogue|pop ?up|alert|warning|notification|message)"
_TABLE_NOUN = re.compile(r"\b(?:table|spreadsheet|sheet|grid)\b")
_LIST_NOUN = re.compile(r"\blist\b")
_VISUAL_WORD = re.compile(rf"\b(?:{_SCREEN}|camera|webcam|see|seeing|read|window|dialog|dialogue|pop ?up|table|list)\b")

_SMILE = re.compile(
    r"\b(?:am i|i am|i'm|do i (?:look|seem)|does my face look|is my face)\b.*\b(?:smil\w*|happy|cheerful)\b"
)
_PEOPLE = re.compile(
    r"\bhow many (?:people|persons|faces|humans|of us)\b"
    r"|\b(?:can|do|could) you see (?:anyone|anybody|someone|somebody|people|a person|a face|any faces|any people)\b"
    rf"|\bis (?:anyone|anybody|someone|somebody) (?:on|in) (?:the )?{_CAMERA}\b"
)
_SEES_USER = re.compile(
    r"\b(?:can|could|do|are) you (?:see|seeing) (?:me|us|my face)\b"
    rf"|\bam i (?:on|in) (?:the )?(?:{_CAMERA}|shot)\b"
    r"|\bam i visible\b"
    r"|\bis my (?:camera|webcam|video) (?:on|working)\b"
)
_ORDINAL_ROW = re.compile(rf"\b(?P<ordinal>{_ORDINAL}) (?P<noun>{_ROW_NOUN})s?\b")
_NUMBERED_ROW = re.compile(rf"\b(?P<noun>{_ROW_NOUN}) (?:number |no |#)?(?P<number>{_CARDINAL})\b")
_HEADER_ROW = re.compile(r"\b(?:header|headers|heading|headings|column names|column headers|column titles)\b")
_EXPLAINING = re.compile(r"\b(?:mean|means|meaning|why|fix|solve|cause|caused|happened|how do|how can|how to)\b")
_DIALOG_NAMED = re.compile(rf"\b{_DIALOG_NOUN}\b")
_DIALOG_READ = re.compile(
    r"\bread\b|\b(?:say|says|said|saying|reads)\b"
    rf"|\bwhat (?:is|was) (?:the|this|that|it) {_DIALOG_NOUN}(?: message| text| box| dialog)?$"
    rf"|\b(?:see|spot|find) (?:the|an|any|this|that) {_DIALOG_NOUN}\b"
)
_TITLE = re.compile(
    r"\b(?:title|titles|titled|name|called)\b.*\b(?:window|windows|app|application|program|tab|dialog|dialogue)\b"
    r"|\b(?:window|windows|app|application|program|tab|dialog|dialogue)\b.*\b(?:title|titles|titled|name|called)\b"
    r"|\b(?:what|which) (?:window|windows|app|apps|application|applications|program|programs)"
    r" (?:is|are|do i have|have i got) (?:open|opened|showing|up|on)\b"
)
_SCREEN_CONFIRM = re.compile(rf"\b(?:can|could|do|are) you (?:see|seeing|read|reading) {_DETERMINER} {_SCREEN}\b")
_SCREEN_SUMMARY = re.compile(
    rf"\b(?:what|anything|something)\b.*\b(?:on|in) {_DETERMINER} {_SCREEN}\b"
    rf"|\b(?:describe|summari[sz]e|read|look at|check) (?:out )?{_DETERMINER} {_SCREEN}\b"
    rf"|\b{_DETERMINER} {_SCREEN} (?:show|shows|showing|say|says)\b"
    r"|\bwhat am i (?:sharing|showing you|working on)\b"
)
_CAMERA_SUMMARY = re.compile(
    r"\b(?:what|describe|anything)\b.*\b(?:on|in|through) (?:the|my|your) (?:camera|webcam|video)\b"
    r"|\bwhat (?:does|can) (?:the|my|your) (?:camera|webcam) see\b"
)
_EVERYTHING = re.compile(
    r"\b(?:what|describe what|tell me what) (?:do |can |did )?you (?:see|are seeing|can see)"
    r"(?: now| right now| here| there)?$"
    r"|\bwhat are you (?:seeing|looking at)$|\bwhat am i looking at$"
)
_CONTRACTIONS = re.compile(r"\b(what|that|where|who|how|it|there)'s\b")


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that never pick out a window by its title.
_FILLER = _word_set(
    """a an the this that these those my your our me i you we us to of for in on at by with from is are was
    were be am do does did can could would will what which who how please tell read say says said show
    shows there here it its and or row rows line lines item items entry entries record table list window
    screen dialog dialogue"""
)


def _normalise(question: str) -> str:
    """Lower case, "what's" → "what is", punctuation dropped: typed and transcribed text alike."""
    text = question.lower().replace("’", "'")
    text = _CONTRACTIONS.sub(r"\1 is", text)
    text = re.sub(r"\bwhats\b", "what is", text)
    text = re.sub(r"[^a-z0-9'# ]+", " ", text)
    return " ".join(text.split())


def _content_words(text: str) -> frozenset[str]:
    return frozenset(_stem(word) for word in text.split() if len(word) > 2 and word not in _FILLER)


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _ordinal_value(ordinal: str) -> int:
    if ordinal in _FROM_END:
        return _FROM_END[ordinal]
    if ordinal == "top":
        return 1
    if ordinal in _ORDINALS:
        return _ORDINALS[ordinal]
    return int(re.sub(r"\D", "", ordinal))


def _cardinal_value(number: str) -> int:
    return _NUMBER_WORDS.index(number) if number in _NUMBER_WORDS else int(number)


def _row_question(text: str) -> VisualQuestion | None:
    ordinal = _ORDINAL_ROW.search(text)
    numbered = _NUMBERED_ROW.search(text)
    if ordinal is not None:
        position, noun = _ordinal_value(ordinal["ordinal"]), ordinal["noun"]
    elif numbered is not None:
        position, noun = _cardinal_value(numbered["number"]), numbered["noun"]
    elif _HEADER_ROW.search(text) and (_TABLE_NOUN.search(text) or re.search(r"\b(?:what|read)\b", text)):
        position, noun = 0, "header"
    else:
        return None
    if _TABLE_NOUN.search(text):
        containers: tuple[ElementKind, ...] = (ElementKind.TABLE,)
    elif _LIST_NOUN.search(text):
        containers = (ElementKind.LIST,)
    elif noun in ("item", "entry"):
        containers = (ElementKind.LIST, ElementKind.TABLE)
    else:
        containers = (ElementKind.TABLE, ElementKind.LIST)
    explicit = bool(_TABLE_NOUN.search(text) or _VISUAL_WORD.search(text))
    return VisualQuestion(Topic.ROW, explicit, position, containers, noun, _content_words(text))


def classify_question(question: str) -> VisualQuestion | None:
    """What a question asks about the screen or camera; None when it is about something else."""
    text = _normalise(question)
    if not text:
        return None
    if _SMILE.search(text):
        return VisualQuestion(Topic.SMILE)
    if _PEOPLE.search(text):
        return VisualQuestion(Topic.PEOPLE_COUNT)
    if _SEES_USER.search(text):
        return VisualQuestion(Topic.SEES_USER)
    row = _row_question(text)
    if row is not None:
        return row
    if _DIALOG_NAMED.search(text) and _DIALOG_READ.search(text) and not _EXPLAINING.search(text):
        explicit = bool(re.search(rf"\b(?:read|dialog|dialogue|pop ?up|{_SCREEN}|see)\b", text))
        return VisualQuestion(Topic.DIALOG_TEXT, explicit)
    if _TITLE.search(text):
        return VisualQuestion(Topic.WINDOW_TITLE, names_dialog=bool(re.search(r"\bdialog(?:ue)?\b", text)))
    if _SCREEN_CONFIRM.search(text):
        return VisualQuestion(Topic.SCREEN_CONFIRM)
    if _SCREEN_SUMMARY.search(text):
        return VisualQuestion(Topic.SCREEN_SUMMARY)
    if _CAMERA_SUMMARY.search(text):
        return VisualQuestion(Topic.CAMERA_SUMMARY)
    if _EVERYTHING.search(text):
        return VisualQuestion(Topic.EVERYTHING)
    return None


# --- step 2: the answer, from the observations ---------------------------------------------------


def answer_visual_question(question: str, context: VisualContext, now: float | None = None) -> str | None:
    """A short spoken answer grounded in the latest frames, or None when the LLM should answer.

    ``now``: ``time.monotonic()`` when omitted (the observations are stamped with it).
    """
    asked = classify_question(question)
    if asked is None:
        return None
    now = time.monotonic() if now is None else now
    if asked.topic in (Topic.SEES_USER, Topic.PEOPLE_COUNT, Topic.SMILE, Topic.CAMERA_SUMMARY):
        return _camera_answer(asked.topic, context, now)
    if asked.topic is Topic.EVERYTHING:
        return _everything(context, now)
    screen = context.screen
    if screen is None:
        if _nothing_read_yet(context):
            return STILL_LOOKING
        return _no_screen(context) if asked.explicit else None
    if asked.topic is Topic.SCREEN_CONFIRM:
        return "Yes. " + _with_age(_summary(screen), screen, now)
    if asked.topic is Topic.SCREEN_SUMMARY:
        return _with_age(_summary(screen), screen, now)
    if asked.topic is Topic.WINDOW_TITLE:
        return _with_age(_titles(screen, asked.names_dialog), screen, now)
    if asked.topic is Topic.DIALOG_TEXT:
        answer = _dialog_text(screen, asked.explicit)
        return _with_age(answer, screen, now) if answer is not None else None
    answer = _row(screen, asked)
    return _with_age(answer, screen, now) if answer is not None else None


def _nothing_read_yet(context: VisualContext) -> bool:
    return context.screen is None and context.camera is None and context.frames_received > 0


def _no_screen(context: VisualContext) -> str:
    if context.camera is not None:
        return "I can't see your screen, only your camera."
    return "I can't see your screen right now; nothing is being shared."


def _ago(seconds: float) -> str:
    if seconds < 90:
        return f"{round(seconds)} seconds ago"
    minutes = round(seconds / 60)
    if minutes < 90:
        return "a minute ago" if minutes == 1 else f"{minutes} minutes ago"
    hours = round(minutes / 60)
    return "an hour ago" if hours == 1 else f"{hours} hours ago"


def _is_stale(at: float, now: float) -> bool:
    return now - at > STALE_AFTER_SECONDS


def _with_age(answer: str, screen: ScreenObservation, now: float) -> str:
    if not _is_stale(screen.at, now):
        return answer
    return f"{answer} That was on your screen {_ago(now - screen.at)}, so it may have changed since."


def _count(number: int, noun: str, plural: str | None = None) -> str:
    spoken = _NUMBER_WORDS[number] if number < len(_NUMBER_WORDS) else str(number)
    return f"{spoken} {noun if number == 1 else plural or noun + 's'}"


def _join(items: Sequence[str]) -> str:
    """Items read as speech: "a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _spoken_row(cells: Sequence[str]) -> str:
    return ", ".join(cell for cell in cells if cell)


# Screen ------------------------------------------------------------------------------------------


def _regions(screen: ScreenObservation, *kinds: RegionKind) -> list[Region]:
    return [region for region in screen.regions if region.kind in kinds]


def _message(dialog: Region) -> str:
    """A dialog's message: its text in reading order, without the buttons."""
    return " ".join(
        text for element in dialog.elements if element.kind is not ElementKind.BUTTON for text in element.texts
    )


def _buttons(region: Region) -> list[str]:
    return [element.texts[0] for element in region.elements if element.kind is ElementKind.BUTTON]


def _dialog_sentence(dialog: Region) -> str:
    name = f"{_article(dialog.title)} {dialog.title} dialog" if dialog.title else "a dialog"
    message = _message(dialog)
    sentence = f"{name} saying: {message}" if message else name
    buttons = _buttons(dialog)
    if buttons:
        sentence += f", with {_join(buttons)} {'button' if len(buttons) == 1 else 'buttons'}"
    return sentence


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _main_element(region: Region) -> Element | None:
    """What a window is mostly about: its largest table, else its longest list."""
    tables = [element for element in region.elements if element.kind is ElementKind.TABLE]
    if tables:
        return max(tables, key=lambda table: len(table.cells) * len(table.cells[0]))
    lists = [element for element in region.elements if element.kind is ElementKind.LIST]
    return max(lists, key=lambda items: sum(map(len, items.texts))) if lists else None


def _content_sentence(region: Region) -> str | None:
    element = _main_element(region)
    name = f"The {region.title} window" if region.title else "That window"
    if element is None:
        texts = [text for item in region.elements if item.kind is ElementKind.TEXT for text in item.texts]
        return f"{name} shows {texts[0]}" if texts else None
    if element.kind is ElementKind.LIST:
        return f"{name} has a list of {_count(len(element.texts), 'item')}, starting with {element.texts[0]}"
    rows = len(element.cells) - (1 if element.has_header else 0)
    if element.has_header:
        columns = [cell for cell in element.cells[0] if cell]
        return f"{name} shows a table of {_count(rows, 'row')} with the columns {_join(columns)}"
    return f"{name} shows a table of {_count(rows, 'row')}, starting with {_spoken_row(element.cells[0])}"


# At most this many windows are described one by one: a summary is spoken, so it stays short.
_DESCRIBED_WINDOWS = 3


def _summary(screen: ScreenObservation) -> str:
    """Dialogs first (they are on top and usually what matters), then windows and their content."""
    dialogs = _regions(screen, RegionKind.DIALOG)
    windows = _regions(screen, RegionKind.WINDOW)
    titles = [window.title or "an untitled one" for window in windows]
    sentences = []
    if dialogs:
        sentences.append("On your screen there is " + " and ".join(_dialog_sentence(dialog) for dialog in dialogs))
        behind = "Behind it" if len(dialogs) == 1 else "Behind them"
        if len(windows) == 1:
            sentences.append(f"{behind} is a window titled {titles[0]}")
        elif windows:
            sentences.append(f"{behind} are {_count(len(windows), 'window')}: {_join(titles)}")
    elif len(windows) == 1:
        sentences.append(f"On your screen I can see a window titled {titles[0]}")
    elif windows:
        sentences.append(f"On your screen I can see {_count(len(windows), 'window')}: {_join(titles)}")
    else:
        loose = [line.text for line in screen.lines if not _in_screen_bar(screen, line.box)]
        if not loose:
            return "I can see your screen, but I can't make out any text on it."
        sentences.append(f"Your screen shows {_join(loose[:3])}")
    sentences += [text for window in windows[:_DESCRIBED_WINDOWS] if (text := _content_sentence(window))]
    return " ".join(_sentence(sentence) for sentence in sentences)


def _in_screen_bar(screen: ScreenObservation, box: Box) -> bool:
    return any(bar.box.contains_point(*box.center) for bar in _regions(screen, RegionKind.SCREEN_BAR))


def _titles(screen: ScreenObservation, dialog_asked: bool) -> str:
    dialogs = [region for region in _regions(screen, RegionKind.DIALOG) if region.title]
    windows = [region.title for region in _regions(screen, RegionKind.WINDOW) if region.title]
    if dialog_asked:
        if not dialogs:
            return "I don't see a dialog on your screen."
        return _sentence(f"The dialog is titled {_join([dialog.title for dialog in dialogs])}")
    on_top = f", with {_article(dialogs[0].title)} {dialogs[0].title} dialog on top" if dialogs else ""
    if len(windows) == 1:
        return _sentence(f"The window is titled {windows[0]}{on_top}")
    if windows:
        return _sentence(f"I can see {_count(len(windows), 'window')}: {_join(windows)}{on_top}")
    if dialogs:
        return _sentence(f"I can see {_dialog_sentence(dialogs[0])}")
    return "I can't see any window titles on your screen."


_ERRORISH = re.compile(
    r"\b(?:error|errors|failed|failure|cannot|can't|unable|denied|invalid|not found|warning|exception)\b", re.I
)


def _dialog_text(screen: ScreenObservation, explicit: bool) -> str | None:
    dialogs = _regions(screen, RegionKind.DIALOG)
    if dialogs:
        readings = []
        for dialog in dialogs:
            name = f"The {dialog.title} dialog" if dialog.title else "The dialog"
            message = _message(dialog)
            readings.append(f"{name} says: {_sentence(message)}" if message else f"{name} has no message text.")
        return " ".join(readings)
    errors = [line.text for line in screen.lines if _ERRORISH.search(line.text)]
    if errors:
        return f"I don't see a dialog, but your screen shows: {_sentence('. '.join(errors[:2]))}"
    return "I don't see an error message on your screen." if explicit else None


def _ordinal_phrase(position: int) -> str:
    if position == -1:
        return "last"
    if position < 0:
        return f"{_ORDINAL_WORDS[-position - 1]} to last"
    return _ORDINAL_WORDS[position - 1] if position <= len(_ORDINAL_WORDS) else f"number {position}"


def _row(screen: ScreenObservation, asked: VisualQuestion) -> str | None:
    found = _pick_container(screen, asked)
    if found is None:
        if not asked.explicit:
            return None
        names = " or ".join("table" if kind is ElementKind.TABLE else "list" for kind in asked.containers)
        return f"I don't see {_article(names)} {names} on your screen."
    if found.kind is ElementKind.TABLE:
        return _table_row(found, asked)
    return _list_item(found, asked)


def _pick_container(screen: ScreenObservation, asked: VisualQuestion) -> Element | None:
    """The table or list the question means: in a window it names, else the preferred kind;
    of several, the largest."""
    regions = _regions(screen, RegionKind.DIALOG, RegionKind.WINDOW, RegionKind.DESKTOP)
    named = [region for region in regions if asked.words & _content_words(_normalise(region.title))]
    for kind in asked.containers:
        candidates = [element for region in named or regions for element in region.elements if element.kind is kind]
        if candidates:
            return max(candidates, key=lambda element: sum(map(len, element.texts)))
    return None


def _index(count: int, position: int) -> int | None:
    """The 0-based index of ``position`` (1-based, or negative from the end) among ``count`` items."""
    index = position - 1 if position > 0 else count + position
    return index if 0 <= index < count else None


def _table_row(table: Element, asked: VisualQuestion) -> str:
    if asked.position == 0:
        if table.has_header:
            return _sentence(f"The header row says: {_spoken_row(table.cells[0])}")
        return _sentence(f"The table has no header row; its first row says: {_spoken_row(table.cells[0])}")
    rows = table.cells[1:] if table.has_header else table.cells
    index = _index(len(rows), asked.position)
    if index is None:
        below = " below the header" if table.has_header else ""
        return f"The table only has {_count(len(rows), 'row')}{below}."
    phrase = f"the {_ordinal_phrase(asked.position)} {asked.row_noun} says: {_spoken_row(rows[index])}"
    if table.has_header and asked.position > 0:
        return _sentence(f"Not counting the header, {phrase}")
    return _sentence(phrase[0].upper() + phrase[1:])


def _list_item(items: Element, asked: VisualQuestion) -> str:
    if asked.position == 0:
        return _sentence(f"The list has no header; its first item says: {items.texts[0]}")
    index = _index(len(items.texts), asked.position)
    if index is None:
        return f"The list only has {_count(len(items.texts), 'item')}."
    return _sentence(f"The {_ordinal_phrase(asked.position)} {asked.row_noun} says: {items.texts[index]}")


# Camera ------------------------------------------------------------------------------------------


def _camera_answer(topic: Topic, context: VisualContext, now: float) -> str:
    camera = context.camera
    if camera is None:
        if _nothing_read_yet(context):
            return STILL_LOOKING
        if context.screen is not None:
            return "I can't see you, only your shared screen."
        return "I don't have a camera view."
    if _is_stale(camera.at, now):
        return _stale_camera(camera, context, now)
    people = len(camera.faces)
    if topic is Topic.CAMERA_SUMMARY:
        return f"On the camera: {camera.description}"
    if topic is Topic.PEOPLE_COUNT:
        return f"I can see {_count(people, 'person', 'people')}." if people else "I can't see anyone on the camera."
    if topic is Topic.SEES_USER:
        if people == 0:
            return "No, I can't see anyone on the camera right now."
        return "Yes, I can see you." if people == 1 else f"Yes, I can see {_count(people, 'person', 'people')}."
    return _smile(camera)


def _smile(camera: CameraObservation) -> str:
    if not camera.faces:
        return "I can't see anyone on the camera right now, so I can't tell."
    face = camera.faces[0]  # the largest: the person closest to the camera
    if face.pose is FacePose.TURNED or face.smiling is None:
        return "I can't really tell from here; your face isn't turned towards the camera."
    if face.smiling:
        return "It looks like you're smiling."
    return "It doesn't look like you're smiling right now, but I can't be sure."


def _stale_camera(camera: CameraObservation, context: VisualContext, now: float) -> str:
    people = len(camera.faces)
    seen = "you" if people == 1 else "nobody" if people == 0 else _count(people, "person", "people")
    answer = f"The last camera picture I got, {_ago(now - camera.at)}, showed {seen}, so that may be out of date."
    if context.screen is not None and context.screen.at > camera.at:
        answer += " Since then I've only seen your shared screen."
    return answer


def _everything(context: VisualContext, now: float) -> str:
    screen, camera = context.screen, context.camera
    if _nothing_read_yet(context):
        return STILL_LOOKING
    if screen is None and camera is None:
        return "I can't see anything right now; no camera or screen is being shared."
    parts: list[tuple[float, str]] = []
    if screen is not None:
        parts.append((screen.at, _with_age(_summary(screen), screen, now)))
    if camera is not None:
        text = (
            _stale_camera(camera, context, now) if _is_stale(camera.at, now) else f"On the camera: {camera.description}"
        )
        parts.append((camera.at, text))
    return " ".join(text for _, text in sorted(parts, key=lambda part: -part[0]))
