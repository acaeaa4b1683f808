"""The ASGI app: Live WebSocket paths, health and model listing."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from openlive.engine.runtime import Runtime
from openlive.gateway.auth import is_valid_key, request_api_key
from openlive.gateway.models import bare_model_name, listed_models, resolve_pipeline
from openlive.protocol.codec import encode_server_message, parse_client_message
from openlive.protocol.errors import CloseCode, ProtocolError, internal_error, invalid_argument, policy_violation
from openlive.protocol.messages import ServerMessage, SetupComplete, SetupMessage
from openlive.session.session import Session

log = logging.getLogger(__name__)

# Every path the SDKs build, with one or two leading slashes (a base URL ending in "/" gives "//ws/…").
_LIVE_PATH = re.compile(
    r"^/{1,2}ws/(?:"
    r"google\.ai\.generativelanguage\.(?P<version>v1|v1alpha|v1beta)\.GenerativeService\.(?P<method>BidiGenerateContent(?:Constrained)?)"
    r"|google\.cloud\.aiplatform\.(?P<vertex_version>v1|v1beta1)\.LlmBidiService/(?P<vertex_method>BidiGenerateContent)"
    r")$"
)

_MODELS_NOT_READY_SECONDS = 120.0


@dataclass(frozen=True)
class GatewayConfig:
    api_keys: tuple[str, ...]
    model_aliases: dict[str, str]


class LiveConnection:
    """One WebSocket: checks, setup, then pumps frames between the client and its session."""

    def __init__(self, websocket: WebSocket, runtime: Runtime, config: GatewayConfig, version: str) -> None:
        self.websocket = websocket
        self.runtime = runtime
        self.config = config
        self.version = version
        self.outbox: asyncio.Queue[ServerMessage | None] = asyncio.Queue()

    async def run(self) -> None:
        session: Session | None = None
        writer: asyncio.Task[None] | None = None
        try:
            self._check_key()
            await self._wait_for_models()
            setup = await self._receive_setup()
            pipeline = resolve_pipeline(setup.setup.model, self.config.model_aliases)
            if pipeline is None:
                name = bare_model_name(setup.setup.model)
                shown = name if len(name) <= 40 else name[:39] + "…"
                raise policy_violation(
                    f"models/{shown} is not found for API version {self.version}, "
                    "or is not supported for bidiGenerateContent."
                )
            session = Session(setup.setup, self.runtime, self.outbox.put_nowait, uuid.uuid4().hex)
            writer = asyncio.create_task(self._write())
            self.outbox.put_nowait(ServerMessage(SetupComplete(session_id=session.session_id)))
            error = await self._pump(session)
            if error is not None:
                await self._close(error, writer)
        except ProtocolError as error:
            await self._close(error, writer)
        except WebSocketDisconnect:
            pass
        except Exception:
            log.exception("internal error on a live connection")
            await self._close(internal_error(), writer)
        finally:
            if session is not None:
                await session.close()
            if writer is not None:
                writer.cancel()

    def _check_key(self) -> None:
        presented = request_api_key(self.websocket.headers, self.websocket.query_params)
        if not presented:
            raise policy_violation(
                "Method doesn't allow unregistered callers. Please use an API key (x-goog-api-key or ?key=)."
            )
        if not is_valid_key(presented, self.config.api_keys):
            raise policy_violation("API key not valid. Please pass a valid API key.")

    async def _wait_for_models(self) -> None:
        if self.runtime.load_error is not None:
            raise ProtocolError(CloseCode.INTERNAL, "The service is currently unavailable.")
        try:
            await asyncio.wait_for(self.runtime.ready.wait(), _MODELS_NOT_READY_SECONDS)
        except TimeoutError:
            raise ProtocolError(CloseCode.INTERNAL, "The service is currently unavailable.") from None

    async def _receive_frame(self) -> str | bytes | None:
        message = await self.websocket.receive()
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000))
        text: str | None = message.get("text")
        return text if text is not None else message.get("bytes")

    async def _receive_setup(self) -> SetupMessage:
        frame = await self._receive_frame()
        message = parse_client_message(frame or b"")
        if not isinstance(message, SetupMessage):
            raise invalid_argument("The first message must be setup.")
        return message

    async def _pump(self, session: Session) -> ProtocolError | None:
        """Feed client frames to the session until the client leaves or the session fails."""
        while True:
            receive: asyncio.Future[str | bytes | None] = asyncio.ensure_future(self._receive_frame())
            await asyncio.wait((receive, session.failure), return_when=asyncio.FIRST_COMPLETED)
            if session.failure.done():
                receive.cancel()
                return session.failure.result()
            frame = receive.result()
            await session.handle(parse_client_message(frame or b""))

    async def _write(self) -> None:
        while (message := await self.outbox.get()) is not None:
            await self.websocket.send_bytes(encode_server_message(message))

    async def _close(self, error: ProtocolError, writer: asyncio.Task[None] | None) -> None:
        if writer is not None and not writer.done():
            # Let what the session already queued reach the client before the close frame.
            self.outbox.put_nowait(None)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer, 5)
        log.info("closing live connection: %s %s", int(error.code), error.reason)
        with contextlib.suppress(Exception):
            await self.websocket.close(code=int(error.code), reason=error.reason)


def create_app(runtime: Runtime, config: GatewayConfig) -> Starlette:
    async def live(websocket: WebSocket) -> None:
        match = _LIVE_PATH.match(websocket.url.path)
        if match is None:
            await websocket.close(code=int(CloseCode.POLICY), reason="Unknown path.")
            return
        await websocket.accept()
        if match["method"] == "BidiGenerateContentConstrained":
            with contextlib.suppress(Exception):
                await websocket.close(
                    code=int(CloseCode.POLICY),
                    reason="BidiGenerateContentConstrained needs an ephemeral token; openlive does not issue them yet.",
                )
            return
        version = match["version"] or match["vertex_version"]
        await LiveConnection(websocket, runtime, config, version).run()

    async def healthz(request: Request) -> JSONResponse:
        if runtime.ready.is_set():
            return JSONResponse({"status": "ok", "modelLoadSeconds": runtime.load_seconds})
        status = "failed" if runtime.load_error is not None else "loading"
        return JSONResponse({"status": status}, status_code=503)

    async def list_models(request: Request) -> JSONResponse:
        presented = request_api_key(request.headers, request.query_params)
        if not is_valid_key(presented, config.api_keys):
            return JSONResponse(
                {"error": {"code": 401, "message": "API key not valid.", "status": "UNAUTHENTICATED"}},
                status_code=401,
            )
        models = [
            {
                "name": f"models/{name}",
                "displayName": name,
                "supportedGenerationMethods": ["bidiGenerateContent"],
            }
            for name in listed_models(config.model_aliases)
        ]
        return JSONResponse({"models": models})

    async def metrics_endpoint(request: Request) -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        loading = asyncio.create_task(runtime.load())
        loading.add_done_callback(lambda task: task.cancelled() or task.exception())
        yield
        loading.cancel()
        runtime.close()

    routes = [
        Route("/healthz", healthz),
        Route("/metrics", metrics_endpoint),
        Route("/{version:str}/models", list_models),
        WebSocketRoute("/{path:path}", live),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
