"""How the Codebase oracle repairs a bug it has located: small edits, tried in the sandbox.

An engineer who knows what kind of bug to look for (the task family names it) and which
function misbehaves tries the few small changes that kind of bug calls for: flip a comparison,
move a bound by one, restore a default from a module constant, swap two arguments, add a None
guard, catch or raise another exception, use the variable that was computed, read another key.
:func:`candidates` lists those edits of a function's source, as read; :func:`search_script`
is the Python the oracle runs with ``code_run_python`` to try them all against the
reproduction and the visible tests, keeping the first that passes; :func:`tests_script` runs
the visible tests by hand to find which fails and what it calls. Nothing here knows the
planted bug: every edit is derived from the text the oracle read.
"""

from __future__ import annotations

import ast
import io
import json
import re
import tokenize
from collections.abc import Callable, Iterator, Sequence

__all__ = [
    "MARK",
    "Edit",
    "apply",
    "called_names",
    "candidates",
    "changed_lines",
    "function_span",
    "result_of",
    "search_script",
    "tests_script",
]

Edit = tuple[int, int, str]
"""Replace ``text[start:end]`` of a function's source with a new piece of text."""

MARK = "REPAIR-RESULT "
_FLIP_STRICT = {"<": "<=", "<=": "<", ">": ">=", ">=": ">"}
_FLIP_DIRECTION = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "!=", "!=": "=="}
_ARITHMETIC = {"+": "-", "-": "+", "*": "/", "/": "*", "//": "/"}
_ARITHMETIC |= {f"{op}=": f"{new}=" for op, new in _ARITHMETIC.items()}
_EXCEPTIONS = (
    *("ValueError", "TypeError", "KeyError", "IndexError", "ZeroDivisionError"),
    *("AttributeError", "LookupError", "ArithmeticError", "RuntimeError", "Exception"),
)
_SEPARATORS = ("-", "_", " ", ",", ".", "/", ":", "|", "")
_EMPTY_RESULTS = ("0", "None", "0.0", '""', "[]", "{}", "False")
_CONSTANT = re.compile(r"^[A-Z][A-Z0-9_]*$")


def function_span(source: str, name: str) -> tuple[int, int] | None:
    """Where the module-level function ``name`` is in ``source`` (from ``def`` to the end of
    its last line), or ``None`` if the module defines no such function."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    starts = _line_starts(source)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
            end = starts[node.end_lineno] if node.end_lineno < len(starts) else len(source)
            return starts[first - 1], end
    return None


def called_names(code: str) -> list[str]:
    """Names of the plain functions ``code`` calls, in order of first call."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
    calls.sort(key=lambda n: (n.lineno, n.col_offset))
    return list(dict.fromkeys(n.func.id for n in calls))  # type: ignore[attr-defined]


def apply(text: str, edit: Edit) -> str:
    start, end, new = edit
    return text[:start] + new + text[end:]


def changed_lines(module: str, span: tuple[int, int], edit: Edit) -> tuple[str, str]:
    """The old and new text of the whole lines an edit of a module's function touches, grown
    to the whole function if those lines are not unique in the module (for ``code_edit``)."""
    start, end = span
    function = module[start:end]
    fixed = apply(function, edit)
    first = function.rfind("\n", 0, edit[0]) + 1
    last = function.find("\n", edit[1])
    last = len(function) if last < 0 else last + 1
    tail = len(function) - last
    old, new = function[first:last], fixed[first : len(fixed) - tail]
    if module.count(old) != 1:
        old, new = function, fixed
    return old, new


def candidates(kind: str, function: str, module: str) -> list[Edit]:
    """Small edits of ``function`` (its source, as read from ``module``) that could fix a bug
    of ``kind``, most likely first; each parses, and no two give the same text."""
    try:
        tree = ast.parse(function)
    except SyntaxError:
        return []
    defs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    if not defs:
        return []
    context = _Context(function, defs[0], module)
    out: list[Edit] = []
    seen = {function}
    for operator in OPERATORS[kind]:
        for edit in operator(context):
            text = apply(function, edit)
            if text in seen:
                continue
            seen.add(text)
            try:
                ast.parse(text)
            except SyntaxError:
                continue
            out.append(edit)
    return out


class _Context:
    """A function's source and tree, with offsets, and what its module defines."""

    def __init__(self, text: str, node: ast.FunctionDef, module: str) -> None:
        self.text = text
        self.node = node
        self._starts = _line_starts(text)
        self.docstring = ast.get_docstring(node) or ""
        self.constants = _module_constants(module)
        self.keys = _string_keys(module)

    def offset(self, line: int, col: int) -> int:
        """The text offset of an ast position (columns count UTF-8 bytes)."""
        start = self._starts[line - 1]
        row = self.text[start : self._starts[line] if line < len(self._starts) else None]
        return start + len(row.encode("utf-8")[:col].decode("utf-8", "ignore"))

    def span(self, node: ast.AST) -> tuple[int, int]:
        return (
            self.offset(node.lineno, node.col_offset),  # type: ignore[attr-defined]
            self.offset(node.end_lineno, node.end_col_offset),  # type: ignore[attr-defined]
        )

    def segment(self, node: ast.AST) -> str:
        start, end = self.span(node)
        return self.text[start:end]

    def nodes(self) -> Iterator[ast.AST]:
        """The body's nodes in source order (the docstring left out)."""
        body = self.node.body
        if self.docstring and body and isinstance(body[0], ast.Expr):
            body = body[1:]
        found = [n for stmt in body for n in ast.walk(stmt) if hasattr(n, "lineno")]
        found.sort(key=lambda n: (n.lineno, n.col_offset))  # type: ignore[attr-defined]
        return iter(found)

    def tokens(self) -> list[tokenize.TokenInfo]:
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(self.text).readline))
        except (tokenize.TokenError, SyntaxError):
            return []
        body_line = self.node.body[0].lineno
        return [t for t in tokens if t.start[0] >= body_line]

    def token_offset(self, position: tuple[int, int]) -> int:
        return self._starts[position[0] - 1] + position[1]  # tokenize columns count characters


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def _module_constants(module: str) -> dict[str, object]:
    """UPPER_CASE names the module assigns a literal to, in order, with their values."""
    try:
        tree = ast.parse(module)
    except SyntaxError:
        return {}
    out: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and _CONSTANT.match(target.id):
                try:
                    out[target.id] = ast.literal_eval(node.value)
                except ValueError:
                    continue
    return out


def _string_keys(module: str) -> list[str]:
    """Strings the module uses as keys: in dict displays, subscripts and ``.get`` calls."""
    try:
        tree = ast.parse(module)
    except SyntaxError:
        return []
    keys: list[str] = []
    for node in ast.walk(tree):
        found: list[ast.AST] = []
        if isinstance(node, ast.Dict):
            found = [k for k in node.keys if k is not None]
        elif isinstance(node, ast.Subscript):
            found = [node.slice]
        elif _is_get(node):
            found = [node.args[0]]  # type: ignore[attr-defined]
        keys += [k.value for k in found if isinstance(k, ast.Constant) and isinstance(k.value, str)]
    return list(dict.fromkeys(keys))


def _is_get(node: ast.AST) -> bool:
    """A ``something.get(key, ...)`` call."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and bool(node.args)
    )


# ------------------------------------------------------------------ operators
def _operators(table: dict[str, str]) -> Callable[[_Context], Iterator[Edit]]:
    def edits(ctx: _Context) -> Iterator[Edit]:
        for token in ctx.tokens():
            if token.type == tokenize.OP and token.string in table:
                start = ctx.token_offset(token.start)
                yield start, ctx.token_offset(token.end), table[token.string]

    return edits


def _bounds(ctx: _Context) -> Iterator[Edit]:
    """``x - 1`` or ``x + 1`` as ``x``; then a bound (a ``len()``, a range argument, a slice
    end, a compared value) moved by one."""
    nodes = list(ctx.nodes())
    for node in nodes:
        if (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, (ast.Add, ast.Sub))
            and isinstance(node.right, ast.Constant)
            and node.right.value == 1
        ):
            start, end = ctx.span(node)
            yield start, end, ctx.segment(node.left)
    bounds: list[ast.AST] = []
    for node in nodes:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "range":
                bounds += node.args
            elif node.func.id == "len":
                bounds.append(node)
        elif isinstance(node, ast.Slice):
            bounds += [part for part in (node.lower, node.upper) if part is not None]
        elif isinstance(node, ast.Compare):
            bounds += node.comparators
    unique = {id(n): n for n in bounds}  # one node may be two kinds of bound
    for node in sorted(unique.values(), key=ctx.span):
        start, end = ctx.span(node)
        text = ctx.segment(node)
        if not text.isidentifier() and not text.endswith(")"):
            text = f"({text})"
        for shift in (" + 1", " - 1"):
            yield start, end, text + shift


def _defaults(ctx: _Context) -> Iterator[Edit]:
    """A parameter's default replaced by a module constant (those the docstring names first)
    of the same type, or, for text, by a common separator."""
    arguments = ctx.node.args
    defaults = [d for d in (*arguments.defaults, *arguments.kw_defaults) if d is not None]
    named = sorted(ctx.constants, key=lambda name: name not in ctx.docstring)
    for default in defaults:
        start, end = ctx.span(default)
        value = default.value if isinstance(default, ast.Constant) else None
        for name in named:
            constant = ctx.constants[name]
            if value is None or type(constant) is type(value):
                yield start, end, name
        if isinstance(value, str):
            quote = ctx.segment(default)[0]
            for sep in _SEPARATORS:
                yield start, end, f"{quote}{sep}{quote}"


def _swaps(ctx: _Context) -> Iterator[Edit]:
    """Two positional arguments of a call swapped."""
    for node in ctx.nodes():
        if not isinstance(node, ast.Call):
            continue
        args = [a for a in node.args if not isinstance(a, ast.Starred)]
        for i in range(len(args)):
            for j in range(i + 1, len(args)):
                first, second = ctx.span(args[i]), ctx.span(args[j])
                between = ctx.text[first[1] : second[0]]
                swapped = ctx.segment(args[j]) + between + ctx.segment(args[i])
                yield first[0], second[1], swapped


def _none_guards(ctx: _Context) -> Iterator[Edit]:
    """After ``x = call(...)``, return early when ``x`` is None; then a comprehension that
    skips None items."""
    for node in ctx.nodes():
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Call)
        ):
            indent = " " * node.col_offset
            end = ctx.offset(node.end_lineno, node.end_col_offset)  # type: ignore[arg-type]
            line_end = ctx.text.find("\n", end) + 1 or len(ctx.text)
            name = node.targets[0].id
            for value in _EMPTY_RESULTS:
                guard = f"{indent}if {name} is None:\n{indent}    return {value}\n"
                yield line_end, line_end, guard
    for node in ctx.nodes():
        if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
            generator = node.generators[0]
            target = generator.target
            if len(node.generators) == 1 and not generator.ifs and isinstance(target, ast.Name):
                end = ctx.span(generator.iter)[1]
                yield end, end, f" if {target.id} is not None"


def _exceptions(ctx: _Context) -> Iterator[Edit]:
    """The exception a ``raise`` raises or an ``except`` catches, as another builtin one."""
    for node in ctx.nodes():
        target = None
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            target = node.exc.func
        elif isinstance(node, ast.ExceptHandler):
            target = node.type
        if isinstance(target, ast.Name):
            start, end = ctx.span(target)
            for name in _EXCEPTIONS:
                yield start, end, name


def _locals(ctx: _Context) -> tuple[list[str], list[ast.Name]]:
    """Local names in order of first binding (parameters first), and every name read."""
    arguments = ctx.node.args
    bound = [a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)]
    loads: list[ast.Name] = []
    for node in ctx.nodes():
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Store) and node.id not in bound:
                bound.append(node.id)
            elif isinstance(node.ctx, ast.Load):
                loads.append(node)
    return bound, loads


def _unused_values(ctx: _Context) -> Iterator[Edit]:
    """A value computed but never used: a later read of another local name reads it instead."""
    bound, loads = _locals(ctx)
    read = {n.id for n in loads}
    for node in ctx.nodes():
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id not in read:
            for load in loads:
                if load.id in bound and load.id != node.id and load.lineno > node.lineno:
                    start, end = ctx.span(load)
                    yield start, end, node.id


def _partners(ctx: _Context) -> Iterator[Edit]:
    """``a = x`` where ``a`` was set up together with ``b`` (``a, b = ...``): update ``b``
    too, with a value it is compared with first."""
    bound, _ = _locals(ctx)
    pairs: dict[str, list[str]] = {}
    compared: dict[str, list[str]] = {}
    for node in ctx.nodes():
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Tuple):
            names = [e.id for e in node.targets[0].elts if isinstance(e, ast.Name)]
            for name in names:
                pairs.setdefault(name, []).extend(n for n in names if n != name)
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            names = [s.id for s in sides if isinstance(s, ast.Name)]
            for name in names:
                compared.setdefault(name, []).extend(n for n in names if n != name)
    for node in ctx.nodes():
        if not (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id in pairs
        ):
            continue
        name = node.targets[0].id
        start, end = ctx.span(node)
        for partner in pairs[name]:
            values = sorted(bound, key=lambda v: v not in compared.get(partner, []))
            for value in values:
                if value not in (name, partner):
                    new = f"{name}, {partner} = {ctx.segment(node.value)}, {value}"
                    yield start, end, new


def _names(ctx: _Context) -> Iterator[Edit]:
    """Any read of a local name as another local name bound before it."""
    bound, loads = _locals(ctx)
    for load in loads:
        if load.id not in bound:
            continue
        start, end = ctx.span(load)
        for name in bound:
            if name != load.id:
                yield start, end, name


def _keys(ctx: _Context) -> Iterator[Edit]:
    """A string key (subscript or ``.get``) replaced by another key the docstring quotes or
    the module uses."""
    quoted = re.findall(r"'([A-Za-z_]\w*)'", ctx.docstring)
    keys = list(dict.fromkeys([*quoted, *ctx.keys]))
    for node in ctx.nodes():
        key = None
        if isinstance(node, ast.Subscript):
            key = node.slice
        elif _is_get(node):
            key = node.args[0]  # type: ignore[attr-defined]
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            start, end = ctx.span(key)
            quote = ctx.segment(key)[0]
            for other in keys:
                yield start, end, f"{quote}{other}{quote}"


OPERATORS: dict[str, tuple[Callable[[_Context], Iterator[Edit]], ...]] = {
    "off_by_one": (_operators(_FLIP_STRICT), _bounds),
    "wrong_operator": (
        _operators(_FLIP_STRICT),
        _operators(_FLIP_DIRECTION),
        _operators(_ARITHMETIC),
    ),
    "wrong_default": (_defaults,),
    "swapped_arguments": (_swaps,),
    "missing_none_check": (_none_guards,),
    "wrong_exception": (_exceptions,),
    "stale_variable": (_unused_values, _partners, _names),
    "wrong_key": (_keys,),
}


# -------------------------------------------------------------------- scripts
_RUNNER = """
import importlib, json, sys, types

_CODE = {}

def _run_file(path, failures, only=None):
    namespace = {"__name__": path[:-3].replace("/", ".")}
    if path not in _CODE:
        with open(path, encoding="utf-8") as handle:
            _CODE[path] = compile(handle.read(), path, "exec")
    exec(_CODE[path], namespace)
    for name, test in list(namespace.items()):
        if name.startswith("test_") and callable(test) and (only is None or name in only):
            try:
                test()
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # pytest.fail() raises a BaseException
                names = test.__code__.co_names
                owners = {n: str(getattr(namespace.get(n), "__module__", "")) for n in names}
                calls = [n for n, owner in owners.items() if owner.startswith(PACKAGE + ".")]
                failures.append({"test": path + "::" + name, "calls": calls,
                                 "error": (type(exc).__name__ + ": " + str(exc))[:300]})
"""

_SEARCH = """
def _attempt(source):
    failures = []
    saved = sys.modules.get(MODULE)
    package = importlib.import_module(PACKAGE)
    leaf = MODULE.rsplit(".", 1)[1]
    had = getattr(package, leaf, None)
    module = types.ModuleType(MODULE)
    module.__file__ = PATH
    try:
        exec(compile(source, PATH, "exec"), module.__dict__)
        sys.modules[MODULE] = module
        setattr(package, leaf, module)
        # The problem first (most candidates fail it, at the cost of one call), then the rest.
        if REPRODUCTION is not None:
            try:
                exec(_REPRODUCTION, dict(module.__dict__))
            except KeyboardInterrupt:
                raise
            except BaseException as exc:
                failures.append({"test": "reproduction", "calls": [],
                                 "error": (type(exc).__name__ + ": " + str(exc))[:300]})
        for path, names in _FAILING.items():
            _run_file(path, failures, names)
        if not failures:
            for path in _RELATED:
                _run_file(path, failures)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        failures.append({"test": "import", "calls": [], "error": type(exc).__name__})
    finally:
        if saved is None:
            sys.modules.pop(MODULE, None)
        else:
            sys.modules[MODULE] = saved
        if had is None:
            if hasattr(package, leaf):
                delattr(package, leaf)
        else:
            setattr(package, leaf, had)
    return failures

def _imports(path):
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    return "from " + MODULE + " import" in text or "import " + MODULE in text

_RELATED = [path for path in TESTS if _imports(path)] or TESTS
_REPRODUCTION = compile(REPRODUCTION or "", "<reproduction>", "exec")
_FAILING = {}
for _test in FAILING:
    _path, _, _name = _test.partition("::")
    _FAILING.setdefault(_path, set()).add(_name)
_head, _tail = SOURCE[:START], SOURCE[END:]
_function = SOURCE[START:END]
_before = _attempt(SOURCE)
_fix = None
for _index, (_start, _end, _new) in enumerate(EDITS):
    if not _attempt(_head + _function[:_start] + _new + _function[_end:] + _tail):
        _fix = _index
        break
print(MARK + json.dumps({"before": _before, "fix": _fix, "tried": len(EDITS)}))
"""


def _constants(**values: object) -> str:
    return "".join(f"{name} = {value!r}\n" for name, value in values.items())


def tests_script(package: str, tests: list[str]) -> str:
    """Python that runs the visible test functions by hand and prints the failures (test,
    error, and the package's functions each calls) after :data:`MARK`."""
    head = _constants(PACKAGE=package, TESTS=tests, MARK=MARK)
    body = "_failures = []\nfor _path in TESTS:\n    _run_file(_path, _failures)\n"
    return head + _RUNNER + body + "print(MARK + json.dumps(_failures))\n"


def search_script(
    package: str,
    path: str,
    source: str,
    span: tuple[int, int],
    edits: list[Edit],
    tests: list[str],
    reproduction: str | None,
    failing: Sequence[str] = (),
) -> str:
    """Python that tries each edit of the function at ``span`` of the module ``source`` (at
    ``path``) without touching the file: the ``reproduction`` (or the ``failing`` tests, as
    ``path::name``) and then every test of the files that import the module must pass. It
    prints, after :data:`MARK`, the failures before any edit and the first edit that passes
    (``fix``, an index, or ``None``)."""
    module = path[: -len(".py")].replace("/", ".")
    head = _constants(
        PACKAGE=package,
        MODULE=module,
        PATH=path,
        SOURCE=source,
        START=span[0],
        END=span[1],
        EDITS=[list(e) for e in edits],
        TESTS=tests,
        REPRODUCTION=reproduction,
        FAILING=list(failing),
        MARK=MARK,
    )
    return head + _RUNNER + _SEARCH


def result_of(stdout: str) -> object:
    """What a script printed after :data:`MARK` (the last such line), or ``None``."""
    lines = [line for line in str(stdout).splitlines() if line.startswith(MARK)]
    if not lines:
        return None
    try:
        return json.loads(lines[-1][len(MARK) :])
    except ValueError:
        return None
