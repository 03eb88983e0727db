"""``toolgym/Codebase-v0``: find and fix a bug in a small Python project.

Each episode generates a package (a few modules of tested functions from
:mod:`toolgym.envs.bugs`, with constants and names drawn from the seed) and plants one bug.
There is one task family per bug kind. Easy tasks ship a failing test; medium ones report the
bug against the function that has it; hard ones only describe what users see, in a larger
project.

The verdict cannot be written by the code it judges (see ``docs/codebase.md``): every function
of the project is called in a fresh checker sandbox on hidden inputs drawn from the episode's
seed, and the outcomes are compared here, outside it, with what the correct source does.
``fixed`` holds when the bugged function matches the reference on all of them,
``no_regressions`` when every other function does. No check asks pytest, whose verdict comes
from a process the package runs in, and none is met by the shipped tests' own calls.

The oracle's plan fixes the bug as an engineer would, from what it reads: it lists and reads
the package, finds the failing test by running the tests by hand (easy) or runs the
reproduction a report implies (medium, hard), and tries small edits of the kind of bug the
family names (:mod:`toolgym.envs.repairs`) in ``code_run_python`` until one passes.
"""

from __future__ import annotations

import re
import types
from dataclasses import dataclass
from string import Template
from typing import Any

import numpy as np

from toolgym.core.task import Answer, Task, World, call
from toolgym.envs import repairs
from toolgym.envs.bugs import BUG_KINDS, CATALOGUE, MODULE_DOCS, Function
from toolgym.envs.common import Suite, make_task, pick, policy_prompt
from toolgym.sandbox import harness
from toolgym.toolkits.codebase import CallReport, CodebaseToolkit

__all__ = [
    "SUITE",
    "Project",
    "build_project",
    "build_task",
    "hidden_calls",
    "reference_outcomes",
    "verdict",
]

SUITE = Suite("codebase", lambda seed, size: [CodebaseToolkit()])

PACKAGES = ("shopkit", "ledgerly", "stockroom", "tinycart", "depotlib", "tallyho", "backoffice")
MODULES = tuple(MODULE_DOCS)

SYSTEM_PROMPT = policy_prompt(
    "You are a software engineer fixing a bug in a small Python project. Tools: code_list, "
    "code_read, code_grep, code_edit (exact text replacement), code_write, run_tests (pytest) "
    "and code_run_python (an interpreter started in the project root).",
    [
        "Find the cause before changing anything: read the code, reproduce the problem.",
        "Fix the bug in the package's code with a small, focused change.",
        "Do not change or delete tests to make them pass; all existing tests must still pass.",
        "Run the tests after your change.",
    ],
    "When the bug is fixed and the tests pass, reply with a short summary of the fix. Do not "
    "call tools in that final reply.",
)


@dataclass(frozen=True)
class Project:
    """A generated project with one bug planted, and what judging a fix needs: the correct
    source of every module (``reference``) and the constants its hidden inputs build on."""

    package: str
    files: dict[str, bytes]
    function: Function
    module_path: str
    modules: tuple[str, ...]
    reference: dict[str, str]
    constants: dict[str, Any]
    issue: str
    symptom: str
    reproduction: str


def _constants(rng: np.random.Generator, package: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The project's constants, and the template fill derived from them."""
    tax = pick(rng, (0.07, 0.08, 0.19, 0.2, 0.25))
    bad_tax = round(tax / 10, 4)
    bulk_min = pick(rng, (5, 10, 12, 20, 25))
    bulk_rate = pick(rng, (0.1, 0.15, 0.2, 0.25))
    max_score = pick(rng, (5, 10, 100))
    page_size = pick(rng, (10, 20, 25, 50))
    max_pages = pick(rng, (3, 5, 8))

    def bulk(quantity: int) -> float:
        total = 1.0 * quantity
        total *= 1 - bulk_rate
        return round(total, 2)

    values = {
        "tax": tax,
        "bulk_min": bulk_min,
        "bulk_rate": bulk_rate,
        "max_score": max_score,
        "page_size": page_size,
        "max_pages": max_pages,
    }
    fill = {
        "pkg": package,
        "tax": repr(tax),
        "bad_tax": repr(bad_tax),
        "tax_pct": f"{tax * 100:g}",
        "taxed": repr(round(100.0 * (1 + tax), 2)),
        "bad_taxed": repr(round(100.0 * (1 + bad_tax), 2)),
        "bulk_min": str(bulk_min),
        "bulk_min_next": str(bulk_min + 1),
        "bulk_rate": repr(bulk_rate),
        "bulk_big": str(bulk_min * 3),
        "bulk_big_total": repr(bulk(bulk_min * 3)),
        "bulk_edge_total": repr(bulk(bulk_min)),
        "bulk_min_plain": repr(round(1.0 * bulk_min, 2)),
        "max_score": str(max_score),
        "half_score": str(max_score // 2),
        "over_score": str(max_score * 2),
        "page_size": str(page_size),
        "max_pages": str(max_pages),
    }
    return values, fill


def _names(source: str) -> list[str]:
    return re.findall(r"^def (\w+)", source, flags=re.MULTILINE)


def _test_module(package: str, module: str, tests: list[str], fill: dict[str, str]) -> bytes:
    body = "\n".join(Template(t).substitute(fill).strip("\n") + "\n\n" for t in tests)
    names = sorted({n for f in CATALOGUE if f.module == module for n in _names(f.source)})
    used = [n for n in names if re.search(rf"\b{n}\(", body)]
    head = "import pytest\n\n" if "pytest." in body else ""
    head += f"from {package}.{module} import {', '.join(used)}\n\n\n"
    return (head + body.rstrip("\n") + "\n").encode()


def build_project(
    rng: np.random.Generator, kind: str, difficulty: str, function: str | None = None
) -> Project:
    """A project of 2 (easy), 3 (medium) or 4 (hard) modules with a ``kind`` bug planted
    (in ``function`` if given, else in a function drawn from the catalogue)."""
    candidates = [f for f in CATALOGUE if f.bug.kind == kind]
    if function is not None:
        candidates = [f for f in candidates if f.name == function]
    if not candidates:
        raise ValueError(
            f"no {kind!r} bug in the catalogue{f' for {function!r}' if function else ''}; "
            f"kinds are {BUG_KINDS}"
        )
    package = pick(rng, PACKAGES)
    values, fill = _constants(rng, package)
    target = pick(rng, candidates)
    others = [m for m in MODULES if m != target.module]
    count = {"easy": 1, "medium": 2, "hard": 3}[difficulty]
    chosen = {target.module, *(others[int(i)] for i in rng.permutation(len(others))[:count])}
    modules = [m for m in MODULES if m in chosen]

    files: dict[str, bytes] = {}
    reference: dict[str, str] = {}
    module_path = f"{package}/{target.module}.py"
    bug = target.bug
    buggy = Template(bug.buggy).substitute(fill)
    correct = Template(bug.correct).substitute(fill)
    for module in modules:
        functions = [f for f in CATALOGUE if f.module == module]
        functions = [functions[int(i)] for i in rng.permutation(len(functions))]
        source = "\n".join(
            Template(f.source).substitute(fill).strip("\n") + "\n\n" for f in functions
        )
        text = f'"""{MODULE_DOCS[module]}"""\n\nfrom __future__ import annotations\n\n\n'
        text += source.rstrip("\n").replace("\n\n\n\n", "\n\n\n") + "\n"
        reference[module] = text
        if module == target.module:
            if text.count(correct) != 1:
                raise RuntimeError(f"bug fragment {correct!r} is not unique in {module_path}")
            text = text.replace(correct, buggy)
            if text.count(buggy) != 1:
                raise RuntimeError(f"planted fragment {buggy!r} is not unique in {module_path}")
        files[f"{package}/{module}.py"] = text.encode()
        visible = [f.visible for f in functions]
        if module == target.module and difficulty == "easy":
            visible.append(bug.test)
        files[f"tests/test_{module}.py"] = _test_module(package, module, visible, fill)
    listing = "\n".join(f"- `{package}/{m}.py`: {MODULE_DOCS[m]}" for m in modules)
    files[f"{package}/__init__.py"] = (
        f'"""{package}: back-office helpers for a small shop."""\n'.encode()
    )
    files["README.md"] = (
        f"# {package}\n\nBack-office helpers for a small shop.\n\n{listing}\n\n"
        "Run the tests with `python -m pytest`.\n"
    ).encode()
    files["pyproject.toml"] = (
        f'[project]\nname = "{package}"\nversion = "0.3.1"\nrequires-python = ">=3.10"\n\n'
        '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n'
    ).encode()
    return Project(
        package,
        dict(sorted(files.items())),
        target,
        module_path,
        tuple(modules),
        reference,
        values,
        Template(bug.issue).substitute(fill),
        Template(bug.symptom).substitute(fill),
        Template(bug.reproduction).substitute(fill),
    )


def hidden_calls(project: Project, seed: int) -> list[list[Any]]:
    """The calls a fix is judged on, ``[module, function, args, kwargs]`` each: every function
    of every module of the project, on inputs drawn from ``seed`` (never shown to the agent)."""
    calls: list[list[Any]] = []
    for module in project.modules:
        for index, entry in enumerate(f for f in CATALOGUE if f.module == module):
            rng = np.random.default_rng([seed, MODULES.index(module), index])
            for name, inputs in entry.inputs(rng, project.constants).items():
                calls += [[module, name, list(args), dict(kwargs)] for args, kwargs in inputs]
    return calls


def reference_outcomes(project: Project, calls: list[list[Any]]) -> list[Any]:
    """What the correct code does on ``calls``, computed here, outside any sandbox: the
    reference is our own generated source, not the agent's."""
    modules: dict[str, Any] = {}
    for name, source in project.reference.items():
        module = types.ModuleType(f"{project.package}.{name}")
        exec(compile(source, f"{project.package}/{name}.py", "exec"), module.__dict__)
        modules[name] = module
    decoded = [
        (m, f, harness.decode(a), {k: harness.decode(v) for k, v in kw.items()})
        for m, f, a, kw in calls
    ]
    return harness.run_calls(modules, decoded)


def verdict(project: Project, calls: list[list[Any]], report: CallReport) -> dict[str, bool]:
    """``fixed``: the bugged function does what the reference does on every hidden call;
    ``no_regressions``: so does every other function. No complete record fails both."""
    if report.error is not None or len(report.outcomes) != len(calls):
        return {"fixed": False, "no_regressions": False}
    tolerance = {n: f.tolerance for f in CATALOGUE for n in _names(f.source)}
    expected = reference_outcomes(project, calls)
    good = {"fixed": True, "no_regressions": True}
    for (_, name, _, _), want, got in zip(calls, expected, report.outcomes, strict=True):
        if not harness.same(want, got, tolerance.get(name, 1e-9)):
            good["fixed" if name == project.function.name else "no_regressions"] = False
    return good


def build_task(
    code: CodebaseToolkit,
    rng: np.random.Generator,
    kind: str,
    difficulty: str,
    function: str | None = None,
) -> Task:
    """The task of fixing a ``kind`` bug (in ``function`` if given), its project loaded."""
    project = build_project(rng, kind, difficulty, function)
    seed = int(rng.integers(2**63 - 1))
    code.load(project.files)
    package = project.package
    if difficulty == "easy":
        prompt = (
            f"The test suite of our `{package}` package has a failing test. Please find the bug "
            "it reveals and fix it in the code."
        )
    elif difficulty == "medium":
        prompt = f"Bug report for `{package}`: {project.issue} Please fix it."
    else:
        prompt = (
            f"Users of our `{package}` package report a problem: {project.symptom} Please fix it."
        )
    reproduction = None if difficulty == "easy" else project.reproduction

    def plan():
        listing = yield call("code_list", "See what the project holds.")
        files = [e["path"] for e in listing["entries"] if e["type"] == "file"]
        modules = [
            p
            for p in files
            if p.startswith(f"{package}/") and p.endswith(".py") and not p.endswith("/__init__.py")
        ]
        tests = [p for p in files if p.startswith("tests/") and p.endswith(".py")]
        sources: dict[str, str] = {}
        for path in modules:
            read = yield call("code_read", f"Read {path}.", path=path)
            sources[path] = _TRAILING.sub("", str(read["content"]))
        if reproduction is None:
            ran = yield call(
                "code_run_python",
                "Run the tests by hand to see which one fails and what it calls.",
                code=repairs.tests_script(package, tests),
            )
            failures = repairs.result_of(ran["stdout"]) or []
            suspects = [name for failure in failures for name in failure["calls"]]
            failing = [str(failure["test"]) for failure in failures]
        else:
            suspects, failing = repairs.called_names(reproduction), []
        name, path, span = _locate(suspects, sources)
        source = sources[path]
        edits = repairs.candidates(kind, source[span[0] : span[1]], source)
        found = yield call(
            "code_run_python",
            f"Reproduce the problem in {name}, then try {len(edits)} small fixes of a "
            f"{kind.replace('_', ' ')} against it and the tests.",
            code=repairs.search_script(
                package, path, source, span, edits, tests, reproduction, failing
            ),
        )
        result = repairs.result_of(found["stdout"])
        if not isinstance(result, dict) or result.get("fix") is None:
            raise RuntimeError(f"no small edit of {name} fixes the problem")
        old, new = repairs.changed_lines(source, span, edits[int(result["fix"])])
        yield call("code_edit", f"Apply the fix to {name}.", path=path, old=old, new=new)
        report = yield call("run_tests", "Check that every test passes now.")
        return Answer(
            f"Fixed the {kind.replace('_', ' ')} in {name} ({path}): replaced "
            f"`{old.strip()}` with `{new.strip()}`; tests: {report['summary']}."
        )

    calls: list[list[Any]] = []

    def judge(world: World, answer: str | None) -> dict[str, bool]:
        if not calls:
            calls.extend(hidden_calls(project, seed))
        report = code.call_functions(package, project.modules, calls)
        return verdict(project, calls, report)

    name = project.function.name
    literals = (package, name, project.module_path) if difficulty == "medium" else (package,)
    return make_task(
        SYSTEM_PROMPT,
        prompt,
        plan,
        literals=literals,
        facts={"function": name, "file": project.module_path},
        extra_check=judge,
    )


# A rendering of a result may pad its lines (what was read is a listing, not the file); white
# space at the end of a line of Python means nothing, and the generated code has none.
_TRAILING = re.compile(r"[ \t]+$", flags=re.MULTILINE)


def _locate(suspects: list[str], sources: dict[str, str]) -> tuple[str, str, tuple[int, int]]:
    """The first suspected function some module read defines: its name, the module's path,
    and where the function is in the module's text."""
    for name in suspects:
        for path, source in sources.items():
            span = repairs.function_span(source, name)
            if span is not None:
                return name, path, span
    raise RuntimeError(f"none of {suspects} is defined in {sorted(sources)}")


def _family(kind: str):
    def make(code: CodebaseToolkit, rng: np.random.Generator, difficulty: str) -> Task:
        return build_task(code, rng, kind, difficulty)

    make.__name__ = kind
    make.__doc__ = f"Fix a {kind.replace('_', ' ')} bug."
    return make


for _kind in BUG_KINDS:
    SUITE.family("codebase")(_family(_kind))
