"""Reading the running server's Prometheus metrics in end-to-end tests."""

from __future__ import annotations

import re
import ssl
import urllib.request


def metric_value(base_url: str, ssl_context: ssl.SSLContext | None, sample: str) -> float:
    """The value of one sample (``name{label="value"}``) on GET /metrics; 0 when it is not there yet."""
    with urllib.request.urlopen(f"{base_url}/metrics", context=ssl_context) as response:
        text = response.read().decode()
    found = re.search(rf"^{re.escape(sample)} (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0
