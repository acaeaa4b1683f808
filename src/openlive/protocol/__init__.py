"""The Gemini Live wire protocol: typed messages, tolerant parsing, serialising, close codes.

Nothing here imports the rest of openlive.
"""
