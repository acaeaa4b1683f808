"""Partial and final transcription of one utterance, arranged so the final pass is short.

The utterance audio grows while the user speaks. Each pass transcribes only the *tail*:
audio after the last committed point. Whenever the user has paused (a VAD pause, so no
word is cut) at least ``commit_after_s`` after the last commit, and has said at least
``min_tail_s`` more since, the audio up to that pause is transcribed once more and
committed: its text is stable from then on, and later passes get it as the prompt so
spelling and casing stay consistent. A shorter tail is not heard alone: Whisper base given
"at 2 pm" by itself wrote "Let's go to the end.".

Results are cached by audio range, so the final pass at the end of the turn is free when
nothing was said since the speculative pass at the pause (the usual case: the turn ends
after silence, and the tracker's ``UserPaused`` and ``UserTurnEnded`` carry the same audio).
Blocking; run on the model executor.

Context: the words of the session's declared tools (see :mod:`openlive.engine.speech.asr_context`)
go to every pass as a hint, so "reschedule" is heard where Whisper alone hears "Reset you will".

Language: the client's language code when it gave one. Otherwise every pass detects the
language, but keeps the *expected* language (English at first, then the language of the
session's latest transcript) unless detection is confident of another: Whisper base takes
a second of synthetic or accented English for Japanese, Latin or Finnish about one time in
five, while real speech in another language is detected with near certainty within seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

from openlive.audio import Float32Audio
from openlive.backends.asr.base import Asr

SAMPLE_RATE = 16000
# The language assumed when the client names none, until the user is heard speaking another.
DEFAULT_EXPECTED_LANGUAGE = "en"
# Less audio than this holds no word worth sending to Whisper.
_MIN_TAIL_S = 0.2


@dataclass(frozen=True)
class TranscriptUpdate:
    text: str
    # The part of ``text`` that later passes will not change.
    stable_text: str
    final: bool
    language: str | None


def _join(*parts: str) -> str:
    return " ".join(part for part in parts if part)


class UtteranceTranscriber:
    """One utterance's transcription. ``language`` is the client's language code (None: detect it);
    ``expected_language`` is the language to assume while detection is unsure."""

    def __init__(
        self,
        asr: Asr,
        language: str | None = None,
        commit_after_s: float = 2.0,
        min_tail_s: float = 2.0,
        *,
        expected_language: str = DEFAULT_EXPECTED_LANGUAGE,
        context: str = "",
    ):
        self._asr = asr
        # Words the session expects to hear (its tools), given to every pass as a hint.
        self.context = context
        self._language = language
        self._expected_language = expected_language
        self._commit_after_s = commit_after_s
        self._min_tail_s = min_tail_s
        self._pauses: list[int] = []
        self._committed = 0
        self._committed_text = ""
        self._cache: dict[tuple[int, int, str], str] = {}

    @property
    def language(self) -> str:
        """The client's language code, or the language the user was last heard speaking (or expected)."""
        return self._language or self._expected_language

    def next_utterance(self) -> UtteranceTranscriber:
        """A transcriber for the session's next utterance, expecting the language heard in this one."""
        return UtteranceTranscriber(
            self._asr,
            self._language,
            self._commit_after_s,
            self._min_tail_s,
            expected_language=self._expected_language,
            context=self.context,
        )

    def note_pause(self, speech_end_sample: int) -> None:
        """The user paused at this sample of the utterance (``len(UserPaused.audio)``)."""
        self._pauses.append(speech_end_sample)

    def partial(self, audio: Float32Audio) -> TranscriptUpdate:
        """Transcribe the utterance so far (``audio`` starts at the utterance start)."""
        return self._update(audio, final=False)

    def final(self, audio: Float32Audio) -> TranscriptUpdate:
        return self._update(audio, final=True)

    def _update(self, audio: Float32Audio, final: bool) -> TranscriptUpdate:
        commit_after, min_tail = self._commit_after_s * SAMPLE_RATE, self._min_tail_s * SAMPLE_RATE
        commit_at = max(
            (p for p in self._pauses if p - self._committed >= commit_after and audio.size - p >= min_tail),
            default=None,
        )
        if commit_at is not None:
            self._committed_text = _join(self._committed_text, self._transcribe(audio, self._committed, commit_at))
            self._committed = commit_at
        tail = self._transcribe(audio, self._committed, audio.size)
        return TranscriptUpdate(
            text=_join(self._committed_text, tail),
            stable_text=self._committed_text,
            final=final,
            language=self.language,
        )

    def _transcribe(self, audio: Float32Audio, start: int, end: int) -> str:
        if end - start < _MIN_TAIL_S * SAMPLE_RATE:
            return ""
        key = (start, end, self.context)
        if key not in self._cache:
            result = self._asr.transcribe(
                audio[start:end],
                language=self._language,
                prompt=self._committed_text or None,
                expected_language=self._expected_language,
                context=self.context or None,
            )
            if result.text:
                self._expected_language = result.language
            self._cache[key] = result.text
        return self._cache[key]
