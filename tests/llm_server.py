"""A local OpenAI-compatible HTTP server for tests: it answers /v1/chat/completions with whatever the
test's `answer` function returns for the prompt (and /v1/embeddings with hashed word counts), so the real openai client runs over real HTTP.
It fakes only what is outside Handoff (an LLM's answers)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

Answer = Callable[[str, dict], dict | str | None]  # (prompt text, json schema) -> answer JSON, or None for HTTP 500


class FakeLlmServer:
    HANG = object()  # an answer function returning this makes the request hang (an LLM that never answers)

    def __init__(self, answer: Answer):
        self.answer = answer
        self.requests: list[dict] = []
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = _free_port()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def _app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def chat(request: Request):
            body = await request.json()
            self.requests.append(body)
            prompt = body["messages"][-1]["content"]
            schema = (body.get("response_format") or {}).get("json_schema", {}).get("schema", {})
            out = self.answer(prompt, schema)
            if out is FakeLlmServer.HANG:
                import asyncio

                await asyncio.sleep(3600)  # cancelled when the server stops
            if out is None:
                return JSONResponse({"error": {"message": "scripted failure"}}, status_code=500)
            content = out if isinstance(out, str) else json.dumps(out)
            return {
                "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()),
                "model": body.get("model", "test-model"),
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": content}}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }

        @app.post("/v1/embeddings")
        async def embeddings(request: Request):
            body = await request.json()
            texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
            return {"object": "list", "model": body.get("model", "test-embed"),
                    "data": [{"object": "embedding", "index": i, "embedding": hashed_embedding(t)}
                             for i, t in enumerate(texts)],
                    "usage": {"prompt_tokens": 1, "total_tokens": 1}}

        return app

    def __enter__(self) -> "FakeLlmServer":
        config = uvicorn.Config(self._app(), host="127.0.0.1", port=self.port, log_level="warning",
                                timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        if self._server:
            self._server.should_exit = True
        if self._thread:
            self._thread.join(timeout=10)


def hashed_embedding(text: str, dims: int = 384) -> list[float]:
    """A deterministic stand-in for an embedding model: hashed word counts (similar texts share
    words, so they land near each other)."""
    import hashlib

    vector = [0.0] * dims
    for word in text.lower().split():
        vector[int.from_bytes(hashlib.sha256(word.encode()).digest()[:4], "big") % dims] += 1.0
    return vector


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
