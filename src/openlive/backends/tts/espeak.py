"""espeak-ng speech through the library bundled in ``espeakng-loader``, for languages Piper lacks.

espeak-ng keeps its state in globals (one voice, one set of parameters, one callback per
process), so every call takes the module lock, sets voice and parameters, and synthesises
synchronously into a buffer. It is fast (a 15-word sentence in a few ms), so holding the
lock for a whole sentence costs nothing noticeable.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterator

import espeakng_loader
import numpy as np

from openlive.audio import Int16Audio
from openlive.backends.tts.base import NORMAL_PROSODY, Prosody

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_PARAM_RATE = 1
_PARAM_VOLUME = 2
_PARAM_PITCH = 3
_EE_OK = 0
# espeak-ng's own defaults: 175 words per minute, volume 100 (of 200), base pitch 50 (of 100).
_NORMAL_WPM = 175
_NORMAL_VOLUME = 100
_NORMAL_PITCH = 50
_MIN_WPM, _MAX_WPM = 80, 450

_SynthCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class EspeakError(RuntimeError):
    pass


class _VoiceProperties(ctypes.Structure):
    """espeak-ng's ``espeak_VOICE``, used to select a voice by language."""

    _fields_ = (
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_char_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    )


class _Library:
    """The process-wide espeak-ng instance; created once, used under :data:`_LOCK`."""

    def __init__(self) -> None:
        self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        self.lib.espeak_Initialize.restype = ctypes.c_int
        self.lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        self.lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self.lib.espeak_SetVoiceByProperties.argtypes = [ctypes.POINTER(_VoiceProperties)]
        self.lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        self.lib.espeak_Synth.argtypes = [
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        rate = self.lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, 0, espeakng_loader.get_data_path().encode(), _INITIALIZE_DONT_EXIT
        )
        if rate <= 0:
            raise EspeakError(f"espeak_Initialize failed ({rate})")
        self.sample_rate = rate
        self._pieces: list[Int16Audio] = []
        # Kept as an attribute: ctypes would free the trampoline if the object were collected.
        self._callback = _SynthCallback(self._collect)
        self.lib.espeak_SetSynthCallback(self._callback)

    def _collect(self, wav: ctypes._Pointer[ctypes.c_short], count: int, _events: int | None) -> int:
        if count > 0:
            self._pieces.append(np.ctypeslib.as_array(wav, shape=(count,)).astype(np.int16))
        return 0

    def set_voice(self, voice: str) -> bool:
        """Select a voice by file name ("en-us", "de", "en-gb-x-rp", with an optional "+f2")."""
        return bool(self.lib.espeak_SetVoiceByName(voice.encode()) == _EE_OK)

    def set_language(self, language: str) -> bool:
        """Select the best voice for a language tag ("en-gb", "fr-fr") as the voice files declare it."""
        properties = _VoiceProperties(languages=language.encode())
        return bool(self.lib.espeak_SetVoiceByProperties(ctypes.byref(properties)) == _EE_OK)

    def speak(self, text: str, prosody: Prosody) -> Int16Audio:
        wpm = int(np.clip(round(_NORMAL_WPM * prosody.rate), _MIN_WPM, _MAX_WPM))
        self.lib.espeak_SetParameter(_PARAM_RATE, wpm, 0)
        self.lib.espeak_SetParameter(_PARAM_VOLUME, int(min(200, round(_NORMAL_VOLUME * prosody.volume))), 0)
        self.lib.espeak_SetParameter(_PARAM_PITCH, int(min(100, round(_NORMAL_PITCH * prosody.pitch))), 0)
        encoded = text.encode() + b"\0"
        self._pieces = []
        status = self.lib.espeak_Synth(encoded, len(encoded), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
        if status != _EE_OK:
            raise EspeakError(f"espeak_Synth failed ({status})")
        pieces, self._pieces = self._pieces, []
        return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int16)


_LOCK = threading.Lock()
_library: _Library | None = None


def _shared_library() -> _Library:
    global _library
    if _library is None:
        _library = _Library()
    return _library


# BCP-47 primary tags that espeak-ng names differently.
_LANGUAGE_ALIASES = {"zh": "cmn", "no": "nb"}


def voice_for_language(language: str) -> list[str]:
    """espeak-ng voice names to try for a BCP-47 tag, most specific first ("de-AT" → de-at, de)."""
    tag = language.strip().lower().replace("_", "-")
    base = tag.split("-", 1)[0]
    names = [tag, base] if tag != base else [tag]
    if base in _LANGUAGE_ALIASES:
        names.append(_LANGUAGE_ALIASES[base])
    return names


class EspeakTts:
    """Speech in any of espeak-ng's ~100 languages; robotic, but fast and always there.

    ``voice`` is an espeak-ng voice name with an optional variant ("en-us", "en-gb+f2",
    "de+m3"); it is used when :meth:`synthesize` gets no ``language``.
    """

    name = "espeak-ng"

    def __init__(self, voice: str = "en-us"):
        with _LOCK:
            library = _shared_library()
            if not library.set_voice(voice):
                raise EspeakError(f"espeak-ng has no voice {voice!r}")
        self.voice = voice
        self.sample_rate = library.sample_rate

    def supports_language(self, language: str) -> bool:
        with _LOCK:
            return self._select_voice(_shared_library(), language) is not None

    def _select_voice(self, library: _Library, language: str | None) -> str | None:
        if language is None:
            return self.voice if library.set_voice(self.voice) else None
        variant = self.voice.partition("+")[2]
        for name in voice_for_language(language):
            for candidate in ([f"{name}+{variant}"] if variant else []) + [name]:
                if library.set_voice(candidate):
                    return candidate
        for name in voice_for_language(language):
            if library.set_language(name):
                return name
        return None

    def synthesize(
        self, text: str, prosody: Prosody = NORMAL_PROSODY, language: str | None = None
    ) -> Iterator[Int16Audio]:
        with _LOCK:
            library = _shared_library()
            if self._select_voice(library, language) is None:
                raise EspeakError(f"espeak-ng has no voice for language {language!r}")
            audio = library.speak(text, prosody)
        if audio.size:
            yield audio
