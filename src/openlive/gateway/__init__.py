"""The HTTP/WebSocket front door: routes, TLS, API keys, model names, health."""
