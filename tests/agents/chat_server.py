"""A real OpenAI-compatible Chat Completions server on loopback, answering from a script.

Tests start it on 127.0.0.1 with an ephemeral port and point the ``openai`` SDK at it, so the
agent is exercised over real HTTP: status codes, headers, bodies, retries. Each POST to
``/v1/chat/completions`` takes the next reply of the script (or asks a policy function); every
request body is kept for assertions. Authentication and model lookup behave like a real server.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

API_KEY = "sk-loopback"


@dataclass
class Reply:
    """One scripted HTTP reply: a status, a JSON body and headers."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def completion(
    content: str | None = "",
    *,
    reasoning: str | None = None,
    calls: Iterable[tuple[str, str, str | dict[str, Any]]] = (),
    reasoning_field: str = "reasoning_content",
) -> Reply:
    """A 200 reply: text, optional reasoning, and tool calls ``(id, name, arguments)``.

    Arguments given as text are sent verbatim (malformed JSON included).
    """
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if reasoning is not None:
        message[reasoning_field] = reasoning
    tool_calls = [
        {
            "id": call_id,
            "type": "function",
            "function": {
                "name": name,
                "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments),
            },
        }
        for call_id, name, arguments in calls
    ]
    if tool_calls:
        message["tool_calls"] = tool_calls
    return Reply(
        200,
        {
            "id": "chatcmpl-loopback",
            "object": "chat.completion",
            "created": 0,
            "model": "loopback",
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": "tool_calls" if tool_calls else "stop",
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        },
    )


def error(status: int, message: str, *, headers: dict[str, str] | None = None) -> Reply:
    """An error reply in the OpenAI error-body shape."""
    kind = {401: "invalid_api_key", 404: "model_not_found", 429: "rate_limit_exceeded"}
    return Reply(
        status,
        {"error": {"message": message, "type": "api_error", "code": kind.get(status)}},
        dict(headers or {}),
    )


Policy = Callable[[dict[str, Any]], Reply]


class ChatServer:
    """A scripted server: ``with ChatServer([...]) as server: OpenAI(base_url=server.url)``.

    ``script`` is a list of replies served in order, or a function from the request body to a
    reply. ``models`` are the names it serves (others get a 404, as a real server answers).
    """

    def __init__(
        self,
        script: list[Reply] | Policy,
        *,
        models: Iterable[str] = ("loopback-model",),
        api_key: str = API_KEY,
    ) -> None:
        self.script = script if callable(script) else list(script)
        self.models = list(models)
        self.api_key = api_key
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> ChatServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _answer(self, path: str, headers: dict[str, str], body: dict[str, Any] | None) -> Reply:
        if headers.get("authorization") != f"Bearer {self.api_key}":
            return error(401, "Incorrect API key provided.")
        if path.rstrip("/") == "/v1/models":
            data = [
                {"id": m, "object": "model", "created": 0, "owned_by": "t"} for m in self.models
            ]
            return Reply(200, {"object": "list", "data": data})
        if path.rstrip("/") != "/v1/chat/completions" or body is None:
            return error(404, f"No route {path}.")
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)
            if body.get("model") not in self.models:
                return error(404, f"The model `{body.get('model')}` does not exist.")
            if callable(self.script):
                return self.script(body)
            if not self.script:
                return error(500, "The test script has no more replies.")
            return self.script.pop(0)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self._send(server._answer(self.path, self._headers(), None))

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                self._send(server._answer(self.path, self._headers(), body))

            def _headers(self) -> dict[str, str]:
                return {k.lower(): v for k, v in self.headers.items()}

            def _send(self, reply: Reply) -> None:
                data = json.dumps(reply.body).encode()
                self.send_response(reply.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: tests read ``server.requests`` instead of a log."""

        return Handler
