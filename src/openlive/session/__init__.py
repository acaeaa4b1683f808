"""One conversation: config, history, turn state, usage accounting."""
