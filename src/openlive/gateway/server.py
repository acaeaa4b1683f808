"""``openlive serve``: settings → TLS, keys, runtime → uvicorn."""

from __future__ import annotations

import logging
import sys

import uvicorn

from openlive.config import Settings
from openlive.engine.runtime import Runtime, RuntimeOptions
from openlive.gateway.app import GatewayConfig, create_app
from openlive.gateway.auth import load_or_create_api_key
from openlive.gateway.tls import ensure_self_signed_certificate


def serve(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    api_keys = settings.api_keys or (load_or_create_api_key(settings.data_dir),)
    cert, key = settings.tls_cert, settings.tls_key
    if settings.tls and (cert is None or key is None):
        cert, key = ensure_self_signed_certificate(settings.data_dir / "tls")
    llm_options: dict[str, object] = {}
    if settings.llm_model is not None:
        llm_options["model_path"] = str(settings.llm_model)
    asr_options = {"model_dir": str(settings.asr_model)} if settings.asr_model is not None else {}
    runtime = Runtime(
        RuntimeOptions(
            llm_backend=settings.llm_backend,
            llm_options=llm_options,
            asr_options=asr_options,
            tool_planner=settings.tool_planner,
        )
    )
    app = create_app(runtime, GatewayConfig(api_keys=api_keys, model_aliases=settings.model_aliases))

    scheme = "https" if settings.tls else "http"
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    lines = [f"openlive listening on {scheme}://{host}:{settings.port} (ws{'s' if settings.tls else ''})"]
    lines.append("Client environment:")
    lines.append(f"  export GOOGLE_GEMINI_BASE_URL={scheme}://{host}:{settings.port}")
    if settings.tls and cert is not None:
        lines.append(f"  export SSL_CERT_FILE={cert}")
    if settings.api_keys:
        lines.append("  export GEMINI_API_KEY=<one of the configured keys>")
    else:
        lines.append(f"  export GEMINI_API_KEY={api_keys[0]}")
    print("\n".join(lines), flush=True)

    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        ssl_certfile=str(cert) if settings.tls else None,
        ssl_keyfile=str(key) if settings.tls else None,
        ws="websockets",
        ws_max_size=settings.max_message_bytes,
        log_level=settings.log_level,
        lifespan="on",
    )
    uvicorn.Server(config).run()
