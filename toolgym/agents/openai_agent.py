"""``OpenAIAgent``: a model behind any OpenAI-compatible Chat Completions server.

Two ways to talk to the model:

- **native tool calling** (default): the env's tool schemas go in ``tools``, the reply's
  ``tool_calls`` come back as the turn's calls, arguments exactly as the model wrote them (the
  env reports broken JSON to the model; nothing is repaired here).
- **raw text** (``format="hermes"``, ...): no ``tools`` parameter; the system prompt carries the
  tools as that format writes them, results come back as that format renders them, and the
  reply text is handed to the env's format parser (a ``TextActions`` env).

Either way ``reasoning_content`` (or ``reasoning``) of every reply is kept and sent back with
that assistant message on every later request: interleaved thinking, as servers for reasoning
models (vLLM, SGLang, DeepSeek, MiniMax) expect. Needs the ``openai`` package
(``pip install 'toolgym[openai]'``).
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from toolgym.core.messages import AgentTurn, ToolCall
from toolgym.formats import Format
from toolgym.formats import get as get_format

__all__ = ["ModelError", "OpenAIAgent"]

_RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})


class ModelError(RuntimeError):
    """A request to the model server failed.

    ``fatal`` means no later request can succeed either (a rejected key, an unknown model): an
    evaluation stops rather than burn through every episode.
    """

    def __init__(self, message: str, *, fatal: bool = False) -> None:
        super().__init__(message)
        self.fatal = fatal


class OpenAIAgent:
    """Chat Completions agent with retries, interleaved thinking and an optional text format.

    Args:
        model: the model name the server knows.
        base_url: the server (``http://host:port/v1``); default ``OPENAI_BASE_URL`` or OpenAI.
        api_key_env: the environment variable holding the key (never the key itself, so it
            stays out of command lines, logs and run manifests).
        format: a tool-call format name for the raw-text path; ``None`` for native tool calls.
            On a ``TextActions`` env the episode's own format (``info["format"]``, which a
            scaffold fault may draw) takes over at each reset.
        temperature / top_p / max_tokens: sampling parameters (unset: the server's defaults).
        seed: sent as the request's ``seed`` (servers that support it sample reproducibly) and
            seeds the retry jitter.
        max_retries / backoff / max_backoff: retries of 429, 5xx, timeouts and dropped
            connections, waiting ``retry-after`` when the server gives one, else
            ``backoff * 2**attempt`` seconds (at most ``max_backoff``) with jitter.
        timeout: seconds per request.
        extra_body: extra fields for each request (server-specific options).
        sleep: how to wait between retries (tests pass a recorder).
    """

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        format: str | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        max_tokens: int | None = None,
        seed: int | None = None,
        max_retries: int = 6,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        timeout: float = 300.0,
        extra_body: Mapping[str, Any] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not model:
            raise ValueError("model must be a non-empty model name, e.g. 'gpt-4o-mini'")
        if max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {max_retries}")
        if backoff < 0 or max_backoff < 0:
            raise ValueError(f"backoff times must be >= 0, got {backoff}, {max_backoff}")
        try:
            import openai
        except ImportError:
            raise ImportError(
                "the openai:MODEL agent needs the openai package: pip install 'toolgym[openai]'"
            ) from None
        api_key = os.environ.get(api_key_env)
        if not api_key:
            raise ModelError(
                f"no API key: set the environment variable {api_key_env} (a server without "
                f"authentication accepts any value, e.g. {api_key_env}=EMPTY)",
                fatal=True,
            )
        self.model = model
        self.api_key_env = api_key_env
        self.format: Format | None = None if format is None else get_format(format)
        self.sampling = {
            key: value
            for key, value in (
                ("temperature", temperature),
                ("top_p", top_p),
                ("max_tokens", max_tokens),
                ("seed", seed),
            )
            if value is not None
        }
        self.extra_body = dict(extra_body or {})
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.sleep = sleep
        self._openai = openai
        self._client = _client(api_key, base_url, timeout)
        self._jitter = np.random.default_rng(seed)
        self.messages: list[dict[str, Any]] = []
        self.requests = 0

    @property
    def base_url(self) -> str:
        return str(self._client.base_url)

    # ------------------------------------------------------------------ loop
    def reset(self, observation: str, info: dict[str, Any]) -> None:
        self.messages = []

    def act(self, observation: str, info: dict[str, Any]) -> AgentTurn | str:
        """One request to the model with the conversation so far; its reply as an action."""
        if info.get("turn") == 0:
            self.messages = []
            if self.format is not None and info.get("format"):
                self.format = get_format(info["format"])  # the episode's scaffold
        self.messages.extend(self._incoming(info))
        request: dict[str, Any] = {"model": self.model, "messages": self.messages}
        if self.format is None and info.get("tools"):
            request["tools"] = info["tools"]
        request.update(self.sampling)
        if self.extra_body:
            request["extra_body"] = self.extra_body
        reply = self._create(request)
        choices = getattr(reply, "choices", None) or []
        if not choices:
            raise ModelError(f"the server at {self.base_url} returned a reply with no choices")
        message = choices[0].message
        thinking = _reasoning(message)
        content = message.content or ""
        calls = [
            ToolCall(call.id or "", call.function.name or "", call.function.arguments or "")
            for call in (message.tool_calls or [])
            if getattr(call, "function", None) is not None
        ]
        sent: dict[str, Any] = {"role": "assistant", "content": content}
        if thinking:
            sent["reasoning_content"] = thinking
        if calls:
            sent["tool_calls"] = [call.to_openai() for call in calls]
        self.messages.append(sent)
        if self.format is None:
            return AgentTurn(thinking=thinking, content=content, tool_calls=calls)
        if thinking:
            tag = self.format.thinking_tags[0]
            return f"<{tag}>{thinking}</{tag}>{content}"
        return content

    def _incoming(self, info: dict[str, Any]) -> list[dict[str, Any]]:
        """The step's new messages as this agent sends them to the server."""
        messages = [dict(m) for m in info.get("messages", ())]
        if self.format is None:
            return messages
        fmt = self.format
        out: list[dict[str, Any]] = []
        results: list[str] = []
        for m in messages:
            if m["role"] == "tool":
                results.append(fmt.render_result(m))
                continue
            if results:
                out.append({"role": "user", "content": fmt.join_results(results)})
                results = []
            if m["role"] == "system":
                tools = fmt.render_tools(info.get("tools") or [])
                out.append({"role": "system", "content": f"{m['content']}\n\n{tools}".strip()})
            else:
                out.append({"role": "user", "content": fmt.render_user(m.get("content") or "")})
        if results:
            out.append({"role": "user", "content": fmt.join_results(results)})
        return out

    # --------------------------------------------------------------- requests
    def _create(self, request: dict[str, Any]) -> Any:
        openai = self._openai
        for attempt in range(self.max_retries + 1):
            self.requests += 1
            try:
                return self._client.chat.completions.create(**request)
            except openai.AuthenticationError as exc:
                raise ModelError(
                    f"the server at {self.base_url} rejected the API key (HTTP 401): set "
                    f"{self.api_key_env} to a key it accepts. Server said: {_said(exc)}",
                    fatal=True,
                ) from None
            except openai.PermissionDeniedError as exc:
                raise ModelError(
                    f"the API key in {self.api_key_env} may not use model {self.model!r} at "
                    f"{self.base_url} (HTTP 403). Server said: {_said(exc)}",
                    fatal=True,
                ) from None
            except openai.NotFoundError as exc:
                raise ModelError(
                    f"model {self.model!r} is not served at {self.base_url} (HTTP 404)."
                    f"{self._served_models()} Server said: {_said(exc)}",
                    fatal=True,
                ) from None
            except openai.APIStatusError as exc:
                if exc.status_code not in _RETRY_STATUSES:
                    raise ModelError(
                        f"the server at {self.base_url} refused the request "
                        f"(HTTP {exc.status_code}): {_said(exc)}"
                    ) from None
                failure = f"HTTP {exc.status_code}: {_said(exc)}"
                wait = _retry_after(exc.response.headers)
            except openai.APIConnectionError as exc:
                failure = f"{type(exc).__name__}: {exc}"
                wait = None
            if attempt == self.max_retries:
                raise ModelError(
                    f"the server at {self.base_url} still failed after {attempt + 1} attempts "
                    f"(last: {failure})"
                )
            if wait is None:
                wait = self.backoff * 2**attempt * (0.5 + 0.5 * self._jitter.random())
            self.sleep(min(wait, self.max_backoff))
        raise AssertionError("unreachable")

    def _served_models(self) -> str:
        """The server's model list, to put in an unknown-model message (empty if unavailable)."""
        try:
            names = sorted(model.id for model in self._client.models.list())
        except Exception:  # the listing is a courtesy: any failure just leaves it out
            return ""
        if not names:
            return ""
        shown = ", ".join(names[:20]) + (", ..." if len(names) > 20 else "")
        return f" The server serves: {shown}."


@functools.lru_cache(maxsize=8)
def _client(api_key: str, base_url: str | None, timeout: float) -> Any:
    """One SDK client per server and key in a process: episodes reuse its connections."""
    import openai

    return openai.OpenAI(api_key=api_key, base_url=base_url, max_retries=0, timeout=timeout)


def _reasoning(message: Any) -> str:
    """The reply's reasoning text, under whichever name the server uses."""
    for name in ("reasoning_content", "reasoning"):
        value = getattr(message, name, None)
        if value is None:
            value = (getattr(message, "model_extra", None) or {}).get(name)
        if isinstance(value, str) and value:
            return value
    return ""


def _said(exc: Any) -> str:
    """The error message a server put in its body, or the SDK's summary."""
    body = getattr(exc, "body", None)
    if isinstance(body, Mapping):
        error = body.get("error", body)
        if isinstance(error, Mapping) and error.get("message"):
            return str(error["message"])
        if isinstance(error, str):
            return error
    return str(getattr(exc, "message", exc))


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds the server asked to wait (``retry-after-ms`` or ``retry-after`` in seconds)."""
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) / scale
        except ValueError:
            continue
        if seconds >= 0:
            return seconds
    return None
