"""``toolgym/Codebase-v0``: find and fix a bug in a small Python project.

Each episode generates a package (a few modules of tested functions from
:mod:`toolgym.envs.bugs`, with constants and names drawn from the seed) and plants one bug.
There is one task family per bug kind. Easy tasks ship a failing test; medium ones report the
bug against the function that has it; hard ones only describe what users see, in a larger
project. Success means the hidden tests pass and the visible ones still do, run in a separate
sandbox against pristine copies of the tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from string import Template

import numpy as np

from toolgym.core.task import Answer, Task, World, call
from toolgym.envs.bugs import BUG_KINDS, CATALOGUE, MODULE_DOCS, Function
from toolgym.envs.common import Suite, make_task, pick, policy_prompt
from toolgym.toolkits.codebase import CodebaseToolkit

__all__ = ["SUITE", "Project", "build_project"]

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
    """A generated project with one bug planted, and what judging a fix needs."""

    package: str
    files: dict[str, bytes]
    hidden: dict[str, bytes]
    function: Function
    module_path: str
    buggy: str
    correct: str
    issue: str
    symptom: str


def _constants(rng: np.random.Generator, package: str) -> dict[str, str]:
    tax = pick(rng, (0.07, 0.08, 0.19, 0.2, 0.25))
    bad_tax = round(tax / 10, 4)
    bulk_min = pick(rng, (5, 10, 12, 20, 25))
    bulk_rate = pick(rng, (0.1, 0.15, 0.2, 0.25))
    max_score = pick(rng, (5, 10, 100))
    page_size = pick(rng, (10, 20, 25, 50))

    def bulk(quantity: int) -> float:
        total = 1.0 * quantity
        total *= 1 - bulk_rate
        return round(total, 2)

    return {
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
        "max_pages": str(pick(rng, (3, 5, 8))),
    }


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
    fill = _constants(rng, package)
    target = pick(rng, candidates)
    others = [m for m in MODULES if m != target.module]
    count = {"easy": 1, "medium": 2, "hard": 3}[difficulty]
    chosen = {target.module, *(others[int(i)] for i in rng.permutation(len(others))[:count])}
    modules = [m for m in MODULES if m in chosen]

    files: dict[str, bytes] = {}
    hidden: dict[str, bytes] = {}
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
        if module == target.module:
            if text.count(correct) != 1:
                raise RuntimeError(f"bug fragment {correct!r} is not unique in {module_path}")
            text = text.replace(correct, buggy)
            if text.count(buggy) != 1:
                raise RuntimeError(f"planted fragment {buggy!r} is not unique in {module_path}")
        files[f"{package}/{module}.py"] = text.encode()
        visible = [f.visible for f in functions]
        if module == target.module and difficulty == "easy":
            visible.append(bug.hidden)
        files[f"tests/test_{module}.py"] = _test_module(package, module, visible, fill)
        hidden[f"tests/test_hidden_{module}.py"] = _test_module(
            package, module, [f.bug.hidden for f in functions], fill
        )
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
        hidden,
        target,
        module_path,
        buggy,
        correct,
        Template(bug.issue).substitute(fill),
        Template(bug.symptom).substitute(fill),
    )


def _task(code: CodebaseToolkit, rng: np.random.Generator, kind: str, difficulty: str) -> Task:
    project = build_project(rng, kind, difficulty)
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
    name = project.function.name

    def plan():
        path = project.module_path
        if difficulty == "easy":
            yield call("run_tests", "Run the suite to see which test fails.")
        if difficulty == "hard":
            found = yield call(
                "code_grep", "Find the function behind this behaviour.", pattern=rf"def {name}\b"
            )
            path = found["matches"][0]["path"]
        yield call("code_read", f"Read {path}.", path=path)
        yield call(
            "code_edit",
            f"Fix the {kind.replace('_', ' ')} in {name}.",
            path=path,
            old=project.buggy,
            new=project.correct,
        )
        report = yield call("run_tests", "Check that every test passes now.")
        return Answer(f"Fixed the bug in {name} ({path}); tests: {report['summary']}.")

    def judge(world: World, answer: str | None) -> dict[str, bool]:
        report = code.verify(package, {**_tests(project.files), **project.hidden})
        outcomes = report.outcomes()
        visible = [n for n in outcomes if not n.startswith("tests/test_hidden_")]
        hidden = [n for n in outcomes if n.startswith("tests/test_hidden_")]
        return {
            "visible_tests": bool(visible) and all(outcomes[n] == "passed" for n in visible),
            "hidden_tests": bool(hidden) and all(outcomes[n] == "passed" for n in hidden),
        }

    literals = (package, name, project.module_path) if difficulty == "medium" else (package,)
    return make_task(
        SYSTEM_PROMPT,
        prompt,
        plan,
        literals=literals,
        facts={"function": name, "file": project.module_path},
        extra_check=judge,
    )


def _tests(files: dict[str, bytes]) -> dict[str, bytes]:
    return {p: d for p, d in files.items() if p.startswith("tests/")}


def _family(kind: str):
    def make(code: CodebaseToolkit, rng: np.random.Generator, difficulty: str) -> Task:
        return _task(code, rng, kind, difficulty)

    make.__name__ = kind
    make.__doc__ = f"Fix a {kind.replace('_', ' ')} bug."
    return make


for _kind in BUG_KINDS:
    SUITE.family("codebase")(_family(_kind))
