"""openlive: a self-hostable server for the Gemini Live wire protocol, running offline on a CPU."""

__version__ = "0.1.0"
