"""Face backends: where faces are and a few expression cues. Never who someone is."""
