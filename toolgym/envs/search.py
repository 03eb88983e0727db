"""``toolgym/Search-v0``: answer questions from a generated encyclopedia through its search engine.

Six task families at three difficulties. Every question has one exact answer in the corpus (for
``not_found``, part of the answer is that the corpus does not say), and every plan reads it the
way an agent would: search for a name, take the result with exactly that title, read the
infobox or find a sentence, and follow the names it finds there.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Generator, Sequence
from typing import Any, TypeVar

import numpy as np

from toolgym.core.task import Answer, Step, Task, call
from toolgym.envs.answers import (
    answer_abstains,
    answer_asserts,
    answer_excludes,
    wrong_candidates,
)
from toolgym.envs.common import Suite, clean_index, make_task, pick, policy_prompt
from toolgym.toolkits.search import Corpus, Entity, SearchEngine, build_search
from toolgym.toolkits.search.corpus import KINDS, LABELS, words

__all__ = ["SUITE"]

SUITE = Suite("search", lambda seed, size: [build_search(seed, size)])

SYSTEM_PROMPT = policy_prompt(
    "You are a research assistant. You answer questions from an encyclopedia that you reach "
    "through its search engine: `search` finds documents, `open_document` reads a page of one, "
    "and `find_in_document` finds the sentences of a document that contain some text.",
    [
        "Answer from the encyclopedia only: its people, companies, cities, products and events "
        "are fictional, so your own knowledge does not apply.",
        "Documents refer to each other by name: to follow a reference, search for the name and "
        "open the document with exactly that title.",
        "If the encyclopedia does not state something you were asked, say that it is not "
        "stated; never guess or estimate a value.",
        "Give names exactly as written and numbers in full.",
    ],
    "When you have the answer, reply with it in plain words, without calling tools.",
)

T = TypeVar("T")
Plan = Generator[Step, Any, Any]

# ------------------------------------------------------------------ vocabulary
TARGET = {
    "birthplace": "city",
    "employer": "company",
    "headquarters": "city",
    "founder": "person",
    "ceo": "person",
    "mayor": "person",
    "manufacturer": "company",
    "location": "city",
    "organizer": "company",
    "keynote": "person",
}
HOPS = {
    "person": ("birthplace", "employer"),
    "company": ("headquarters", "founder", "ceo"),
    "city": ("mayor",),
    "product": ("manufacturer",),
    "event": ("location", "organizer", "keynote"),
}
PHRASE = {
    "birthplace": "the city where {} was born",
    "employer": "the company {} works for",
    "headquarters": "the city where {} is headquartered",
    "founder": "the founder of {}",
    "ceo": "the CEO of {}",
    "mayor": "the mayor of {}",
    "manufacturer": "the manufacturer of {}",
    "location": "the city that hosted {}",
    "organizer": "the organizer of {}",
    "keynote": "the keynote speaker of {}",
}
QUESTION = {
    ("person", "occupation"): "What is the occupation of {}?",
    ("person", "born"): "In what year was {} born?",
    ("person", "birthplace"): "In which city was {} born?",
    ("person", "employer"): "Which company does {} work for?",
    ("person", "employed_since"): "Since what year has {} worked for their current employer?",
    ("company", "industry"): "What industry is {} in?",
    ("company", "founded"): "In what year was {} founded?",
    ("company", "founder"): "Who founded {}?",
    ("company", "ceo"): "Who is the CEO of {}?",
    ("company", "headquarters"): "In which city is {} headquartered?",
    ("company", "employees"): "How many employees does {} have?",
    ("city", "country"): "In which country is {}?",
    ("city", "population"): "What is the population of {}?",
    ("city", "founded"): "In what year was {} founded?",
    ("city", "elevation"): "What is the elevation, in metres, of {}?",
    ("city", "mayor"): "Who is the mayor of {}?",
    ("product", "category"): "What kind of product is {}?",
    ("product", "manufacturer"): "Which company manufactures {}?",
    ("product", "launched"): "In what year was {} launched?",
    ("product", "price"): "How much does {} sell for?",
    ("event", "year"): "In what year was {} held?",
    ("event", "location"): "In which city was {} held?",
    ("event", "organizer"): "Which company organized {}?",
    ("event", "keynote"): "Who gave the keynote at {}?",
    ("event", "attendance"): "How many attendees did {} draw?",
}
# Facts told only in prose: the question, the text to look for, and how to read the value.
PROSE = {
    "person": ("alma_mater", "Where did {} study?", "studied at", r"studied at (.+?) before"),
    "company": ("ticker", "What is the ticker symbol of {}?", "ticker symbol", r"symbol (\w+)"),
    "city": ("nickname", "What do locals call {}?", "call it the", r"call it the (.+?)\.$"),
    "product": ("designer", "Who designed {}?", "designed by", r"designed by (.+?)\.$"),
    "event": ("theme", "What was the theme of {}?", "theme of", r'was "(.+?)"'),
}
# The fact each kind may leave unstated, the text a careful reader looks for to be sure, how
# the missing value would be phrased, and the shape of an answer that makes one up.
OPTIONAL = {
    "person": ("born", "born", "the year of birth", r"\bborn\b[^.;]{0,40}?\b\d{4}\b"),
    "company": (
        "employees",
        "employ",
        "the number of employees",
        r"\d[\d,.]*\s*(?:thousand\s+|k\s+)?(?:employees|people|staff|workers)",
    ),
    "city": (
        "elevation",
        "elevation",
        "the elevation",
        r"\d[\d,.]*\s*(?:m|metres|meters|ft|feet)\b",
    ),
    "product": ("price", "sell", "the price", r"[$€£]\s*\d|\d[\d,.]*\s*(?:dollars|usd|eur)\b"),
    "event": (
        "attendance",
        "attendees",
        "the attendance",
        r"\d[\d,.]*\s*(?:thousand\s+|k\s+)?(?:attendees|people|visitors|participants|guests)",
    ),
}
# (kind, fact, which wins, comparative, superlative)
COMPARISONS = (
    ("company", "founded", min, "was founded earlier", "was founded first"),
    ("company", "employees", max, "has more employees", "has the most employees"),
    ("city", "population", max, "has the larger population", "has the largest population"),
    ("city", "founded", min, "was founded earlier", "was founded first"),
    ("product", "launched", min, "was launched earlier", "was launched first"),
    ("event", "attendance", max, "drew more attendees", "drew the most attendees"),
)
# Relations that lead to a company or a city, for comparisons reached by one hop.
INTO = {
    "company": ("employer", "manufacturer", "organizer"),
    "city": ("birthplace", "headquarters"),
}
SOURCE = {"employer": "person", "manufacturer": "product", "organizer": "event"}
SOURCE |= {"birthplace": "person", "headquarters": "company", "location": "event"}
# Reverse lookups by exact phrase, per relation: (member kind, noun, verb, phrase).
MEMBERSHIPS = {
    "headquarters": ("company", "companies", "are headquartered in", "headquartered in {}"),
    "location": ("event", "events", "were held in", "held in {}"),
    "birthplace": ("person", "people", "were born in", "born in {}"),
    "manufacturer": ("product", "products", "are manufactured by", "manufactured by {}"),
    "employer": ("person", "people", "work for", "worked at {}"),
    "organizer": ("event", "events", "were organized by", "organized by {}"),
}
SUMS = (
    ("headquarters", "employees", "What is the total number of employees of all the companies "
     "headquartered in {}?"),
    ("location", "attendance", "What was the combined attendance of all the events held in {}?"),
    ("organizer", "attendance", "What was the combined attendance of all the events organized "
     "by {}?"),
)  # fmt: skip
MAX_MEMBERS = 10
MAX_NAMESAKES = 6


def mention(entity: Entity) -> str:
    """How a question names an entity (products and events take "the")."""
    return f"the {entity.name}" if entity.kind in ("product", "event") else entity.name


def truth(corpus: Corpus, entity: Entity, key: str) -> str:
    """The exact answer term for a fact or link of ``entity``."""
    if key in entity.links:
        return corpus.entities[entity.links[key]].name
    value = entity.facts[key]
    return f"{value:.2f}" if key == "price" else str(value)


class _Index:
    """Clean-world lookups the families need, built once per world (the corpus never changes)."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self.all = list(corpus.entities.values())
        self.kinds = {kind: corpus.of_kind(kind) for kind in KINDS}
        self.referrers: dict[tuple[str, str], list[Entity]] = defaultdict(list)
        for entity in self.all:
            for relation, target in entity.links.items():
                self.referrers[(relation, target)].append(entity)
        # A name whose words run inside another name of its kind ("Lee-Johnson" inside "Lee,
        # Johnson and Brown") makes an exact-phrase search for it match both: never ask about it.
        self.ambiguous: set[str] = set()
        for kind in ("city", "company"):  # the kinds exact-phrase searches look up
            padded = [(e.id, f" {' '.join(words(e.name))} ") for e in self.kinds[kind]]
            for eid, name in padded:
                if any(name in other for oid, other in padded if oid != eid):
                    self.ambiguous.add(eid)

        self.name_words = {e.id: set(words(e.name)) for e in self.all}

    def members(self, relation: str, target: Entity) -> list[Entity]:
        return self.referrers.get((relation, target.id), [])

    def namesakes(self, entity: Entity) -> list[Entity]:
        """Entities of ``entity``'s kind whose name shares a word with its name: the wrong pages
        a search for the name also returns (the first few, in corpus order)."""
        mine = self.name_words[entity.id]
        found = [
            e for e in self.kinds[entity.kind] if e.id != entity.id and mine & self.name_words[e.id]
        ]
        return found[:MAX_NAMESAKES]

    def same_fact(self, entities: Sequence[Entity], key: str) -> list[str]:
        """``key`` of each of ``entities`` that states it, as answer terms."""
        return [truth(self.corpus, e, key) for e in entities if key in e.facts or key in e.links]


def search_index(engine: SearchEngine) -> _Index:
    return clean_index(engine, _index_of)


def _index_of(engine: SearchEngine) -> _Index:
    return _Index(engine.corpus)


def _first(rng: np.random.Generator, items: Sequence[T], test: Callable[[T], bool]) -> T:
    """The first item passing ``test``, scanning from a random start (deterministic, complete)."""
    start = int(rng.integers(len(items)))
    for k in range(len(items)):
        item = items[(start + k) % len(items)]
        if test(item):
            return item
    raise LookupError("no item passes the test; the world is too small for this task")


def _distinct(names: Sequence[str]) -> bool:
    """No name runs inside another, so naming one never names another by accident."""
    padded = [f" {' '.join(words(n))} " for n in names]
    return all(a not in b for i, a in enumerate(padded) for j, b in enumerate(padded) if i != j)


# ------------------------------------------------------------ reading (plans)
_BOX_LINE = re.compile(r"^([A-Z][A-Za-z ]*): (.+)$", re.MULTILINE)
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def _number(text: str) -> float:
    return float(_NUMBER.search(text).group().replace(",", ""))  # type: ignore[union-attr]


def _find(name: str, kind: str) -> Plan:
    """Search for a name; the doc id of the result of ``kind`` with exactly that title."""
    page = 1
    while True:
        found = yield call("search", f"Search for {name}.", query=name, k=10, page=page)
        for hit in found["results"]:
            if hit["type"] == kind and hit["title"] == name:
                return hit["doc_id"]
        if found["next_page"] is None:
            raise LookupError(f"no {kind} titled {name!r} in the results")
        page = found["next_page"]


def _read(doc_id: str) -> Plan:
    """Open a document; its infobox as ``{label: value}``."""
    opened = yield call("open_document", "Read its infobox.", doc_id=doc_id)
    return dict(_BOX_LINE.findall(opened["text"]))


def lookup_plan(name: str, kind: str) -> Plan:
    doc = yield from _find(name, kind)
    box = yield from _read(doc)
    return doc, box


def _follow(name: str, kind: str, relations: Sequence[str]) -> Plan:
    """From the entity named ``name``, follow ``relations`` by name; the last doc and infobox."""
    doc, box = yield from lookup_plan(name, kind)
    for relation in relations:
        name = box[LABELS[kind][relation]]
        kind = TARGET[relation]
        doc, box = yield from lookup_plan(name, kind)
    return name, doc, box


def _sentence(doc_id: str, cue: str, pattern: str) -> Plan:
    """Find ``cue`` in a document and read the value ``pattern`` captures from the sentence."""
    found = yield call("find_in_document", f"Look for '{cue}'.", doc_id=doc_id, text=cue)
    for match in found["matches"]:
        read = re.search(pattern, match["sentence"])
        if read:
            return read.group(1)
    raise LookupError(f"no sentence with {cue!r} in {doc_id}")


def _members(phrase: str, kind: str) -> Plan:
    """Every document of ``kind`` containing the exact phrase, across all result pages."""
    page, hits = 1, []
    while True:
        found = yield call(
            "search",
            f'Find every document saying "{phrase}".',
            query=f'"{phrase}"',
            k=20,
            page=page,
        )
        hits += [hit for hit in found["results"] if hit["type"] == kind]
        if found["next_page"] is None:
            return hits
        page = found["next_page"]


def _task(question: str, plan: Callable[[], Plan], literals: Sequence[str], **fields: Any) -> Task:
    return make_task(SYSTEM_PROMPT, question, plan, literals=tuple(literals), **fields)


# -------------------------------------------------------------------- families
@SUITE.family("search")
def single_fact(engine: SearchEngine, rng: np.random.Generator, difficulty: str) -> Task:
    """One fact about one entity: from its infobox, from its prose, or of an entity described."""
    index = search_index(engine)
    corpus = index.corpus
    if difficulty == "easy":
        entity = pick(rng, index.all)
        key = pick(rng, [k for k in LABELS[entity.kind] if k in entity.facts or k in entity.links])
        expect = truth(corpus, entity, key)
        question = QUESTION[(entity.kind, key)].format(mention(entity))
        wrong = index.same_fact(index.namesakes(entity), key)

        def plan() -> Plan:
            _, box = yield from lookup_plan(entity.name, entity.kind)
            text = f"{box[LABELS[entity.kind][key]]}."
            return Answer(text, (expect,), wrong_candidates(wrong, [text], question))

        return _task(question, plan, [entity.name])

    if difficulty == "medium":
        entity = pick(rng, index.all)
        key, ask, cue, pattern = PROSE[entity.kind]
        expect = truth(corpus, entity, key)
        question = ask.format(mention(entity))
        wrong = index.same_fact(index.namesakes(entity), key)

        def plan() -> Plan:
            doc = yield from _find(entity.name, entity.kind)
            value = yield from _sentence(doc, cue, pattern)
            text = f"{value}."
            return Answer(text, (expect,), wrong_candidates(wrong, [text], question))

        return _task(question, plan, [entity.name])

    if rng.random() < 0.5:
        return _described_company(index, rng)
    return _described_person(index, rng)


def _described_company(index: _Index, rng: np.random.Generator) -> Task:
    """The ticker or CEO of a company known by its industry, city and founding year."""
    corpus = index.corpus

    def signature(c: Entity) -> tuple[Any, ...]:
        return (c.facts["industry"], c.links["headquarters"], c.facts["founded"])

    companies = index.kinds["company"]
    company = _first(
        rng, companies, lambda c: sum(signature(o) == signature(c) for o in companies) == 1
    )
    industry, city = company.facts["industry"], corpus.linked(company, "headquarters").name
    founded = company.facts["founded"]
    described = f"the {industry} company headquartered in {city} that was founded in {founded}"
    ask_ticker = rng.random() < 0.5
    if ask_ticker:
        question, expect = f"What is the ticker symbol of {described}?", company.facts["ticker"]
    else:
        question, expect = f"Who is the CEO of {described}?", truth(corpus, company, "ceo")
    # The companies that fit part of the description: the same city or the same industry.
    same_city = company.links["headquarters"]
    near = [
        c
        for c in companies
        if c is not company
        and (c.links["headquarters"] == same_city or c.facts["industry"] == industry)
    ]
    wrong = index.same_fact(near, "ticker" if ask_ticker else "ceo")

    def plan() -> Plan:
        hits = yield from _members(f"headquartered in {city}", "company")
        for hit in hits:
            if f" {industry} company " not in hit["snippet"]:
                continue
            box = yield from _read(hit["doc_id"])
            if box["Founded"] != str(founded):
                continue
            if ask_ticker:
                value = yield from _sentence(hit["doc_id"], *PROSE["company"][2:])
            else:
                value = box["CEO"]
            text = f"{value} ({hit['title']})."
            return Answer(text, (expect,), wrong_candidates(wrong, [text], question))
        raise LookupError("the described company was not found")

    return _task(question, plan, [city, industry])


def _described_person(index: _Index, rng: np.random.Generator) -> Task:
    """The name of a person known by occupation, birthplace and employer."""
    corpus = index.corpus

    def signature(p: Entity) -> tuple[Any, ...]:
        return (p.facts["occupation"], p.links["birthplace"], p.links["employer"])

    people = index.kinds["person"]
    person = _first(
        rng,
        people,
        lambda p: (
            p.links["employer"] not in index.ambiguous
            and sum(signature(o) == signature(p) for o in people) == 1
        ),
    )
    occupation = person.facts["occupation"]
    city = corpus.linked(person, "birthplace").name
    employer = corpus.linked(person, "employer").name
    question = f"Who is the {occupation} born in {city} who works for {employer}? Give their name."
    # The colleagues at that employer, and the people matching the occupation and birthplace.
    near = [
        p
        for p in people
        if p is not person
        and (
            p.links["employer"] == person.links["employer"]
            or signature(p)[:2] == signature(person)[:2]
        )
    ]
    wrong = [p.name for p in near]

    def plan() -> Plan:
        hits = yield from _members(f"worked at {employer}", "person")
        for hit in hits:
            if f" {occupation} who " not in hit["snippet"]:
                continue
            box = yield from _read(hit["doc_id"])
            if box["Birthplace"] == city:
                text = f"{hit['title']}."
                return Answer(text, (person.name,), wrong_candidates(wrong, [text], question))
        raise LookupError("the described person was not found")

    return _task(question, plan, [occupation, city, employer])


def _chain(index: _Index, rng: np.random.Generator, length: int) -> tuple[Entity, list[str]]:
    """A start entity and ``length`` relations to follow from it, never visiting one twice."""
    for _ in range(100):
        start = pick(rng, index.all)
        entity, seen, relations = start, {start.id}, []
        while len(relations) < length:
            options = [r for r in HOPS[entity.kind] if entity.links[r] not in seen]
            if not options:
                break
            relation = pick(rng, options)
            relations.append(relation)
            entity = index.corpus.linked(entity, relation)
            seen.add(entity.id)
        if len(relations) == length:
            return start, relations
    raise LookupError("no chain of that length")


def _end(corpus: Corpus, start: Entity, relations: Sequence[str]) -> Entity:
    entity = start
    for relation in relations:
        entity = corpus.linked(entity, relation)
    return entity


def _described(start: Entity, relations: Sequence[str]) -> str:
    text = mention(start)
    for relation in relations:
        text = PHRASE[relation].format(text)
    return text


@SUITE.family("search")
def multi_hop(engine: SearchEngine, rng: np.random.Generator, difficulty: str) -> Task:
    """Follow a chain of references across 2, 3 or 4 documents to one fact."""
    index = search_index(engine)
    corpus = index.corpus
    docs = {"easy": 2, "medium": 3, "hard": 4}[difficulty]
    ask_name = rng.random() < 0.4
    start, relations = _chain(index, rng, docs if ask_name else docs - 1)
    if ask_name:
        *walk, last = relations
        before = _end(corpus, start, walk)
        question = QUESTION[(before.kind, last)].format(_described(start, walk))
        expect = truth(corpus, before, last)
        wrong = _sibling_links(index, before, last)
    else:
        end = _end(corpus, start, relations)
        key = pick(rng, [k for k in LABELS[end.kind] if k in end.facts])
        question = QUESTION[(end.kind, key)].format(_described(start, relations))
        expect = truth(corpus, end, key)
        wrong = _chain_facts(corpus, start, relations, key)
        wrong += index.same_fact(index.namesakes(end), key)

    def plan() -> Plan:
        if ask_name:
            *walk, last = relations
            _, _, box = yield from _follow(start.name, start.kind, walk)
            value = box[LABELS[_end(corpus, start, walk).kind][last]]
        else:
            _, _, box = yield from _follow(start.name, start.kind, relations)
            value = box[LABELS[_end(corpus, start, relations).kind][key]]
        text = f"{value}."
        right = [text, *_on_the_way(corpus, start, relations)]
        return Answer(text, (expect,), wrong_candidates(wrong, right, question))

    return _task(question, plan, [start.name])


def _sibling_links(index: _Index, entity: Entity, relation: str) -> list[str]:
    """The names a careless reply gives for ``entity``'s ``relation``: another link of the same
    kind (its founder when asked for its CEO), or the same link of a namesake's page."""
    kind, corpus = TARGET[relation], index.corpus
    wrong = [
        corpus.entities[target].name
        for other, target in entity.links.items()
        if other != relation and TARGET.get(other) == kind
    ]
    return wrong + index.same_fact(index.namesakes(entity), relation)


def _on_the_way(corpus: Corpus, start: Entity, relations: Sequence[str]) -> list[str]:
    """The names of the entities a chain passes through, which a right reply may well state."""
    names, entity = [start.name], start
    for relation in relations:
        entity = corpus.linked(entity, relation)
        names.append(entity.name)
    return names


def _chain_facts(corpus: Corpus, start: Entity, relations: Sequence[str], key: str) -> list[str]:
    """``key`` as the other entities of the chain state it: a reply that stopped a hop short
    reads the right fact off the wrong page."""
    entity, out = start, []
    for relation in relations:
        out.append(entity)
        entity = corpus.linked(entity, relation)
    return [truth(corpus, e, key) for e in out if key in e.facts]


@SUITE.family("search")
def comparison(engine: SearchEngine, rng: np.random.Generator, difficulty: str) -> Task:
    """Which of two (easy, medium) or three (hard) entities has the larger or smaller value."""
    index = search_index(engine)
    corpus = index.corpus
    count = 3 if difficulty == "hard" else 2
    options = COMPARISONS if difficulty == "easy" else [c for c in COMPARISONS if c[0] in INTO]
    for _ in range(200):
        kind, key, best, comparative, superlative = pick(rng, options)
        relation = None if difficulty == "easy" else pick(rng, INTO[kind])
        source = kind if relation is None else SOURCE[relation]
        picked = rng.choice(len(index.kinds[source]), size=count, replace=False)
        starts = [index.kinds[source][int(i)] for i in picked]
        ends = [s if relation is None else corpus.linked(s, relation) for s in starts]
        if not all(key in e.facts for e in ends):
            continue
        values = [e.facts[key] for e in ends]
        if len(set(values)) == count and _distinct([e.name for e in ends]):
            break
    else:
        raise LookupError("no comparable entities")
    winner = ends[values.index(best(values))]
    losers = [e.name for e in ends if e is not winner]
    label = LABELS[kind][key]
    if relation is None:
        named = [mention(e) for e in ends]
        suffix = "Answer with just its name."
    else:
        named = [PHRASE[relation].format(mention(s)) for s in starts]
        suffix = f"Answer with just the {kind}'s name."
    if count == 2:
        question = f"Which {comparative}: {named[0]} or {named[1]}? {suffix}"
    else:
        question = f"Which {superlative}: {named[0]}, {named[1]} or {named[2]}? {suffix}"

    def plan() -> Plan:
        seen: list[tuple[float, str]] = []
        for start in starts:
            steps = [] if relation is None else [relation]
            name, _, box = yield from _follow(start.name, start.kind, steps)
            seen.append((_number(box[label]), name))
        chosen = best(seen, key=lambda pair: pair[0])
        text = f"{chosen[1]}."
        return Answer(text, (winner.name,), wrong_candidates(losers, [text], question))

    def only_winner(world: Any, answer: str | None) -> dict[str, bool]:
        return {"names_only_the_answer": answer_excludes(answer, losers)}

    return _task(question, plan, [s.name for s in starts], extra_check=only_winner)


@SUITE.family("search")
def aggregation(engine: SearchEngine, rng: np.random.Generator, difficulty: str) -> Task:
    """Count (easy), sum (medium) or count through a second lookup (hard) across documents."""
    index = search_index(engine)
    if difficulty == "easy":
        relation = pick(rng, list(MEMBERSHIPS))
        kind, noun, verb, phrase = MEMBERSHIPS[relation]
        target = _first(
            rng,
            index.kinds[TARGET[relation]],
            lambda t: (
                t.id not in index.ambiguous
                and 1 <= len(index.members(relation, t)) <= 2 * MAX_MEMBERS
            ),
        )
        total = len(index.members(relation, target))
        question = f"How many {noun} in the encyclopedia {verb} {target.name}?"
        # The counts of the other ways a document may refer to the target ("born in" for "held
        # in"): the figure a reply that searched the bare name would give.
        wrong = [
            str(len(index.members(other, target)))
            for other in MEMBERSHIPS
            if other != relation and TARGET[other] == TARGET[relation]
        ]

        def plan() -> Plan:
            hits = yield from _members(phrase.format(target.name), kind)
            text = f"{len(hits)}."
            return Answer(text, (str(total),), wrong_candidates(wrong, [text], question))

        return _task(question, plan, [target.name])

    if difficulty == "medium":
        relation, key, ask = pick(rng, SUMS)
        kind, _, _, phrase = MEMBERSHIPS[relation]
        target = _first(
            rng,
            index.kinds[TARGET[relation]],
            lambda t: (
                t.id not in index.ambiguous
                and 2 <= len(index.members(relation, t)) <= MAX_MEMBERS
                and all(key in m.facts for m in index.members(relation, t))
            ),
        )
        total = sum(m.facts[key] for m in index.members(relation, target))
        label = LABELS[kind][key]
        # A sum that missed one document, beside every figure a right reply may list.
        parts = [m.facts[key] for m in index.members(relation, target)]
        wrong = [str(total - part) for part in parts]
        right = [str(part) for part in parts] + [str(len(parts))]
        question = ask.format(target.name)

        def plan() -> Plan:
            hits = yield from _members(phrase.format(target.name), kind)
            summed = 0
            for hit in hits:
                box = yield from _read(hit["doc_id"])
                summed += int(_number(box[label]))
            text = f"{summed:,}."
            return Answer(text, (str(total),), wrong_candidates(wrong, [text, *right], question))

        return _task(question, plan, [target.name])

    inner = pick(rng, ["employer", "manufacturer"])
    kind, noun, verb, inner_phrase = MEMBERSHIPS[inner]

    def companies(city: Entity) -> list[Entity]:
        return index.members("headquarters", city)

    def counted(city: Entity) -> int:
        return sum(len(index.members(inner, co)) for co in companies(city))

    city = _first(
        rng,
        index.kinds["city"],
        lambda c: (
            2 <= len(companies(c)) <= 6
            and not any(co.id in index.ambiguous for co in companies(c))
            and counted(c) > 0  # "none" is an answer no exact check reads as 0
        ),
    )
    total = counted(city)
    question = f"How many {noun} in the encyclopedia {verb} companies headquartered in {city.name}?"
    # The count through the other relation (products for people), or missing one company.
    other = "manufacturer" if inner == "employer" else "employer"
    each = [len(index.members(inner, co)) for co in companies(city)]
    wrong = [str(sum(len(index.members(other, co)) for co in companies(city)))]
    wrong += [str(total - n) for n in each]
    right = [str(n) for n in each] + [str(len(each))]

    def plan() -> Plan:
        found = yield from _members(f"headquartered in {city.name}", "company")
        counted_total = 0
        for hit in found:
            hits = yield from _members(inner_phrase.format(hit["title"]), kind)
            counted_total += len(hits)
        text = f"{counted_total}."
        return Answer(text, (str(total),), wrong_candidates(wrong, [text, *right], question))

    return _task(question, plan, [city.name])


@SUITE.family("search")
def date_arithmetic(engine: SearchEngine, rng: np.random.Generator, difficulty: str) -> Task:
    """Years between two dated facts, on two pages (easy) or reached through links."""
    index = search_index(engine)
    corpus = index.corpus
    if difficulty == "easy":  # a gap of 0 years reads as "the same year": ask for a real gap
        product = _first(
            rng,
            index.kinds["product"],
            lambda p: p.facts["launched"] > corpus.linked(p, "manufacturer").facts["founded"],
        )
        maker = corpus.linked(product, "manufacturer")
        years = product.facts["launched"] - maker.facts["founded"]
        question = f"How many years after {maker.name} was founded was {mention(product)} launched?"
        right = [str(product.facts["launched"]), str(maker.facts["founded"])]

        def plan() -> Plan:
            _, box = yield from lookup_plan(product.name, "product")
            _, maker_box = yield from lookup_plan(maker.name, "company")
            diff = int(box["Launched"]) - int(maker_box["Founded"])
            return _years(f"{diff} years.", years, right, question)

        return _task(question, plan, [maker.name, product.name])

    if difficulty == "medium":

        def founder_age(c: Entity) -> int | None:
            born = corpus.linked(c, "founder").facts.get("born")
            return None if born is None or born >= c.facts["founded"] else c.facts["founded"] - born

        company = _first(rng, index.kinds["company"], lambda c: founder_age(c) is not None)
        years = founder_age(company)
        founder = corpus.linked(company, "founder")
        right = [str(company.facts["founded"]), str(founder.facts["born"])]
        # The age of the CEO instead, a person on the same page.
        ceo_born = corpus.linked(company, "ceo").facts.get("born")
        instead = [] if ceo_born is None else [company.facts["founded"] - ceo_born]
        question = (
            f"How old was the founder of {company.name} in the year {company.name} was founded? "
            "Count the difference between the two years."
        )

        def plan() -> Plan:
            _, box = yield from lookup_plan(company.name, "company")
            _, person = yield from lookup_plan(box["Founder"], "person")
            diff = int(box["Founded"]) - int(person["Born"])
            return _years(f"{diff} years old.", years, right, question, instead)

        return _task(question, plan, [company.name])

    def ceo_age(p: Entity) -> int | None:
        born = corpus.linked(corpus.linked(p, "manufacturer"), "ceo").facts.get("born")
        return None if born is None or born >= p.facts["launched"] else p.facts["launched"] - born

    product = _first(rng, index.kinds["product"], lambda p: ceo_age(p) is not None)
    years = ceo_age(product)
    maker = corpus.linked(product, "manufacturer")
    right = [str(product.facts["launched"]), str(corpus.linked(maker, "ceo").facts["born"])]
    # The age of the founder instead, the other person on the maker's page.
    founder_born = corpus.linked(maker, "founder").facts.get("born")
    instead = [] if founder_born is None else [product.facts["launched"] - founder_born]
    question = (
        f"How old was the CEO of the manufacturer of {mention(product)} in the year it was "
        "launched? Count the difference between the two years."
    )

    def plan() -> Plan:
        _, box = yield from lookup_plan(product.name, "product")
        _, maker = yield from lookup_plan(box["Manufacturer"], "company")
        _, ceo = yield from lookup_plan(maker["CEO"], "person")
        diff = int(box["Launched"]) - int(ceo["Born"])
        return _years(f"{diff} years old.", years, right, question, instead)

    return _task(question, plan, [product.name])


def _years(
    text: str, years: int, right: Sequence[str], question: str, instead: Sequence[int] = ()
) -> Answer:
    """A gap in years, with the gaps a careless count gives: one off (counting both ends or
    neither) or measured to the wrong person (``instead``); the years themselves are right to
    state."""
    wrong = [str(n) for n in (years - 1, years + 1, *instead) if n > 0]
    return Answer(text, (str(years),), wrong_candidates(wrong, [text, *right], question))


@SUITE.family("search")
def not_found(engine: SearchEngine, rng: np.random.Generator, difficulty: str) -> Task:
    """Two questions, one the corpus answers and one it does not: say which is not stated."""
    index = search_index(engine)
    corpus = index.corpus
    hops = {"easy": 0, "medium": 1, "hard": 2}[difficulty]
    for _ in range(200):
        start, relations = _chain(index, rng, hops)
        end = _end(corpus, start, relations)
        if OPTIONAL[end.kind][0] not in end.facts:
            break
    else:
        raise LookupError("no entity with an unstated fact")
    missing, cue, what, shape = OPTIONAL[end.kind]
    if relations:
        *walk, last = relations
        before = _end(corpus, start, walk)
        first = QUESTION[(before.kind, last)].format(_described(start, walk))
        present_label, expect = LABELS[before.kind][last], end.name
    else:
        key = pick(rng, [k for k in LABELS[end.kind] if k in end.facts])
        first = QUESTION[(end.kind, key)].format(mention(end))
        present_label, expect = LABELS[end.kind][key], truth(corpus, end, key)
    second = QUESTION[(end.kind, missing)].format(_described(start, relations))
    question = f"{first} {second[0].upper()}{second[1:]}"
    if relations:
        wrong = _sibling_links(index, before, last)
    else:
        wrong = index.same_fact(index.namesakes(end), key)

    walk = relations[:-1]

    def plan() -> Plan:
        if relations:
            _, _, box = yield from _follow(start.name, start.kind, walk)
            present = box[present_label]
            doc, end_box = yield from lookup_plan(present, end.kind)
        else:
            doc, end_box = yield from lookup_plan(start.name, start.kind)
            present = end_box[present_label]
        found = yield call("find_in_document", "Check the text for it too.", doc_id=doc, text=cue)
        stated = LABELS[end.kind][missing] in end_box or any(
            answer_asserts(m["sentence"], shape) for m in found["matches"]
        )
        if stated:
            raise LookupError(f"{doc} states {missing} after all")
        text = f"{present}. The encyclopedia does not state {what}."
        right = [text, *_on_the_way(corpus, start, relations)]
        return Answer(text, (expect,), wrong_candidates(wrong, right, question))

    def abstains(world: Any, answer: str | None) -> dict[str, bool]:
        return {
            "says_not_stated": answer_abstains(answer),
            "no_made_up_value": not answer_asserts(answer, shape),
        }

    return _task(question, plan, [start.name], extra_check=abstains)
