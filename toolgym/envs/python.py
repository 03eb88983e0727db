"""``toolgym/Python-v0``: answer questions about data files with a Python interpreter.

Seven task families, each at three difficulties, over CSV, JSON and JSON-lines files generated
from the episode's seed: easy tasks filter and count, medium ones aggregate, hard ones group,
join or scan sequences. Answers are exact (money to the cent), computed on the host from the
generated records; the oracle computes them again in the sandbox from the files, so every task
is checked end to end. One family is judged by the file the agent writes, not by its reply.
"""

from __future__ import annotations

import csv
import io
import json
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

import numpy as np

from toolgym.core.money import figure as _money
from toolgym.core.task import Answer, Task, call
from toolgym.envs.answers import wrong_candidates
from toolgym.envs.common import Suite, make_task, pick, policy_prompt
from toolgym.toolkits.python import PythonToolkit

__all__ = ["SUITE"]

SUITE = Suite("python", lambda seed, size: [PythonToolkit()])

SYSTEM_PROMPT = policy_prompt(
    "You are a data analyst. You have a Python 3 interpreter (the run_python tool) whose "
    "working directory holds the data files of the task. Variables persist between calls.",
    [
        "Read the files with Python (csv, json and statistics are available); never guess.",
        "Compute exact answers: round money and averages to 2 decimal places, and count "
        "exactly as asked.",
        "Empty cells in a CSV are missing values: skip them unless told otherwise.",
        "Do not modify the data files.",
    ],
    "When you have the answer, reply with it in plain words, including every figure asked "
    "for. Do not call tools in that final reply.",
)

ROWS = {"easy": 60, "medium": 150, "hard": 300}
REGIONS = ("North", "South", "East", "West", "Central")
PRODUCTS = {
    "Widget": 1299,
    "Gadget": 2450,
    "Sprocket": 475,
    "Gizmo": 8999,
    "Doohickey": 1525,
    "Flange": 330,
}
DEPARTMENTS = ("Engineering", "Sales", "Marketing", "Finance", "Support", "Legal")
FIRST = (
    "Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Iris", "Jonas", "Kemi",
    "Liam", "Maya", "Nils", "Olga", "Priya", "Quinn", "Rosa", "Sami", "Tara", "Uma", "Viktor",
    "Wen", "Ximena", "Yusuf", "Zoe",
)  # fmt: skip
LAST = (
    "Abbott", "Baker", "Castro", "Diaz", "Evans", "Fischer", "Garcia", "Haddad", "Ito", "Jensen",
    "Kowalski", "Larsen", "Mendes", "Novak", "Okafor", "Petrov", "Quiroga", "Rossi", "Silva",
    "Tanaka", "Urban", "Vidal", "Weber", "Yilmaz", "Zhang",
)  # fmt: skip
COUNTRIES = ("Canada", "Brazil", "Germany", "Japan", "Kenya", "Mexico", "Spain")
PATHS = ("/", "/login", "/search", "/cart", "/checkout", "/api/items", "/api/users", "/help")
WAREHOUSES = ("Avonmouth", "Bremen", "Calais", "Dundee", "Essen")
START = date(2025, 1, 1)


def _number(value: float) -> str:
    """A statistic as it should be stated: integers bare, anything else to 2 decimals."""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def _csv(header: list[str], rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def _json(value: object) -> bytes:
    return (json.dumps(value, indent=2) + "\n").encode()


def _unique_best(totals: dict[str, float]) -> str | None:
    """The key with the largest value, or ``None`` when the top is tied."""
    ranked = sorted(totals.items(), key=lambda kv: kv[1], reverse=True)
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0] if ranked else None


def _answer(printed: str, expect: tuple[str, ...], wrong: list[str], said: str) -> Answer:
    """The reply stating what the code printed, with the wrong aggregates a careless analysis
    gives (another group's figure, the wrong statistic) that no right reply states."""
    text = f"The answer is {printed}."
    return Answer(text, expect, wrong_candidates(wrong, [text, *expect], said))


def _runner_ups(totals: Mapping[str, float], best: str, shown: Callable[[float], str]) -> list[str]:
    """The other groups' figures, largest first, as ``shown`` writes them."""
    ranked = sorted((v, k) for k, v in totals.items() if k != best)
    return [shown(v) for v, _ in reversed(ranked)]


def _names(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct full names."""
    pool = [f"{f} {last}" for f in FIRST for last in LAST]
    order = rng.permutation(len(pool))[:n]
    return [pool[i] for i in order]


def _run(code: str, thought: str):
    """Run ``code`` in the interpreter and return its printed output, stripped."""
    out = yield call("run_python", thought, code=code)
    if out["error"]:
        raise RuntimeError(f"oracle code failed: {out['error']}")
    return out["stdout"].strip()


# ---------------------------------------------------------------------- sales
@dataclass(frozen=True, slots=True)
class Sale:
    day: date
    region: str
    product: str
    units: int
    cents: int

    @property
    def month(self) -> str:
        return self.day.strftime("%Y-%m")


def generate_sales(rng: np.random.Generator, n: int) -> tuple[list[Sale], bytes]:
    days = sorted(int(d) for d in rng.integers(0, 365, n))
    names = list(PRODUCTS)
    sales = []
    for d in days:
        product = names[int(rng.integers(len(names)))]
        factor = (90, 100, 100, 110)[int(rng.integers(4))]
        sales.append(
            Sale(
                START + timedelta(days=d),
                REGIONS[int(rng.integers(len(REGIONS)))],
                product,
                int(rng.integers(1, 21)),
                PRODUCTS[product] * factor // 100,
            )
        )
    rows = [
        [f"S{1001 + i}", s.day.isoformat(), s.region, s.product, s.units, _money(s.cents)]
        for i, s in enumerate(sales)
    ]
    header = ["order_id", "date", "region", "product", "units", "unit_price"]
    return sales, _csv(header, rows)


_READ_SALES = 'import csv\nrows = list(csv.DictReader(open("sales.csv")))\n'


@SUITE.family("python")
def sales_report(py: PythonToolkit, rng: np.random.Generator, difficulty: str) -> Task:
    """Totals, revenue and the best month from a CSV of sales."""
    sales, data = generate_sales(rng, ROWS[difficulty])
    region = pick(rng, REGIONS)
    product = pick(rng, list(PRODUCTS))
    files = {"sales.csv": data}
    if difficulty == "easy":
        answer = str(sum(s.units for s in sales if s.region == region))
        ask = f"How many units were sold in total in the {region} region?"
        code = (
            _READ_SALES + f'print(sum(int(r["units"]) for r in rows if r["region"] == {region!r}))'
        )
        expect: tuple[str, ...] = (answer,)
        literals: tuple[str, ...] = (region,)
        # Another region's units, or every region's.
        wrong = [str(sum(s.units for s in sales if s.region == r)) for r in REGIONS]
        wrong.append(str(sum(s.units for s in sales)))
    elif difficulty == "medium":
        answer = _money(sum(s.units * s.cents for s in sales if s.product == product))
        ask = f"What was the total revenue (units times unit price) from {product} sales?"
        code = _READ_SALES + (
            f'total = sum(int(r["units"]) * float(r["unit_price"]) for r in rows '
            f'if r["product"] == {product!r})\nprint(f"{{total:.2f}}")'
        )
        expect = (answer,)
        literals = (product,)
        # Another product's revenue, or the units alone priced once.
        wrong = [_money(sum(s.units * s.cents for s in sales if s.product == p)) for p in PRODUCTS]
        wrong.append(_money(sum(s.cents for s in sales if s.product == product)))
    else:
        for region in rng.permutation(REGIONS):
            by_month: dict[str, int] = defaultdict(int)
            for s in sales:
                if s.region == region:
                    by_month[s.month] += s.units * s.cents
            best = _unique_best(by_month)
            if best is not None:
                break
        else:
            return sales_report(py, rng, "medium")
        region = str(region)
        answer = f"{best} {_money(by_month[best])}"
        ask = (
            f"In which month (YYYY-MM) was revenue (units times unit price) highest in the "
            f"{region} region, and how much was it?"
        )
        code = _READ_SALES + (
            "from collections import defaultdict\nby_month = defaultdict(float)\n"
            f'for r in rows:\n    if r["region"] == {region!r}:\n'
            '        by_month[r["date"][:7]] += int(r["units"]) * float(r["unit_price"])\n'
            "best = max(by_month, key=by_month.get)\n"
            'print(best, f"{by_month[best]:.2f}")'
        )
        expect = (best, _money(by_month[best]))
        literals = (region,)
        # The runner-up months, or the best month of all regions together.
        wrong = _runner_ups(by_month, best, _money)[:3]
        everywhere: dict[str, int] = defaultdict(int)
        for s in sales:
            everywhere[s.month] += s.units * s.cents
        wrong.append(_money(max(everywhere.values())))

    def plan():
        printed = yield from _run(code, "Compute it from sales.csv.")
        return _answer(printed, expect, wrong, prompt)

    prompt = f"The file sales.csv lists this year's sales. {ask}"
    py.stage(files)
    return make_task(SYSTEM_PROMPT, prompt, plan, literals=literals, facts={"answer": answer})


# -------------------------------------------------------------------- payroll
@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    department: str
    salary: int
    hired: str
    manager_id: str | None


def _employees(rng: np.random.Generator, n: int) -> list[Person]:
    people: list[Person] = []
    members: dict[str, list[str]] = defaultdict(list)
    for i, name in enumerate(_names(rng, n)):
        dept = DEPARTMENTS[i] if i < len(DEPARTMENTS) else pick(rng, DEPARTMENTS)
        pid = f"E{101 + i}"
        manager = pick(rng, members[dept]) if members[dept] else None
        members[dept].append(pid)
        hired = START - timedelta(days=int(rng.integers(30, 3650)))
        people.append(
            Person(pid, name, dept, int(rng.integers(80, 361)) * 500, hired.isoformat(), manager)
        )
    return people


@SUITE.family("python")
def payroll(py: PythonToolkit, rng: np.random.Generator, difficulty: str) -> Task:
    """Averages, medians and manager comparisons over a JSON list of employees."""
    people = _employees(rng, ROWS[difficulty] // 3)
    files = {"employees.json": _json([asdict(p) for p in people])}
    read = 'import json, statistics\npeople = json.load(open("employees.json"))\n'
    if difficulty == "easy":
        dept = pick(rng, DEPARTMENTS)
        salaries = [p.salary for p in people if p.department == dept]
        answer = f"{sum(salaries) / len(salaries):.2f}"
        ask = f"What is the average salary in the {dept} department?"
        code = read + (
            f'pay = [p["salary"] for p in people if p["department"] == {dept!r}]\n'
            'print(f"{sum(pay) / len(pay):.2f}")'
        )
        expect: tuple[str, ...] = (answer,)
        literals: tuple[str, ...] = (dept,)
        # The median instead of the mean, another department's mean, or everyone's.
        wrong = [_number(statistics.median(salaries))]
        for other in DEPARTMENTS:
            pay = [p.salary for p in people if p.department == other]
            wrong.append(f"{sum(pay) / len(pay):.2f}")
        wrong.append(f"{sum(p.salary for p in people) / len(people):.2f}")
    elif difficulty == "medium":
        medians = {
            d: statistics.median(p.salary for p in people if p.department == d) for d in DEPARTMENTS
        }
        best = _unique_best(medians)
        if best is None:
            return payroll(py, rng, "easy")
        answer = f"{best} {_number(medians[best])}"
        ask = "Which department has the highest median salary, and what is that median?"
        code = read + (
            "depts = sorted({p['department'] for p in people})\n"
            "med = {d: statistics.median(p['salary'] for p in people if p['department'] == d) "
            "for d in depts}\nbest = max(med, key=med.get)\nprint(best, med[best])"
        )
        expect = (best, _number(medians[best]))
        literals = ()
        # The runner-ups' medians, or the mean of the winner instead of its median.
        wrong = _runner_ups(medians, best, _number)[:3]
        pay = [p.salary for p in people if p.department == best]
        wrong.append(f"{sum(pay) / len(pay):.2f}")
    else:
        salary = {p.id: p.salary for p in people}
        count = sum(1 for p in people if p.manager_id and p.salary > salary[p.manager_id])
        answer = str(count)
        ask = "How many employees earn strictly more than their own manager?"
        # Ties counted in, or the comparison turned round.
        managed = [p for p in people if p.manager_id]
        wrong = [
            str(sum(p.salary >= salary[p.manager_id] for p in managed)),
            str(sum(p.salary < salary[p.manager_id] for p in managed)),
        ]
        code = read + (
            "pay = {p['id']: p['salary'] for p in people}\n"
            "print(sum(1 for p in people\n"
            "          if p['manager_id'] and p['salary'] > pay[p['manager_id']]))"
        )
        expect = (answer,)
        literals = ()

    def plan():
        printed = yield from _run(code, "Load employees.json and compute it.")
        return _answer(printed, expect, wrong, prompt)

    prompt = (
        "employees.json lists our staff (id, name, department, salary, hire date and the id "
        f"of each person's manager, null for department heads). {ask}"
    )
    py.stage(files)
    return make_task(SYSTEM_PROMPT, prompt, plan, literals=literals, facts={"answer": answer})


# -------------------------------------------------------------------- sensors
@SUITE.family("python")
def sensor_stats(py: PythonToolkit, rng: np.random.Generator, difficulty: str) -> Task:
    """Missing values, extremes and streaks in hourly sensor readings with gaps."""
    hours = {"easy": 24, "medium": 48, "hard": 96}[difficulty]
    sensors = ("S1", "S2", "S3", "S4")
    start = datetime(2025, 3, 1)
    readings: dict[str, list[int | None]] = {}
    rows: list[list[object]] = []
    for s in sensors:
        base = int(rng.integers(150, 250))
        values: list[int | None] = []
        for _ in range(hours):
            tenth = base + int(rng.integers(-60, 61))
            values.append(None if rng.random() < 0.1 else tenth)
        readings[s] = values
    for h in range(hours):
        stamp = (start + timedelta(hours=h)).strftime("%Y-%m-%dT%H:00")
        for s in sensors:
            v = readings[s][h]
            rows.append([stamp, s, "" if v is None else f"{v / 10:.1f}"])
    files = {"readings.csv": _csv(["timestamp", "sensor", "temperature"], rows)}
    sensor = pick(rng, sensors)
    values = readings[sensor]
    read = 'import csv\nrows = [r for r in csv.DictReader(open("readings.csv"))]\n'
    if difficulty == "easy":
        answer = str(sum(v is None for v in values))
        ask = f"How many readings of sensor {sensor} are missing (empty)?"
        code = (
            read
            + f'print(sum(1 for r in rows if r["sensor"] == {sensor!r} and not r["temperature"]))'
        )
        expect: tuple[str, ...] = (answer,)
        # Another sensor's gaps, or all of them.
        wrong = [str(sum(v is None for v in readings[s])) for s in sensors]
        wrong.append(str(sum(v is None for s in sensors for v in readings[s])))
    elif difficulty == "medium":
        top = max(v for v in values if v is not None)
        if sum(v == top for v in values) > 1:
            return sensor_stats(py, rng, "easy")
        when = (start + timedelta(hours=values.index(top))).strftime("%Y-%m-%dT%H:00")
        answer = f"{top / 10:.1f} at {when}"
        ask = f"What was the highest temperature sensor {sensor} recorded, and when?"
        code = read + (
            f'mine = [r for r in rows if r["sensor"] == {sensor!r} and r["temperature"]]\n'
            'top = max(mine, key=lambda r: float(r["temperature"]))\n'
            'print(top["temperature"], top["timestamp"])'
        )
        expect = (f"{top / 10:.1f}", when)
        # Another sensor's peak, or this one's low.
        wrong = [f"{max(v for v in readings[s] if v is not None) / 10:.1f}" for s in sensors]
        wrong.append(f"{min(v for v in values if v is not None) / 10:.1f}")
    else:
        known = sorted(v for v in values if v is not None)
        threshold = known[len(known) // 2]
        best = run = 0
        for v in values:
            run = run + 1 if v is not None and v > threshold else 0
            best = max(best, run)
        answer = str(best)
        # Another sensor's run, a run that counts the threshold itself, or one a gap does not
        # break.
        wrong = [str(_longest_run(readings[s], lambda v: v > threshold)) for s in sensors]
        wrong.append(str(_longest_run(values, lambda v: v >= threshold)))
        wrong.append(
            str(_longest_run([v for v in values if v is not None], lambda v: v > threshold))
        )
        ask = (
            f"What is the longest run of consecutive hourly readings in which sensor {sensor} "
            f"read strictly above {threshold / 10:.1f} degrees? A missing reading breaks a run."
        )
        code = read + (
            f"best = run = 0\nfor r in rows:\n    if r['sensor'] != {sensor!r}:\n        continue\n"
            f"    t = r['temperature']\n    run = run + 1 if t and float(t) > {threshold / 10} "
            "else 0\n    best = max(best, run)\nprint(best)"
        )
        expect = (answer,)

    def plan():
        printed = yield from _run(code, "Scan readings.csv for that sensor.")
        return _answer(printed, expect, wrong, prompt)

    # The sensors are named, not counted: "four sensors" would hand a prompt echo the answer 4.
    prompt = (
        f"readings.csv holds hourly temperatures (degrees C) from sensors {', '.join(sensors[:-1])}"
        f" and {sensors[-1]}. {ask}"
    )
    py.stage(files)
    return make_task(SYSTEM_PROMPT, prompt, plan, literals=(sensor,), facts={"answer": answer})


def _longest_run(values: list[int | None], test: Callable[[int], bool]) -> int:
    """The longest run of readings passing ``test``; a missing reading breaks a run."""
    best = run = 0
    for v in values:
        run = run + 1 if v is not None and test(v) else 0
        best = max(best, run)
    return best


# ------------------------------------------------------------------ customers
@SUITE.family("python")
def customer_orders(py: PythonToolkit, rng: np.random.Generator, difficulty: str) -> Task:
    """Join a JSON customer list with a CSV of their orders."""
    n = ROWS[difficulty] // 5
    names = _names(rng, n)
    customers = [
        {"id": f"C{201 + i}", "name": name, "country": pick(rng, COUNTRIES)}
        for i, name in enumerate(names)
    ]
    orders = []
    for i in range(ROWS[difficulty]):
        who = customers[int(rng.integers(n))]
        day = START + timedelta(days=int(rng.integers(365)))
        orders.append((f"O{5001 + i}", who["id"], day.isoformat(), int(rng.integers(500, 40001))))
    files = {
        "customers.json": _json(customers),
        "orders.csv": _csv(
            ["order_id", "customer_id", "date", "amount"],
            [[o, c, d, _money(a)] for o, c, d, a in orders],
        ),
    }
    country_of = {c["id"]: c["country"] for c in customers}
    read = (
        'import csv, json\ncustomers = json.load(open("customers.json"))\n'
        'orders = list(csv.DictReader(open("orders.csv")))\n'
        "country = {c['id']: c['country'] for c in customers}\n"
    )
    if difficulty == "easy":
        where = pick(rng, COUNTRIES)
        answer = str(sum(country_of[c] == where for _, c, _, _ in orders))
        ask = f"How many orders were placed by customers from {where}?"
        code = read + f"print(sum(1 for o in orders if country[o['customer_id']] == {where!r}))"
        expect: tuple[str, ...] = (answer,)
        literals: tuple[str, ...] = (where,)
        # Another country's orders, or its customers counted instead of their orders.
        wrong = [str(sum(country_of[c] == k for _, c, _, _ in orders)) for k in COUNTRIES]
        wrong.append(str(sum(c["country"] == where for c in customers)))
    elif difficulty == "medium":
        who = pick(rng, customers)
        answer = _money(sum(a for _, c, _, a in orders if c == who["id"]))
        ask = f"How much has {who['name']} spent in total?"
        code = read + (
            f"cid = next(c['id'] for c in customers if c['name'] == {who['name']!r})\n"
            "total = sum(float(o['amount']) for o in orders if o['customer_id'] == cid)\n"
            'print(f"{total:.2f}")'
        )
        expect = (answer,)
        literals = (str(who["name"]),)
        # The totals of the customers sharing a first or last name with them.
        first, last = str(who["name"]).split(" ", 1)
        namesakes = [
            c["id"]
            for c in customers
            if c is not who
            and (c["name"].startswith(first + " ") or c["name"].endswith(" " + last))
        ]
        wrong = [_money(sum(a for _, c, _, a in orders if c == k)) for k in namesakes]
    else:
        sums: dict[str, int] = defaultdict(int)
        counts: Counter[str] = Counter()
        for _, c, _, a in orders:
            sums[country_of[c]] += a
            counts[country_of[c]] += 1
        averages = {k: sums[k] / counts[k] for k in sums}
        best = _unique_best({k: round(v / 100, 2) for k, v in averages.items()})
        if best is None:
            return customer_orders(py, rng, "medium")
        answer = f"{best} {averages[best] / 100:.2f}"
        ask = (
            "Customers of which country have the highest average order amount, and what is "
            "that average?"
        )
        code = read + (
            "from collections import defaultdict\ntotal = defaultdict(float)\n"
            "count = defaultdict(int)\nfor o in orders:\n    k = country[o['customer_id']]\n"
            "    total[k] += float(o['amount'])\n    count[k] += 1\n"
            "avg = {k: total[k] / count[k] for k in total}\nbest = max(avg, key=avg.get)\n"
            'print(best, f"{avg[best]:.2f}")'
        )
        expect = (best, f"{averages[best] / 100:.2f}")
        literals = ()
        # The other countries' averages, the winner's total instead of its average, or the
        # country that spent the most in total.
        wrong = _runner_ups(averages, best, lambda v: f"{v / 100:.2f}")[:3]
        wrong.append(_money(sums[best]))
        wrong.append(max(sums, key=sums.__getitem__))

    def plan():
        printed = yield from _run(code, "Join orders.csv with customers.json.")
        return _answer(printed, expect, wrong, prompt)

    prompt = f"customers.json lists our customers and orders.csv their orders. {ask}"
    py.stage(files)
    return make_task(SYSTEM_PROMPT, prompt, plan, literals=literals, facts={"answer": answer})


# ----------------------------------------------------------------------- logs
@dataclass(frozen=True, slots=True)
class Request:
    ts: str
    method: str
    path: str
    status: int
    latency_ms: int


@SUITE.family("python")
def log_analysis(py: PythonToolkit, rng: np.random.Generator, difficulty: str) -> Task:
    """Status counts and latencies from a JSON-lines web server log."""
    n = ROWS[difficulty] * 2
    entries = []
    for i in range(n):
        path = PATHS[int(min(rng.zipf(1.6), len(PATHS))) - 1]
        roll = rng.random()
        status = 500 if roll < 0.05 else 404 if roll < 0.15 else 302 if roll < 0.2 else 200
        entries.append(
            Request(
                f"2025-06-01T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}",
                "POST" if path in ("/login", "/checkout") else "GET",
                path,
                status,
                int(rng.integers(5, 900)),
            )
        )
    files = {"access.jsonl": "".join(json.dumps(asdict(e)) + "\n" for e in entries).encode()}
    read = 'import json\nlog = [json.loads(line) for line in open("access.jsonl")]\n'
    if difficulty == "easy":
        answer = str(sum(e.status >= 500 for e in entries))
        ask = "How many requests failed with a server error (status 500 or above)?"
        code = read + "print(sum(1 for e in log if e['status'] >= 500))"
        expect: tuple[str, ...] = (answer,)
        # Client errors counted in, or the 404s alone.
        wrong = [
            str(sum(e.status >= 400 for e in entries)),
            str(sum(e.status == 404 for e in entries)),
        ]
    elif difficulty == "medium":
        missing = Counter(e.path for e in entries if e.status == 404)
        best = _unique_best(dict(missing))
        if best is None:
            return log_analysis(py, rng, "easy")
        answer = f"{best} {missing[best]}"
        ask = "Which path returned 404 (not found) most often, and how many times?"
        code = read + (
            "from collections import Counter\n"
            "c = Counter(e['path'] for e in log if e['status'] == 404)\n"
            "path, n = c.most_common(1)[0]\nprint(path, n)"
        )
        expect = (best, str(missing[best]))
        # Another path's 404s, or every request to the winner.
        wrong = _runner_ups(dict(missing), best, str)[:3]
        wrong.append(str(sum(e.path == best for e in entries)))
    else:
        floor = 20
        latencies: dict[str, list[int]] = defaultdict(list)
        for e in entries:
            latencies[e.path].append(e.latency_ms)
        averages = {p: sum(v) / len(v) for p, v in latencies.items() if len(v) >= floor}
        best = _unique_best({k: round(v, 2) for k, v in averages.items()})
        if best is None:
            return log_analysis(py, rng, "medium")
        answer = f"{best} {averages[best]:.2f}"
        ask = (
            f"Among paths with at least {floor} requests, which has the highest average latency "
            "(latency_ms), and what is that average?"
        )
        code = read + (
            "from collections import defaultdict\nlat = defaultdict(list)\n"
            "for e in log:\n    lat[e['path']].append(e['latency_ms'])\n"
            f"avg = {{p: sum(v) / len(v) for p, v in lat.items() if len(v) >= {floor}}}\n"
            'best = max(avg, key=avg.get)\nprint(best, f"{avg[best]:.2f}")'
        )
        expect = (best, f"{averages[best]:.2f}")
        # The other paths' averages, or the slowest path once the floor is ignored.
        wrong = _runner_ups(averages, best, lambda v: f"{v:.2f}")[:3]
        unfloored = {p: sum(v) / len(v) for p, v in latencies.items()}
        slowest = max(unfloored, key=unfloored.__getitem__)
        wrong += [slowest, f"{unfloored[slowest]:.2f}"]

    def plan():
        printed = yield from _run(code, "Parse access.jsonl line by line.")
        return _answer(printed, expect, wrong, prompt)

    prompt = f"access.jsonl is a web server log with one JSON object per line. {ask}"
    py.stage(files)
    return make_task(SYSTEM_PROMPT, prompt, plan, facts={"answer": answer})


# ------------------------------------------------------------------ inventory
@SUITE.family("python")
def inventory(py: PythonToolkit, rng: np.random.Generator, difficulty: str) -> Task:
    """Totals, reorder checks and stock value over nested JSON."""
    skus = [f"SKU-{int(x):04d}" for x in rng.choice(9000, 12, replace=False) + 1000]
    houses = []
    for name in WAREHOUSES[: 3 + int(rng.integers(3))]:
        items = [
            {"sku": s, "quantity": int(rng.integers(0, 400)), "unit_cost": _money(int(c))}
            for s, c in zip(skus, rng.integers(150, 9000, len(skus)), strict=True)
            if rng.random() < 0.7
        ]
        houses.append({"name": name, "items": items})
    reorder = {s: int(rng.integers(100, 700)) for s in skus}
    files = {"inventory.json": _json({"warehouses": houses, "reorder_levels": reorder})}
    totals = {
        s: sum(i["quantity"] for h in houses for i in h["items"] if i["sku"] == s) for s in skus
    }
    read = 'import json\ndata = json.load(open("inventory.json"))\n'
    if difficulty == "easy":
        sku = pick(rng, skus)
        answer = str(totals[sku])
        ask = f"How many units of {sku} do we hold across all warehouses?"
        code = read + (
            f"print(sum(i['quantity'] for w in data['warehouses'] for i in w['items'] "
            f"if i['sku'] == {sku!r}))"
        )
        expect: tuple[str, ...] = (answer,)
        literals: tuple[str, ...] = (sku,)
        # Another SKU's total (a careful reply may break this one's down by warehouse).
        wrong = [str(totals[s]) for s in skus]
    elif difficulty == "medium":
        answer = str(sum(totals[s] < reorder[s] for s in skus))
        # The level itself counted as short, or each warehouse checked on its own.
        wrong = [
            str(sum(totals[s] <= reorder[s] for s in skus)),
            str(
                sum(
                    any(
                        i["sku"] == s and i["quantity"] < reorder[s]
                        for h in houses
                        for i in h["items"]
                    )
                    for s in skus
                )
            ),
        ]
        ask = "How many SKUs have a total quantity (over all warehouses) below their reorder level?"
        code = read + (
            "from collections import Counter\nq = Counter()\nfor w in data['warehouses']:\n"
            "    for i in w['items']:\n        q[i['sku']] += i['quantity']\n"
            "print(sum(1 for s, level in data['reorder_levels'].items() if q[s] < level))"
        )
        expect = (answer,)
        literals = ()
    else:
        value = {
            h["name"]: sum(i["quantity"] * int(i["unit_cost"].replace(".", "")) for i in h["items"])
            for h in houses
        }
        best = _unique_best(value)
        if best is None:
            return inventory(py, rng, "medium")
        answer = f"{best} {_money(value[best])}"
        ask = (
            "Which warehouse holds the most valuable stock (quantity times unit cost), and "
            "what is it worth?"
        )
        code = read + (
            "worth = {w['name']: sum(i['quantity'] * float(i['unit_cost']) for i in w['items']) "
            "for w in data['warehouses']}\nbest = max(worth, key=worth.get)\n"
            'print(best, f"{worth[best]:.2f}")'
        )
        expect = (best, _money(value[best]))
        literals = ()
        # The other warehouses' worth, or the one holding the most units.
        wrong = _runner_ups(value, best, _money)[:3]
        units = {h["name"]: sum(i["quantity"] for i in h["items"]) for h in houses}
        wrong.append(max(units, key=units.__getitem__))

    def plan():
        printed = yield from _run(code, "Walk the nested inventory.json.")
        return _answer(printed, expect, wrong, prompt)

    prompt = (
        "inventory.json has our warehouses, the items each holds (sku, quantity, unit_cost) "
        f"and a reorder level per SKU. {ask}"
    )
    py.stage(files)
    return make_task(SYSTEM_PROMPT, prompt, plan, literals=literals, facts={"answer": answer})


# ------------------------------------------------------------------- summary
@SUITE.family("python")
def summary_file(py: PythonToolkit, rng: np.random.Generator, difficulty: str) -> Task:
    """Write a JSON summary of sales to a file; the file is what is checked."""
    _, data = generate_sales(rng, ROWS[difficulty])
    if difficulty == "easy":
        what = "each region to its total units sold (an integer)"
        body = "out[r['region']] = out.get(r['region'], 0) + int(r['units'])"
    elif difficulty == "medium":
        what = "each product to its total revenue (units times unit price, rounded to 2 decimals)"
        body = (
            "out[r['product']] = round(out.get(r['product'], 0) "
            "+ int(r['units']) * float(r['unit_price']), 2)"
        )
    else:
        what = (
            "each month (YYYY-MM) to an object mapping each region to its total units sold "
            "that month (only regions with sales that month)"
        )
        body = (
            "m = out.setdefault(r['date'][:7], {})\n"
            "    m[r['region']] = m.get(r['region'], 0) + int(r['units'])"
        )
    code = (
        _READ_SALES
        + f"import json\nout = {{}}\nfor r in rows:\n    {body}\n"
        + 'json.dump(out, open("summary.json", "w"), indent=2, sort_keys=True)\nprint(len(out))'
    )

    def plan():
        count = yield from _run(code, "Aggregate sales.csv and write summary.json.")
        return Answer(f"I wrote summary.json with {count} entries.")

    prompt = (
        f"Using sales.csv, write a JSON file named summary.json that maps {what}. "
        "Tell me when it is done."
    )
    py.stage({"sales.csv": data}, outputs=("summary.json",))
    return make_task(SYSTEM_PROMPT, prompt, plan, literals=("summary.json", "sales.csv"))
