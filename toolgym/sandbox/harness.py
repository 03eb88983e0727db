"""The call harness: import a package's modules, call their functions on given inputs, and
write down what each call did, so a checker outside the sandbox can compare it with a reference.

The file runs two ways. Its source is handed to a sandboxed interpreter (``python -s -c
<source> <config>``), so it uses only the standard library; and toolgym imports it, so the
reference's outcomes are encoded by the very same code. What it writes is trusted for no more
than it is: the code under test runs in this process and can write anything anywhere, but it
cannot know what the reference returns on inputs it was never shown, and only a complete,
framed, well-formed record is read at all (anything else is a failure).

Config (one JSON argument): ``package``, ``modules`` (names inside the package), ``calls``
(``[module, function, args, kwargs]`` each), ``output`` (a file to create), ``nonce`` (frames
the record) and ``call_seconds`` (a wall-clock limit per call).

Outcomes, one per call: ``["ok", value]``; ``["raise", [class names of the exception's MRO]]``;
``["timeout"]``; ``["missing"]`` (no such function); ``["import_error", exception name]``.
Values: ``["none"]``, ``["bool", b]``, ``["int", "12"]``, ``["float", "1.5"]``, ``["str", s]``,
``["list", [...]]``, ``["tuple", [...]]``, ``["dict", [[key, value], ...]]``,
``["object", type name]`` (anything else) and ``["too_large"]``.
Inputs are JSON; ``{"$builtin": "abs"}`` stands for a builtin function (JSON has none).
"""

import builtins
import importlib
import json
import math
import os
import signal
import sys

CALLABLES = ("abs", "len", "str", "sum")
MAX_NODES = 5000
MAX_DEPTH = 32
MAX_TEXT = 10000


class TooLarge(Exception):
    pass


class CallTimeout(BaseException):
    """Raised in a call that outlived its limit (a BaseException, so code under test that
    catches ``Exception`` does not swallow it)."""


def decode(value):
    """An input as the function receives it: JSON, with builtin functions by name."""
    if isinstance(value, dict):
        if len(value) == 1 and "$builtin" in value and value["$builtin"] in CALLABLES:
            return getattr(builtins, value["$builtin"])
        return {key: decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decode(item) for item in value]
    return value


def encode(value, budget=None, depth=0):
    """A returned value as plain JSON; exact types only, so no subclass can pose as a value."""
    budget = budget if budget is not None else [MAX_NODES]
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        raise TooLarge
    kind = type(value)
    if value is None:
        return ["none"]
    if kind is bool:
        return ["bool", value]
    if kind is int:
        return ["int", str(value)]
    if kind is float:
        return ["float", repr(value)]
    if kind is str:
        if len(value) > MAX_TEXT:
            raise TooLarge
        return ["str", value]
    if kind is list or kind is tuple:
        return [kind.__name__, [encode(item, budget, depth + 1) for item in value]]
    if kind is dict:
        pairs = value.items()
        return [
            "dict",
            [[encode(k, budget, depth + 1), encode(v, budget, depth + 1)] for k, v in pairs],
        ]
    return ["object", str(getattr(kind, "__name__", "?"))[:100]]


def outcome(function, args, kwargs):
    """What one call did: its encoded value, or the exception it raised."""
    try:
        value = function(*args, **kwargs)
    except CallTimeout:
        raise
    except BaseException as exc:  # SystemExit and KeyboardInterrupt are outcomes too
        return ["raise", [str(getattr(c, "__name__", "?"))[:100] for c in type(exc).__mro__]]
    try:
        return ["ok", encode(value)]
    except TooLarge:
        return ["too_large"]
    except Exception:
        return ["object", "unencodable"]


def run_calls(modules, calls, call_seconds=None):
    """The outcome of every call, in order; ``modules`` maps a name to a module (or to the
    outcome its import had). A function that timed out is not called again."""
    outcomes = []
    timed_out = set()
    for module_name, function_name, args, kwargs in calls:
        module = modules.get(module_name)
        if isinstance(module, list):
            outcomes.append(module)
            continue
        function = getattr(module, function_name, None) if module is not None else None
        if not callable(function):
            outcomes.append(["missing"])
            continue
        key = (module_name, function_name)
        if key in timed_out:
            outcomes.append(["timeout"])
            continue
        if call_seconds is None:
            outcomes.append(outcome(function, args, kwargs))
            continue
        try:
            signal.setitimer(signal.ITIMER_REAL, call_seconds)
            try:
                outcomes.append(outcome(function, args, kwargs))
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except CallTimeout:
            timed_out.add(key)
            outcomes.append(["timeout"])
    return outcomes


def same(expected, got, tolerance=1e-9):
    """Whether an outcome matches the reference's: numbers by value within ``tolerance``
    (an int and a float alike), an exception by its class or a subclass, the rest exactly."""
    try:
        if not isinstance(got, list) or not got:
            return False
        if expected[0] == "raise":
            return got[0] == "raise" and isinstance(got[1], list) and expected[1][0] in got[1]
        if expected[0] != "ok" or got[0] != "ok" or len(got) != 2:
            return expected == got
        return _same_value(expected[1], got[1], tolerance)
    except (RecursionError, TypeError, ValueError, IndexError):  # a malformed record
        return False


def _same_value(expected, got, tolerance):
    if not isinstance(got, list) or not got:
        return False
    numbers = ("int", "float")
    if expected[0] in numbers and got[0] in numbers and len(got) == 2:
        try:
            a, b = float(expected[1]), float(got[1])
        except (TypeError, ValueError, OverflowError):
            return False
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=tolerance)
    if expected[0] != got[0]:
        return False
    if expected[0] in ("list", "tuple"):
        return (
            len(got) == 2
            and isinstance(got[1], list)
            and len(got[1]) == len(expected[1])
            and all(_same_value(e, g, tolerance) for e, g in zip(expected[1], got[1], strict=True))
        )
    if expected[0] == "dict":
        if len(got) != 2 or not isinstance(got[1], list) or len(got[1]) != len(expected[1]):
            return False
        keys = {json.dumps(k, sort_keys=True): v for k, v in expected[1]}
        try:
            found = {json.dumps(k, sort_keys=True): v for k, v in got[1]}
        except (TypeError, ValueError):
            return False
        return found.keys() == keys.keys() and all(
            _same_value(keys[k], found[k], tolerance) for k in keys
        )
    return expected == got


def _alarm(signum, frame):
    raise CallTimeout


def main():
    config = json.loads(sys.argv[1])
    # Everything the record needs is set up before any code under test runs.
    out = os.open(config["output"], os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    nonce = config["nonce"]
    package = config["package"]
    calls = [
        (str(m), str(f), decode(a), {str(k): decode(v) for k, v in kw.items()})
        for m, f, a, kw in config["calls"]
    ]
    seconds = float(config["call_seconds"])
    signal.signal(signal.SIGALRM, _alarm)
    root = os.getcwd()
    sys.path[:] = [root] + [p for p in sys.path if p not in ("", root)]
    modules = {}
    for name in config["modules"]:
        try:
            modules[name] = importlib.import_module(f"{package}.{name}")
        except BaseException as exc:
            modules[name] = ["import_error", str(getattr(type(exc), "__name__", "?"))[:100]]
    record = json.dumps(run_calls(modules, calls, seconds))
    data = f"{nonce}\n{record}\n{nonce}\n".encode()
    while data:
        data = data[os.write(out, data) :]
    os.close(out)
    os._exit(0)


if __name__ == "__main__":
    main()
