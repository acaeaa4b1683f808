"""Streaming stages and their scheduling. Reaches models only through the backend Protocols."""
