"""The ``openlive`` command: ``serve`` and ``bench``."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from openlive.config import TOOL_PLANNERS, load_settings

BENCHMARKS = {
    "protocol": "openlive.bench.protocol",
    "llm": "openlive.bench.llm_llama_cpp",
    "speech-stages": "openlive.bench.speech_stages",
    "vision": "openlive.bench.vision",
    "affect": "openlive.bench.affect",
    "proactive": "openlive.bench.proactive",
    "tools": "openlive.bench.tools",
    "latency": "openlive.bench.latency",
    "vision-latency": "openlive.bench.vision_latency",
    "tools-spoken": "openlive.bench.tools_spoken",
}


def _serve_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = subparsers.add_parser("serve", help="run the Live API server")
    serve.add_argument("--config", type=Path, help="TOML settings file")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8765)")
    serve.add_argument("--no-tls", dest="tls", action="store_const", const=False, help="plain ws/http")
    serve.add_argument("--tls-cert", type=Path, help="certificate PEM (default: self-signed, made on first start)")
    serve.add_argument("--tls-key", type=Path, help="private key PEM for --tls-cert")
    serve.add_argument(
        "--api-key", dest="api_keys", action="append", help="accepted API key (repeatable; or OPENLIVE_API_KEYS)"
    )
    serve.add_argument("--data-dir", type=Path, help="where openlive keeps its certificate, key and models")
    serve.add_argument("--llm-backend", help="LLM backend name (default llama-cpp)")
    serve.add_argument("--llm-model", type=Path, help="GGUF file for the llama-cpp backend")
    serve.add_argument(
        "--tool-planner",
        choices=TOOL_PLANNERS,
        help="function calls by embeddings and rules (default, for a tiny LLM) or wholly by the LLM",
    )
    serve.add_argument("--asr-model", type=Path, help="CTranslate2 Whisper directory (default: packaged base)")
    serve.add_argument(
        "--model-alias",
        dest="model_aliases",
        action="append",
        metavar="PATTERN=PIPELINE",
        help="extra model-name alias (shell pattern), repeatable",
    )
    serve.add_argument("--log-level", choices=["debug", "info", "warning", "error"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="openlive", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True)
    _serve_parser(subparsers)
    bench = subparsers.add_parser("bench", help="run a benchmark; prints a table and saves it in bench/results/")
    bench.add_argument("name", choices=sorted(BENCHMARKS))
    bench.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the benchmark")
    args = parser.parse_args(argv)

    if args.command == "bench":
        module = importlib.import_module(BENCHMARKS[args.name])
        result: int = module.run(args.args)
        return result

    overrides = {
        name: getattr(args, name)
        for name in (
            "host",
            "port",
            "tls",
            "tls_cert",
            "tls_key",
            "data_dir",
            "llm_backend",
            "llm_model",
            "tool_planner",
            "asr_model",
            "log_level",
        )
    }
    if args.api_keys:
        overrides["api_keys"] = args.api_keys
    if args.model_aliases:
        overrides["model_aliases"] = ",".join(args.model_aliases)
    if (args.tls_cert is None) != (args.tls_key is None):
        parser.error("--tls-cert and --tls-key go together")
    try:
        settings = load_settings(args.config, overrides)
    except (OSError, ValueError) as error:
        parser.error(str(error))
    # A model the user named must be there before the server starts, not fail its load later.
    if settings.llm_model is not None and not settings.llm_model.is_file():
        parser.error(f"llm_model {settings.llm_model}: no such file")
    if settings.asr_model is not None:
        from openlive.backends.asr.model_files import whisper_directory_problem

        problem = whisper_directory_problem(settings.asr_model)
        if problem is not None:
            parser.error(f"asr_model {problem}")
    from openlive.gateway.server import serve

    serve(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
