"""Model adapters behind small Protocols, chosen by name from :mod:`openlive.backends.registry`."""
