"""What a session has seen lately, as text for the LLM. The latest frame of each source wins."""

from __future__ import annotations

import time
from dataclasses import dataclass

from openlive.engine.vision.camera import CameraObservation
from openlive.engine.vision.screen import ScreenObservation

# Older than this, an observation is flagged as possibly out of date.
STALE_AFTER_SECONDS = 30.0


@dataclass
class VisualContext:
    """The latest screen and camera observation of one session. Replaced, never accumulated."""

    screen: ScreenObservation | None = None
    camera: CameraObservation | None = None
    frames_received: int = 0
    # Frames replaced by a newer one before they were processed, or skipped under CPU pressure.
    frames_dropped: int = 0

    def update_screen(self, observation: ScreenObservation) -> None:
        if self.screen is None or observation.at >= self.screen.at:
            self.screen = observation

    def update_camera(self, observation: CameraObservation) -> None:
        if self.camera is None or observation.at >= self.camera.at:
            self.camera = observation

    def describe(self, now: float | None = None, ages: bool = True) -> str:
        """A block for the LLM's context, most recent source first; "" when nothing was seen.

        ``ages`` False: only say when an observation may be out of date, so the text stays the same
        while what is seen does (a prompt prefix evaluated ahead of time stays valid).
        """
        now = time.monotonic() if now is None else now
        if self.screen is None and self.camera is None:
            return ""
        blocks = []
        if self.screen is not None:
            age = _age(self.screen.at, now, ages)
            blocks.append((self.screen.at, f"Shared screen{age}:\n{self.screen.description}"))
        if self.camera is not None:
            blocks.append((self.camera.at, f"Camera{_age(self.camera.at, now, ages)}: {self.camera.description}"))
        blocks.sort(key=lambda block: -block[0])
        # Say what is missing, so "can you see me?" during a screen share gets a true "no".
        missing = ["Camera: no frames received."] if self.camera is None else []
        missing += ["Shared screen: no frames received."] if self.screen is None else []
        return "\n".join([text for _, text in blocks] + missing)


def _age(at: float, now: float, exact: bool) -> str:
    seconds = max(0.0, now - at)
    stale = seconds > STALE_AFTER_SECONDS
    if not exact:
        return " (may be out of date)" if stale else ""
    text = "just now" if seconds < 2 else f"{seconds:.0f} s ago"
    return f" ({text}, may be out of date)" if stale else f" ({text})"
