"""Speech stages of the engine: activity, turns, transcription, phrases, barge-in. No networking."""
