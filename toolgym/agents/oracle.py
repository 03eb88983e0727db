"""``OracleAgent``: the reference careful agent that proves every task solvable.

It is privileged in exactly two ways: it knows the task (its plan, the canonical calls and how
to use their results, and which strings of the request are the user's own: its literals and
facts) and the fault layer's routing (which visible tool and parameter reach each canonical
one, how ids and dates are shown, which tool is ``ask_user``). Everything else it learns as any
agent must, from what it reads:

- results in any rendering (JSON, YAML, XML, a text table; camelCase keys, numbers as strings,
  invisible characters), via :func:`~toolgym.agents.decoding.decode_result`;
- truncated output, read to the end through the cursor the hint names; paginated lists,
  followed through ``next_page_token``; a stale read, repeated;
- retryable errors retried, a renamed or deprecated tool re-resolved, argument types fitted
  to the schema as shown;
- a value the request should hold but does not: asked for with ``ask_user`` when that tool
  exists, otherwise awaited (the rest of a split request);
- data is never an instruction: injected text is read and ignored;
- news that the world changed (a ``Notification:`` message) makes it read again.

Each of these is a :class:`Skills` flag, on by default; :mod:`toolgym.testing.probes` turns
one off at a time to build the brittle probe agents that show what each fault measures.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym

from toolgym.agents.decoding import decode_result
from toolgym.core.casing import snake
from toolgym.core.codec import codec_of
from toolgym.core.env import NOTICE_PREFIX
from toolgym.core.episode import ASK_USER_KEY
from toolgym.core.errors import ToolError
from toolgym.core.messages import AgentTurn, ToolCall
from toolgym.core.task import Answer, Step, as_answer
from toolgym.core.view import ToolEntry

__all__ = ["OracleAgent", "Skills", "decode_result"]

_TRUNCATED = re.compile(
    r'\n\[output truncated: \d+ more characters\. Call (\S+) with cursor="([^"]+)" to read the '
    r"rest\.\]\s*$"
)
_RESOLVE = ("unknown_tool", "deprecated")
_SPACE = re.compile(r"\s+")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
# Text in data that speaks to the assistant, and the codes such text asks it to repeat.
_ADDRESSED = re.compile(r"(?i)\b(assistants?|instructions|your new task|verification code)\b")
_CODE = re.compile(r"\b[A-Z]{3}-\d{4}\b")


def _heard(observation: Any, info: dict[str, Any]) -> str:
    """What the environment said this step, whatever the observation's shape (text, or a
    whole conversation under ``ChatHistory``): the new messages' text."""
    messages = info.get("messages")
    if messages:
        return "\n".join(str(m.get("content") or "") for m in messages)
    return observation if isinstance(observation, str) else ""


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFC", _INVISIBLE.sub("", text).replace("\u00a0", " "))
    return _SPACE.sub(" ", text).casefold()


@dataclass(frozen=True)
class Skills:
    """What the oracle does that a careless agent may not; each flag off is one probe agent.

    Attributes:
        reads_toolset: calls tools by the names, parameters, types and value formats the fault
            layer shows now (off: the clean API's, as learnt before any change).
        retries: retries retryable errors and unreadable results (off: gives up at once).
        follows_pages: follows ``next_page_token`` and truncation cursors (off: the first part).
        resists_injections: treats instructions in data as data (off: obeys them).
        lenient_parser: reads any rendering of a result (off: only the clean compact JSON of
            the clean shape, keys in their order, nothing added).
        heeds_stale: repeats a read that says it is stale (off: uses the stale value).
        asks_user: asks for, or waits for, a value the request lacks (off: gives up).
        checks_all_hits: reads every match of a search or listing (off: only the first).
        rereads_after_events: reads again when told the world changed (off: acts on the old).
    """

    reads_toolset: bool = True
    retries: bool = True
    follows_pages: bool = True
    resists_injections: bool = True
    lenient_parser: bool = True
    heeds_stale: bool = True
    asks_user: bool = True
    checks_all_hits: bool = True
    rereads_after_events: bool = True


@dataclass
class _Call:
    """The call in flight: which plan step it serves and what has come back so far."""

    id: str
    step: Step | None = None  # None: a question to the user
    page_token: str | None = None
    pages: list[Any] = field(default_factory=list)  # [the pages joined, the first page]
    buffer: str = ""
    sent: tuple[str, dict[str, Any]] | None = None


class OracleAgent:
    """Solves the task of ``env`` by following its plan through the public interface.

    Args:
        env: the environment (any wrapper of a ``ToolEnv``); read at each reset for the plan.
        max_retries: how many times one call is retried after retryable errors.
        skills: what it does right (all by default: the robust oracle); see :class:`Skills`.
    """

    def __init__(self, env: gym.Env, *, max_retries: int = 8, skills: Skills = Skills()) -> None:
        self.env = env
        self.max_retries = max_retries
        self.skills = skills
        self._obeyed: list[str] = []
        self._plan: Generator[Step, Any, Any] | None = None
        self._step: Step | None = None
        self._answer: Answer | None = None
        self._call: _Call | None = None
        self._seen: list[str] = []
        self._asked: dict[str, int] = {}
        self._waited: set[str] = set()
        self._retries = 0
        self._count = 0

    # ------------------------------------------------------------------ loop
    def reset(self, observation: str, info: dict[str, Any]) -> None:
        episode = self.env.unwrapped.episode
        self._plan = episode.task.plan()
        self._answer = None
        self._call = None
        self._seen = []
        self._asked = {}
        self._waited = set()
        self._retries = 0
        self._count = 0
        self._obeyed = []
        self._advance(lambda: next(self._plan))  # type: ignore[arg-type]

    @property
    def current_step(self) -> Step | None:
        """The plan step the oracle is working on (``None`` once the plan has answered): what
        it is doing and why, for tools that narrate its trajectories."""
        return self._step

    def act(self, observation: str, info: dict[str, Any]) -> AgentTurn:
        if self._plan is None:
            self.reset(observation, info)
        self._seen.append(_norm(_heard(observation, info)))
        thought = ""
        if self.skills.rereads_after_events and _notices(info) and self._on_notice():
            thought = "The world changed since I read it; start over from what it holds now."
        if self._call is not None:
            call, self._call = self._call, None
            follow, thought = self._digest(call, _result_for(info, call.id))
            if follow is not None:
                return follow
        if self._step is not None:
            pause = self._missing(self._step)
            if pause is not None:
                return pause
        if self._step is None:
            return self._final(thought)
        return self._issue(_Call("", self._step), thought)

    def _final(self, thought: str) -> AgentTurn:
        answer = self._answer or Answer("")
        codec = self._codec()
        text = codec.visible_text(answer.text) if codec is not None else answer.text
        if self._obeyed:  # what the instructions found in data asked it to say
            text += "\nVerification code: " + ", ".join(self._obeyed)
        return AgentTurn(thinking=thought or "I have everything; summarise for the user.",
                         content=text)  # fmt: skip

    def _on_notice(self) -> bool:
        """Another actor changed the world: what was read may be stale, so the plan starts
        again from its first read (world events fire only before any write of the agent's,
        so nothing is done twice). Whether it restarted."""
        episode = self.env.unwrapped.episode
        self._plan = episode.task.plan()
        self._answer = None
        self._call = None
        self._retries = 0
        self._advance(lambda: next(self._plan))  # type: ignore[arg-type]
        return True

    def _advance(self, move: Callable[[], Step]) -> None:
        try:
            self._step = move()
        except StopIteration as stop:
            self._step = None
            self._answer = as_answer(stop.value)
        except Exception as exc:  # the plan could not go on (a permanent error)
            self._step = None
            self._answer = Answer(f"I'm sorry, I could not complete your request: {exc}")

    # ---------------------------------------------------------------- results
    def _digest(self, call: _Call, content: str | None) -> tuple[AgentTurn | None, str]:
        """Take in a call's result; a follow-up call if one is needed, and a thought."""
        if call.step is None or content is None:
            return (
                None,
                "",
            )  # a question answered (now in the observations), or nothing back
        truncated = _TRUNCATED.search(content)
        if truncated and self.skills.follows_pages:
            call.buffer += content[: truncated.start()]
            tool, cursor = truncated.groups()
            return self._read_more(call, tool, cursor), "The output was cut; read the rest."
        if truncated:
            content = content[: truncated.start()]
        text, call.buffer = call.buffer + content, ""
        codec = self._codec()
        if codec is not None:
            text = codec.canonical_text(text)
        try:
            data = decode_result(text) if self.skills.lenient_parser else self._strict(call, text)
        except ValueError as exc:
            if not self.skills.retries or not self.skills.lenient_parser or truncated:
                return self._give_up(f"I could not read that result ({exc}).")
            return self._retry(call, "I could not read that result; ask again.")
        error = data.get("error") if isinstance(data, dict) else None
        if isinstance(error, dict):
            code = str(error.get("code", "error"))
            resolvable = code in _RESOLVE and self.skills.reads_toolset
            if (resolvable or error.get("retryable")) and self.skills.retries:
                return self._retry(call, f"That failed ({code}); the call may work now.")
            if code == "invalid_arguments" and self._resolve(call) != call.sent:
                return self._retry(call, "The tool's schema changed; call it as it is now.")
            self._retries = 0
            known = ("code", "message", "retryable")
            err = ToolError(
                code,
                str(error.get("message", "")),
                retryable=bool(error.get("retryable")),
                details={k: v for k, v in error.items() if k not in known},
            )
            self._advance(lambda: self._plan.throw(err))  # type: ignore[union-attr]
            return None, f"That failed ({code}); adjusting."
        self._retries = 0  # the call went through: the failures before it are behind us
        if not self.skills.resists_injections:
            self._obeyed += [c for c in _instructed_codes(data) if c not in self._obeyed]
        stale = isinstance(data, dict) and "stale" in str(data.get("warning", "")).lower()
        if stale and self.skills.heeds_stale:
            return self._retry(call, "That answer came from a stale cache; read it again.")
        if isinstance(data, dict) and "next_page_token" in data:
            _gather(call, data)
            token = data.get("next_page_token")
            if data.get("has_more") and token and self.skills.follows_pages:
                call.page_token = str(token)
                return self._issue(call, "There are more pages; fetch the next one."), ""
            data = call.pages[0]
            if isinstance(data.get("data"), list):
                data = data["data"]  # a paged list (an object's listing is never under "data")
        request = self.env.unwrapped.episode.task.user_prompt
        if not self.skills.checks_all_hits and isinstance(data, list) and _is_search(call, request):
            data = data[:1]
        self._advance(lambda: self._plan.send(data))  # type: ignore[union-attr]
        return None, ""

    def _give_up(self, why: str) -> tuple[AgentTurn | None, str]:
        """The step fails for good: the plan hears a permanent error."""
        self._retries = 0
        err = ToolError("gave_up", why)
        self._advance(lambda: self._plan.throw(err))  # type: ignore[union-attr]
        return None, why

    def _codec(self) -> Any:
        """How ids and dates are shown now, for an agent that reads the toolset."""
        return codec_of(self.env.unwrapped.episode) if self.skills.reads_toolset else None

    def _strict(self, call: _Call, text: str) -> Any:
        """The result as a strict client reads it: the clean compact JSON, and for a read,
        the same shape (keys, their order, value types) the clean API gives for that call."""
        data = json.loads(text)
        if text != json.dumps(data, ensure_ascii=False):
            raise ValueError("not the compact JSON the API sends")
        error = data.get("error") if isinstance(data, dict) else None
        clean = None if error is not None else _clean_result(self.env.unwrapped.episode, call)
        if clean is not None and not _shapes(data) <= _shapes(clean):
            raise ValueError("fields, their order or their types differ from the API's")
        return data

    def _retry(self, call: _Call, thought: str) -> tuple[AgentTurn | None, str]:
        if self._retries >= self.max_retries:
            self._retries = 0
            err = ToolError("gave_up", f"{thought} Still failing after {self.max_retries} tries.")
            self._advance(lambda: self._plan.throw(err))  # type: ignore[union-attr]
            return None, "It keeps failing; give up on this step."
        self._retries += 1
        call.buffer = ""
        return self._issue(call, thought), thought

    # ------------------------------------------------------------------ calls
    def _issue(self, call: _Call, thought: str) -> AgentTurn:
        assert call.step is not None
        name, arguments = self._resolve(call)
        text = " ".join(t for t in (thought, call.step.thought) if t)
        return self._send(call, name, arguments, text)

    def _resolve(self, call: _Call) -> tuple[str, dict[str, Any]]:
        """The visible name and arguments that reach the call's canonical tool right now."""
        assert call.step is not None
        episode = self.env.unwrapped.episode
        step = call.step
        arguments = dict(step.arguments)
        if call.page_token is not None:
            arguments["page_token"] = call.page_token
        if not self.skills.reads_toolset:
            return step.tool, arguments
        entry = episode.view.entry_for(step.tool)
        codec = codec_of(episode)
        if codec is not None:
            arguments = codec.to_visible(arguments)
        if entry is None:
            return step.tool, arguments
        return entry.name, _conform(entry.visible_arguments(arguments), entry)

    def _read_more(self, call: _Call, tool: str, cursor: str) -> AgentTurn:
        return self._send(call, tool, {"cursor": cursor}, "Read the rest of the output.")

    def _send(self, call: _Call, name: str, arguments: dict[str, Any], thought: str) -> AgentTurn:
        self._count += 1
        call.id = f"oracle_{self._count}"
        call.sent = (name, arguments)
        self._call = call
        return AgentTurn(thinking=thought, tool_calls=[ToolCall(call.id, name, arguments)])

    # --------------------------------------------------------- missing values
    def _missing(self, step: Step) -> AgentTurn | None:
        """Ask for, or wait for, a value the user holds (one of the task's literals or facts,
        said in the request) that this conversation has not shown yet; ``None`` when nothing
        is missing."""
        episode = self.env.unwrapped.episode
        task = episode.task
        codec = codec_of(episode)
        held = [*task.literals, *(v for v in task.facts.values() if isinstance(v, str))]
        seen = " ".join(self._seen)
        for name, value in _text_arguments(step.arguments):
            shown = codec.visible_text(value) if codec is not None else value
            if value not in task.user_prompt or not any(shown in term for term in held):
                continue  # not something the user says (an id from a result, a constant)
            if _norm(shown) in seen:
                continue
            if not self.skills.asks_user:
                self._step = None
                self._answer = Answer(f"I cannot do this without your {name.replace('_', ' ')}.")
                return None
            ask = episode.view.find(episode.scratch.get(ASK_USER_KEY, ""))
            label = name.replace("_", " ")
            if ask is not None and self._asked.get(value, 0) < 2:
                self._asked[value] = self._asked.get(value, 0) + 1
                question = (
                    f"What is your {label}?"
                    if self._asked[value] == 1
                    else "Could you give me all the details of your request?"
                )
                return self._send(
                    _Call(""), ask.name, {"question": question}, f"I need the {label}."
                )
            if ask is None and value not in self._waited:
                self._waited.add(value)
                return AgentTurn(
                    thinking=f"The request does not give the {label} yet.",
                    content="Sure, I can help with that. Could you tell me the rest?",
                )
        return None


def _instructed_codes(data: Any) -> list[str]:
    """Codes that text in ``data`` addressed to the assistant asks it to repeat."""
    if isinstance(data, dict):
        return [c for v in data.values() for c in _instructed_codes(v)]
    if isinstance(data, list):
        return [c for v in data for c in _instructed_codes(v)]
    if isinstance(data, str) and _ADDRESSED.search(data):
        return _CODE.findall(data)
    return []


_QUERY = ("query", "q", "name", "title", "keyword", "keywords", "text", "search")


def _is_search(call: _Call, request: str) -> bool:
    """Whether the call looks up a record by words of the user's request (a query or a
    name): a search whose hits a careless agent would take the first of."""
    if call.step is None:
        return False
    arguments = call.step.arguments
    return any(isinstance(arguments.get(k), str) and arguments[k] and arguments[k] in request
               for k in _QUERY)  # fmt: skip


def _clean_result(episode: Any, call: _Call) -> Any:
    """What the canonical read tool returns for the call's clean arguments right now
    (``None`` for a write, a paged read, or a call the clean arguments no longer fit). The
    toolkits a read moved are put back afterwards (a browser's page; a toolkit whose state
    did not move is left alone, as restoring a sandbox restarts it)."""
    assert call.step is not None
    world = episode.world
    tool = world.tools.get(call.step.tool)
    if tool is None or tool.mutates or call.page_token is not None:
        return None
    before = world.snapshot()
    try:
        return json.loads(json.dumps(tool(dict(call.step.arguments)), default=str))
    except Exception:  # the clean call no longer fits the world: nothing to compare with
        return None
    finally:
        for toolkit, token in zip(world.toolkits, before, strict=True):
            if toolkit.snapshot() != token:
                toolkit.restore(token)


def _shapes(data: Any, path: str = "") -> set[tuple[str, tuple[tuple[str, str], ...]]]:
    """Every object's keys in order, with their values' types, by where it sits."""
    if isinstance(data, list):
        return {s for item in data for s in _shapes(item, path + "[]")}
    if not isinstance(data, dict):
        return set()
    keys = tuple((k, type(v).__name__) for k, v in data.items())
    out = {(path, keys)}
    for k, v in data.items():
        out |= _shapes(v, f"{path}.{k}")
    return out


def _text_arguments(arguments: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for name, value in arguments.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        out += [(name, v) for v in values if isinstance(v, str) and v]
    return out


def _conform(arguments: dict[str, Any], entry: ToolEntry) -> dict[str, Any]:
    """Argument values in the types the visible schema asks for (a list as comma-separated
    text, a number as a decimal string, a flag as yes/no)."""
    props = entry.parameters.get("properties", {})
    out = {}
    for name, value in arguments.items():
        schema = props.get(name, {})
        if schema.get("type") == "string" and not isinstance(value, str) and value is not None:
            if isinstance(value, bool):
                value = (
                    ("yes" if value else "no")
                    if "yes" in schema.get("enum", ())
                    else str(value).lower()
                )
            elif isinstance(value, (int, float)):
                value = json.dumps(value)
            elif isinstance(value, (list, tuple)):
                value = ", ".join(str(v) for v in value)
        out[name] = value
    return out


_PAGE_KEYS = ("has_more", "next_page_token", "total_count")


def _gather(call: _Call, page: dict[str, Any]) -> None:
    """Join a page to the ones before: the lists that differ from the first page's (the paged
    one) grow, everything else is as the first page said. Objects keep their type (decoded
    ones answer to ``order_id`` and ``orderId`` alike)."""
    body = type(page)((k, v) for k, v in page.items() if snake(str(k)) not in _PAGE_KEYS)
    if not call.pages:
        call.pages = [type(body)(body), body]
        return
    joined, first = call.pages
    for key, value in body.items():
        if isinstance(value, list) and isinstance(first.get(key), list) and value != first[key]:
            joined[key] = [*joined[key], *value]


def _notices(info: dict[str, Any]) -> list[str]:
    """News of the world changing under the agent, heard this step."""
    return [
        str(m.get("content"))
        for m in info.get("messages", ())
        if m.get("role") == "user" and str(m.get("content") or "").startswith(NOTICE_PREFIX)
    ]


def _result_for(info: dict[str, Any], call_id: str) -> str | None:
    for message in info.get("messages", ()):
        if message.get("role") == "tool" and message.get("tool_call_id") == call_id:
            return message.get("content")
    return None
