"""Semantic end-of-turn backends."""
