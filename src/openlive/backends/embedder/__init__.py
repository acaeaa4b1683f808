"""Sentence embedders: text to unit vectors, for similarity-based decisions."""
