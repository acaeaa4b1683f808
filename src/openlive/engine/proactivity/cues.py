"""Word-level cues of who a turn is for, as named numbers for the directedness model.

Each cue is a pattern people use when they address a voice assistant (a command verb
first, "can you", its name, a question during an active exchange) or when they do not
(a vocative for someone else, news and advertising phrases, thinking aloud, fillers).
None decides on its own; the fitted model weighs them together with embedding
similarities, the conversation state and the audio.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from openlive.engine.affect.words import word_set
from openlive.engine.proactivity.names import LEAD_INS, name_position, set_off_words

COMMAND_VERBS = word_set(
    "add book call cancel change check close convert count create delete email find give help lock "
    "make mark move mute navigate note open order pause play put read remind remove repeat reply "
    "schedule search send set show skip spell start stop switch take tell text translate turn unlock "
    "wake"
)
_QUESTION_WORDS = word_set("what what's whats when where where's which who who's whom whose why how")
_AUXILIARIES = word_set(
    "is are am was were do does did can could will would should shall may might have has isn't aren't "
    "don't doesn't didn't can't won't"
)
_REQUEST = re.compile(
    r"\b(?:can|could|would|will) you\b|\bplease\b|\bi (?:need|want) you to\b|\bhelp me\b|\btell me\b"
    r"|\bshow me\b|\bgive me\b|\bfind me\b|\blet me know\b|\bi'd like\b"
)
FILLERS = word_set(
    "um umm uh uhh hmm hm mm mmm mhm ah oh huh eh ha haha hah whoa wow shh yeah yep yup nope ok okay alright right sure"
)
# Words for someone in the room, said to call them ("honey, …", "…, mom?").
_ADDRESS_WORDS = word_set(
    "honey babe baby sweetie sweetheart darling dear love mom mum mommy dad daddy kids guys grandma "
    "grandpa granny son buddy dude mate sis bro"
)
_NARRATION = re.compile(
    r"\b(?:breaking|tonight|officials?|according to|reported|reporting|reporters?|stay tuned|coming up"
    r"|after the break|call now|limited time|order (?:now|today)|brought to you|sponsored|viewers|studio"
    r"|percent|season|episode|free|forecast|in other news)\b"
)
_SELF_TALK = re.compile(
    r"\b(?:where (?:did|do|have) i|where'?s (?:my|the|that)|where is (?:my|that)|what was i"
    r"|why did i|did i (?:already|just)|let me see|let's see|i wonder|oh no|oops|darn|ugh|come on"
    r"|i (?:should|need to|think so|forgot))\b"
)
_FOLLOW_UP_START = re.compile(
    r"^(?:and|so|but|also|actually|what about|how about|no wait|wait|yes|yeah|no|sure|okay|ok|thanks"
    r"|thank you|great|perfect|then|really|why|make it)\b"
)
# Words that open a sentence followed by a comma without calling anyone.
_SENTENCE_OPENERS = word_set(
    "well yes no wait look listen now then anyway sorry careful guess please first next also again "
    "maybe today tonight tomorrow yesterday great perfect fine good nice short long sure thanks"
)
_SCREEN_WORDS = word_set(
    "this that these those here screen page button error field chart code window setting settings "
    "email form link message paragraph popup pop tab formula cell file slide"
)
_HELP = re.compile(
    r"\bhelp\b|\bhow (?:do|can|should) i\b|\bwhat does\b|\bwhat's this\b|\bwhat is this\b|\bwhy is\b"
    r"|\bexplain\b|\bfix\b|\bwhat should i\b|\bwhere do i\b|\bwhat do i\b|\bis this\b|\bcheck if\b"
)
_SECOND_PERSON = word_set("you your you're yours yourself you've you'll")
_FIRST_SINGULAR = word_set("i me my mine myself i'm i've i'll i'd")
_THIRD_PERSON = word_set("he she they him her them his hers their he's she's they're")
_PERSONAL = _SECOND_PERSON | _FIRST_SINGULAR | _THIRD_PERSON | word_set("we us our we're let's")
_NUMBER_WORD = re.compile(r"^(?:one|two|three|four|five|six|seven|eight|nine|ten)$")
_DIGITS = re.compile(r"\d+")
# "You" meaning anyone: "how do you say …", "how would you spell …".
_GENERIC_YOU = re.compile(r"\bhow (?:do|would|can|should) you\b")
# How a reply to the assistant's question opens: an answer, a consent, a choice.
_REPLY_START = re.compile(
    r"^(?:yes|yeah|yep|yup|sure|ok|okay|no|nope|nah|please|go ahead|go for it|go on|do it|do that|sounds good"
    r"|that's (?:fine|great|perfect|right)|that one|the (?:first|second|third|last|other|earlier|later|next)"
    r"|neither|both|either|not yet|not now|maybe|in (?:a|an|the)\b)\b"
)
# Seconds over which an exchange with the assistant fades out.
ACTIVE_EXCHANGE_S = 6.0
# Seconds over which an unanswered question of the assistant's fades: people take longer to
# decide on an answer ("Sure, go ahead.") than to follow up on what they just heard.
REPLY_WINDOW_S = 10.0


def _first_content_word(words: Sequence[str], names: Sequence[str]) -> str:
    skip = LEAD_INS | {"please", "now", "just", "can", "could", "you", *names}
    return next((word for word in words if word not in skip), "")


def _other_vocative(text: str, words: Sequence[str], names: Sequence[str]) -> bool:
    """Someone other than the assistant is called: "Mark, …", "honey …", "…, Lisa?"."""
    if not words:
        return False
    if words[0] in _ADDRESS_WORDS or (len(words) > 1 and words[0] in LEAD_INS and words[1] in _ADDRESS_WORDS):
        return True
    # ASR may end the sentence before a trailing vocative ("Where did you park? Love.").
    if words[-1] in _ADDRESS_WORDS and re.search(r"[,.?!]\s*\w+[.?!]*$", text):
        return True
    # A capitalised word set off by punctuation at either end: a name, unless it is a word
    # that often opens a sentence that way ("Really, …", "Tomorrow, …").
    match = re.match(r"^\s*(?:(?:hey|oh|hi)\s+)?([A-Z][a-z]+)\s*,", text) or re.search(
        r"[,.?!]\s*([A-Z][a-z]+)\s*[.?!]*\s*$", text
    )
    if not match:
        return False
    called = match.group(1).lower()
    return not (
        called in names
        or called in FILLERS
        or called in LEAD_INS
        or called in _SENTENCE_OPENERS
        or called.endswith("ly")
    )


def text_cues(text: str, words: Sequence[str], names: Sequence[str]) -> dict[str, float]:
    """Cues from the transcript alone. ``words`` are its lower-case tokens; ``names`` the assistant's."""
    lowered = text.lower()
    count = len(words)
    fillers = sum(word in FILLERS for word in words)
    # Digits are words too ("What's 9 times 17?"), though the tokens leave them out.
    content_words = count - fillers + len(_DIGITS.findall(text))
    first = _first_content_word(words, names)
    position = name_position(words, names, set_off_words(text))
    called = position in ("start", "called")
    has_question_mark = "?" in text
    starts_like_question = bool(words) and (words[0] in _QUESTION_WORDS or words[0] in _AUXILIARIES)
    is_question = has_question_mark or starts_like_question
    norm = max(count, 1)
    return {
        "log_words": math.log1p(count),
        "content_words": float(min(content_words, 12)),
        "filler_share": fillers / norm,
        "name_called": float(called),
        "name_mentioned": float(position == "mentioned"),
        "command_verb": float(first in COMMAND_VERBS),
        "question": float(is_question),
        "request": float(bool(_REQUEST.search(lowered))),
        # A name of the assistant's at the start is what was called, whatever else looks like a name.
        "other_vocative": float(not called and _other_vocative(text, words, names)),
        "narration_markers": float(min(len(_NARRATION.findall(lowered)), 3)),
        "self_talk_markers": float(min(len(_SELF_TALK.findall(lowered)), 2)),
        "second_person": sum(word in _SECOND_PERSON for word in words) / norm,
        "first_singular": sum(word in _FIRST_SINGULAR for word in words) / norm,
        "third_person": sum(word in _THIRD_PERSON for word in words) / norm,
        "numbers": float(min(sum(bool(_NUMBER_WORD.match(word)) for word in words) + len(_DIGITS.findall(text)), 4)),
        "exclamation": float("!" in text),
        "help_words": float(bool(_HELP.search(lowered))),
        "screen_words": float(any(word in _SCREEN_WORDS for word in words)),
        "follow_up_start": float(bool(_FOLLOW_UP_START.match(lowered.strip()))),
        "reply_start": float(bool(_REPLY_START.match(lowered.strip()))),
        # Questions between people say "you" ("Did you lock the door?"), unless it is anyone
        # ("How do you say …?"); questions for the assistant are often about the world, with no
        # one in them ("How much sleep does a teenager need?").
        "question_you": float(
            is_question and any(word in _SECOND_PERSON for word in words) and not _GENERIC_YOU.search(lowered)
        ),
        "question_impersonal": float(is_question and not any(word in _PERSONAL for word in words)),
    }


def context_cues(
    cues: dict[str, float],
    seconds_since_assistant: float | None,
    previous_assistant_text: str,
    screen_share_active: bool,
) -> dict[str, float]:
    """Cues from the conversation state, some in combination with the text cues."""
    active = 0.0 if seconds_since_assistant is None else math.exp(-seconds_since_assistant / ACTIVE_EXCHANGE_S)
    asked = active * float("?" in previous_assistant_text)
    recent = 0.0 if seconds_since_assistant is None else math.exp(-seconds_since_assistant / REPLY_WINDOW_S)
    reply_like = max(cues["reply_start"], float(cues["content_words"] <= 3))
    screen = float(screen_share_active)
    short = float(cues["content_words"] <= 4)
    return {
        "active_exchange": active,
        "assistant_asked": asked,
        "active_short_reply": active * short,
        "active_follow_up_start": active * cues["follow_up_start"],
        "active_question": active * cues["question"],
        # A short answer or a consent soon after the assistant asked something is the answer to it.
        "answers_assistant": recent * float("?" in previous_assistant_text) * reply_like,
        # One or two words out of the blue are a filler or a misheard noise more often than a request.
        "short_out_of_exchange": (1.0 - recent) * float(cues["content_words"] <= 2),
        "screen_share": screen,
        "screen_help": screen * cues["screen_words"] * max(cues["help_words"], cues["question"], cues["request"]),
    }
