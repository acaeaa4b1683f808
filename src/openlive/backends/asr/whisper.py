"""Whisper base (CTranslate2, int8, 1 thread) with an encoder window cut to the speech.

``faster_whisper.WhisperModel.transcribe`` pads every input to Whisper's 30 s window, so a
one-second utterance costs as much as a 30 s one (about 1 s of encoder time on one thread
here). CTranslate2's encoder accepts shorter mel spectrograms and its cost scales with the
length, so this backend encodes only the speech plus a little silence.

Short windows have one known failure: Whisper sometimes never stops, repeating the words
("Okay. Okay. Okay…"). Four measures keep that out of the results:

* decoding runs in timestamp mode, and timestamps later than the end of the speech are
  suppressed, so the model can only close the segment or stop;
* the number of new tokens is bounded by the window length, and segments that start after
  the speech has ended are dropped;
* a segment with more words than fit in its time (:data:`MAX_WORDS_PER_SECOND`) is dropped:
  beam search sometimes starts the sentence over just before the end of the audio;
* if the text still loops, runs into the bound or had a segment dropped, the audio is
  transcribed again with a longer window (:data:`FALLBACK_WINDOW_S`), which Whisper handles
  the way it was trained.

Context (the session's tool words, see :mod:`openlive.engine.speech.asr_context`): the beam
search keeps :data:`CONTEXT_HYPOTHESES` hypotheses, and among those scoring nearly as well as the
best, the one with the most context words is taken; then the audio is decoded again with the
context in the prompt, and that decoding may only change stretches towards the context's words
(:mod:`openlive.backends.asr.biasing`), which reaches words the plain decoding never proposes
(espeak's British "reschedule", heard "Reset you will"). The biased decoding is bounded to a few
tokens more than the plain one, so a prompt-induced loop ends early. On 69 task-manager clips
(synthetic voices, 3 draws of a -62 dBFS noise floor) word accuracy went 0.828 → 0.847 against
the prompt decoding alone after beam 2, and on 123 unrelated clips decoded with the same context
0.829 → 0.837 (0.833 without context), for about 15 ms more per utterance on one thread.

Language: when the caller names none, Whisper's detection decides only when it is confident
(:data:`CONFIDENT_DETECTION`); otherwise the caller's expected language is used. On short
clips Whisper base takes synthetic or accented English for Japanese, Latin, Finnish or
Swedish about one time in five (80 of 414 espeak clips of task requests, top probability
0.25–0.94), while real speech is detected with probability above 0.96 from 3 s on.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from pathlib import Path

import ctranslate2
import numpy as np
import tokenizers
from faster_whisper.feature_extractor import FeatureExtractor
from faster_whisper.tokenizer import _LANGUAGE_CODES, Tokenizer

from openlive.audio import Float32Audio
from openlive.backends.asr.base import Transcript
from openlive.backends.asr.biasing import Hypothesis, choose_hypothesis, context_vocabulary, merge_biased
from openlive.backends.asr.model_files import ensure_whisper_base, whisper_directory_problem

SAMPLE_RATE = 16000
FULL_WINDOW_S = 30.0
# First try: the speech plus this much silence, and at least a minimum window. Measured on
# 33 English clips (espeak voices, Piper, recordings): word accuracy 0.88 at 3 s, 0.92 at 5 s,
# 0.93 at 8-12 s, 0.89 at the full 30 s. Whisper base is weaker in other languages and needs
# more context: 6 German espeak clips gave 0.35 at 3 s, 0.50 at 8 s, 0.64 at 12 s, 0.75 at 30 s.
SILENCE_PAD_S = 1.0
MIN_WINDOW_S = 5.0
NON_ENGLISH_MIN_WINDOW_S = 12.0
FALLBACK_WINDOW_S = 10.0
# Detection probability above which the detected language wins over the expected one.
CONFIDENT_DETECTION = 0.9
# Timestamps may run this far past the end of the speech (Whisper rounds segment ends up).
TIMESTAMP_SLACK_S = 0.5
# Beam 2 against greedy, on 69 task-manager requests in 5 synthetic voices and 138 more in espeak
# voices: word accuracy 0.816 → 0.844 and 0.709 → 0.751, Piper voices unchanged, at the same time
# per utterance (about 150 ms for 2.4 s of speech on one thread; the encoder dominates). Beam 5
# was no better than 2 on those clean clips; with a -62 dBFS noise floor added (3 draws) it was
# (0.820 → 0.831 on the 69, 0.833 → 0.841 on 123 unrelated clips) at about 8 ms more decoding.
# Sessions with a context decode with beam :data:`CONTEXT_HYPOTHESES`.
BEAM_SIZE = 2
# Hypotheses (and the beam size) when a context names the words to expect. On the clips above, the
# beam-5 top hypothesis alone made 266 word errors against beam 2's 284, and choosing among its 5
# hypotheses 242 (241 with the biased decoding merged in, 271 for beam 2 and the biased decoding);
# at 68 ms of decoding against beam 2's 54 (one thread, 2.5 s of speech).
CONTEXT_HYPOTHESES = 5
# Faster than anyone speaks (fast speech is about 4 words per second).
MAX_WORDS_PER_SECOND = 6.0
# Bound on new tokens per second of window: fast speech is ~4 words, ~6 tokens per second.
TOKENS_PER_WINDOW_SECOND = 8
_TOKENS_FIXED = 6
_MAX_PROMPT_TOKENS = 112
_BIASED_EXTRA_TOKENS = 8
_TIME_PER_TIMESTAMP = 0.02
_FRAMES_PER_SECOND = 100
# Whisper's own defaults for deciding that a window holds no speech.
_NO_SPEECH_THRESHOLD = 0.6
_LOG_PROB_THRESHOLD = -1.0
_WORD = re.compile(r"[\w']+")
_SENTENCES_RUN_TOGETHER = re.compile(r"(?<=[a-z])([.!?])([A-Z][a-z])")


def _join(*parts: str | None) -> str:
    return " ".join(part.strip() for part in parts if part and part.strip())


def whisper_language(tag: str | None) -> str | None:
    """The Whisper language code for a BCP-47 tag ("en-US" → "en"); None if Whisper lacks it."""
    if not tag:
        return None
    primary = tag.strip().lower().replace("_", "-").split("-", 1)[0]
    aliases = {"iw": "he", "jw": "jw", "zh": "zh", "nb": "no"}
    primary = aliases.get(primary, primary)
    return primary if primary in _LANGUAGE_CODES else None


def _has_loop(text: str) -> bool:
    """Whether some run of words is immediately repeated ("okay okay", "hi there hi there"), or marks
    are repeated without a word (". . . ." for a short "Okay." in one voice)."""
    words = [word.lower() for word in _WORD.findall(text)]
    if not words:
        return len(text.split()) > 1
    for size in range(1, len(words) // 2 + 1):
        for start in range(len(words) - 2 * size + 1):
            if words[start : start + size] == words[start + size : start + 2 * size]:
                return True
    return False


@dataclass(frozen=True)
class _Decoded:
    text: str
    complete: bool
    no_speech_probability: float
    avg_log_probability: float
    tokens: int


class WhisperAsr:
    """Speech to text with the packaged multilingual Whisper base.

    ``model_dir`` defaults to the model assembled from the part wheels (see
    :mod:`openlive.backends.asr.model_files`). ``beam_size`` 1 is greedy decoding.
    """

    name = "whisper-base"
    sample_rate = SAMPLE_RATE

    def __init__(
        self,
        model_dir: str | Path | None = None,
        beam_size: int = BEAM_SIZE,
        compute_type: str = "int8",
        min_window_s: float = MIN_WINDOW_S,
        non_english_min_window_s: float = NON_ENGLISH_MIN_WINDOW_S,
        confident_detection: float = CONFIDENT_DETECTION,
    ):
        directory = Path(model_dir) if model_dir else ensure_whisper_base()
        problem = whisper_directory_problem(directory)
        if problem is not None:
            raise FileNotFoundError(problem)
        self._model = ctranslate2.models.Whisper(
            str(directory), device="cpu", compute_type=compute_type, inter_threads=1, intra_threads=1
        )
        self._hf_tokenizer = tokenizers.Tokenizer.from_file(str(directory / "tokenizer.json"))
        self._features = FeatureExtractor()
        self._beam_size = beam_size
        self._min_window_s = min_window_s
        self._non_english_min_window_s = non_english_min_window_s
        self._confident_detection = confident_detection
        self._tokenizers: dict[str, Tokenizer] = {}
        model = self.name if model_dir is None else f"whisper-{directory.name}"
        self.fingerprint = f"{model}-{compute_type}-beam{beam_size}-window{min_window_s:g}"

    def _tokenizer(self, language: str) -> Tokenizer:
        if language not in self._tokenizers:
            self._tokenizers[language] = Tokenizer(self._hf_tokenizer, True, "transcribe", language)
        return self._tokenizers[language]

    def _encode(self, audio: Float32Audio, window_s: float) -> ctranslate2.StorageView:
        samples = round(window_s * SAMPLE_RATE)
        padded = np.zeros(samples, dtype=np.float32)
        padded[: min(audio.size, samples)] = audio[:samples]
        # The encoder halves the frame count with a stride-2 convolution: keep it even.
        frames = int(window_s * _FRAMES_PER_SECOND) // 2 * 2
        mel = self._features(padded, padding=160)[:, :frames]
        return self._model.encode(ctranslate2.StorageView.from_array(np.ascontiguousarray(mel[None])))

    def transcribe(
        self,
        audio: Float32Audio,
        language: str | None = None,
        prompt: str | None = None,
        *,
        expected_language: str | None = None,
        context: str | None = None,
        full_window: bool = False,
    ) -> Transcript:
        """Transcribe 16 kHz mono ``audio`` (at most 30 s).

        ``expected_language`` (a BCP-47 tag) is the language to assume when ``language`` is None
        and detection is unsure (see :data:`CONFIDENT_DETECTION`).

        ``full_window`` pads to Whisper's 30 s window as faster-whisper does: slower, kept
        for comparison in tests and benchmarks.
        """
        audio = np.asarray(audio, dtype=np.float32)[: int(FULL_WINDOW_S * SAMPLE_RATE)]
        seconds = audio.size / SAMPLE_RATE
        code = whisper_language(language)
        expected = whisper_language(expected_language)
        decoded: _Decoded | None = None
        used_window_s = 0.0
        for window_s in self._windows(seconds, code or expected, full_window):
            if window_s <= used_window_s:
                continue
            encoded = self._encode(audio, window_s)
            if code is None:
                detected, probability = self._detect_language(encoded, expected)
                if detected != "en" and window_s < self._non_english_min_window_s:
                    # Whisper base needs more context to transcribe languages other than English.
                    encoded = self._encode(audio, window_s := self._non_english_min_window_s)
                    if expected is None:
                        # Detection on a short window is fine for English, unsure otherwise.
                        detected, probability = self._detect_language(encoded, expected)
            else:
                detected, probability = code, 1.0
            decoded = self._decode_with_context(encoded, detected, context, prompt, seconds, window_s)
            used_window_s = window_s
            if decoded.complete and not _has_loop(decoded.text):
                break
        assert decoded is not None
        silent = not _WORD.search(decoded.text) or (
            decoded.no_speech_probability > _NO_SPEECH_THRESHOLD and decoded.avg_log_probability < _LOG_PROB_THRESHOLD
        )
        return Transcript(
            text="" if silent else decoded.text,
            language=detected,
            language_probability=probability,
            audio_seconds=seconds,
            no_speech_probability=decoded.no_speech_probability,
        )

    def _windows(self, speech_s: float, language: str | None, full_window: bool) -> list[float]:
        """Encoder window lengths to try in turn, each longer than the one before."""
        if full_window:
            return [FULL_WINDOW_S]
        minimum = self._min_window_s if language in (None, "en") else self._non_english_min_window_s
        first = max(minimum, min(FULL_WINDOW_S, speech_s + SILENCE_PAD_S))
        longer = FALLBACK_WINDOW_S if first < FALLBACK_WINDOW_S else FULL_WINDOW_S
        return [first, longer] if first < longer else [first]

    def _detect_language(self, encoded: ctranslate2.StorageView, expected: str | None) -> tuple[str, float]:
        """The spoken language and its probability: ``expected`` unless another is confidently more likely."""
        ranked = [(token[2:-2], float(probability)) for token, probability in self._model.detect_language(encoded)[0]]
        best, best_probability = ranked[0]
        if expected is None or best == expected or best_probability >= self._confident_detection:
            return best, best_probability
        return expected, next((p for language, p in ranked if language == expected), 0.0)

    def _decode_with_context(
        self,
        encoded: ctranslate2.StorageView,
        language: str,
        context: str | None,
        prompt: str | None,
        speech_s: float,
        window_s: float,
    ) -> _Decoded:
        """Decode choosing among hypotheses for ``context``'s words, decode again with ``context``
        before ``prompt``, and keep the changes that brought in its words (see
        :mod:`openlive.backends.asr.biasing`)."""
        vocabulary = context_vocabulary(context) if context else None
        plain = self._decode(encoded, language, prompt, speech_s, window_s, vocabulary)
        if not vocabulary or not plain.complete:
            return plain
        # The context changes a few words, never the length much: a longer decoding is a loop.
        biased = self._decode(
            encoded, language, _join(context, prompt), speech_s, window_s, None, plain.tokens + _BIASED_EXTRA_TOKENS
        )
        if not biased.complete or _has_loop(biased.text):
            return plain
        return replace(plain, text=merge_biased(plain.text, biased.text, vocabulary))

    def _decode(
        self,
        encoded: ctranslate2.StorageView,
        language: str,
        prompt: str | None,
        speech_s: float,
        window_s: float,
        vocabulary: frozenset[str] | None,
        max_new: int | None = None,
    ) -> _Decoded:
        """The best decoding; with a ``vocabulary``, its text is the hypothesis chosen for the
        vocabulary's words (:func:`openlive.backends.asr.biasing.choose_hypothesis`)."""
        tokenizer = self._tokenizer(language)
        tokens: list[int] = []
        if prompt:
            tokens = [tokenizer.sot_prev, *tokenizer.encode(" " + prompt.strip())[-_MAX_PROMPT_TOKENS:]]
        tokens.extend(tokenizer.sot_sequence)
        last_timestamp = min(
            round((speech_s + TIMESTAMP_SLACK_S) / _TIME_PER_TIMESTAMP), round(window_s / _TIME_PER_TIMESTAMP)
        )
        suppress = [
            *tokenizer.non_speech_tokens,
            *range(tokenizer.timestamp_begin + last_timestamp + 1, tokenizer.timestamp_begin + 1501),
        ]
        if max_new is None:
            max_new = math.ceil(TOKENS_PER_WINDOW_SECOND * window_s) + _TOKENS_FIXED
        hypotheses = CONTEXT_HYPOTHESES if vocabulary else 1
        result = self._model.generate(
            encoded,
            [tokens],
            beam_size=max(self._beam_size, hypotheses),
            num_hypotheses=hypotheses,
            max_length=len(tokens) + max_new,
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=True,
            suppress_tokens=suppress,
        )[0]
        scores = [float(score) for score in result.scores]
        no_speech = float(result.no_speech_prob)
        decodings = [
            self._decoded(tokenizer, generated, score, speech_s, max_new, no_speech)
            for generated, score in zip(result.sequences_ids, scores, strict=True)
        ]
        best = decodings[0]
        if not vocabulary or not best.complete:
            return best
        candidates = [
            Hypothesis(decoded.text, score)
            for decoded, score in zip(decodings, scores, strict=True)
            if decoded is best or (decoded.complete and decoded.text and not _has_loop(decoded.text))
        ]
        return replace(best, text=choose_hypothesis(candidates, vocabulary).text)

    def _decoded(
        self,
        tokenizer: Tokenizer,
        generated: list[int],
        score: float,
        speech_s: float,
        max_new: int,
        no_speech_probability: float,
    ) -> _Decoded:
        text, ran_on = self._speech_text(tokenizer, generated, speech_s)
        return _Decoded(
            text=text,
            complete=len(generated) < max_new and not ran_on,
            no_speech_probability=no_speech_probability,
            avg_log_probability=score * len(generated) / (len(generated) + 1),
            tokens=len(generated),
        )

    @staticmethod
    def _speech_text(tokenizer: Tokenizer, generated: list[int], speech_s: float) -> tuple[str, bool]:
        """The text of the segments that start before the speech ends, and whether a segment
        that did was dropped for holding more words than anyone says in its time (a run-on)."""
        kept: list[str] = []
        ran_on = False
        for start, end, tokens in _segments(tokenizer, generated):
            if start is not None and start >= speech_s:
                continue
            text = str(tokenizer.decode(tokens))
            seconds = (speech_s if end is None else end) - (start or 0.0)
            if len(_WORD.findall(text)) > 1 + MAX_WORDS_PER_SECOND * seconds:
                ran_on = True
            else:
                kept.append(text)
        # Whisper may run sentences together, within a segment or across two ("New task.Call the plumber.").
        return _SENTENCES_RUN_TOGETHER.sub(r"\1 \2", _join(*kept)), ran_on


def _segments(tokenizer: Tokenizer, generated: list[int]) -> list[tuple[float | None, float | None, list[int]]]:
    """``generated`` split into (start, end, text tokens); a time is None where its timestamp is missing."""
    segments: list[tuple[float | None, float | None, list[int]]] = []
    start: float | None = None
    tokens: list[int] = []
    for token in generated:
        if token < tokenizer.timestamp_begin:
            tokens.append(token)
            continue
        time = (token - tokenizer.timestamp_begin) * _TIME_PER_TIMESTAMP
        if start is None and not tokens:
            start = time
        else:
            segments.append((start, time, tokens))
            start, tokens = None, []
    if tokens:
        segments.append((start, None, tokens))
    return segments
