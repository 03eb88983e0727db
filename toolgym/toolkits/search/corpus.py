"""A generated encyclopedia whose facts link across documents.

People, companies, cities, products and events are drawn from a seed (numpy and a seeded
Faker). Every relation points one way: a product names its manufacturer, but the company's page
does not list its products. So a question about a chain of facts is answered by following
references from page to page, and a reverse question ("which companies are based here?") only by
searching. Some facts are left out on purpose (not every company states its head count): a
question about one of them has the answer "the encyclopedia does not say".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from faker import Faker

__all__ = [
    "KINDS",
    "LABELS",
    "SIZES",
    "Corpus",
    "Document",
    "Entity",
    "build_corpus",
    "format_fact",
    "words",
]

KINDS = ("person", "company", "city", "product", "event")

# The infobox label each fact and link is shown under, per kind, in display order.
LABELS: dict[str, dict[str, str]] = {
    "person": {
        "occupation": "Occupation",
        "born": "Born",
        "birthplace": "Birthplace",
        "employer": "Employer",
        "employed_since": "Employed since",
    },
    "company": {
        "industry": "Industry",
        "founded": "Founded",
        "founder": "Founder",
        "ceo": "CEO",
        "headquarters": "Headquarters",
        "employees": "Employees",
    },
    "city": {
        "country": "Country",
        "population": "Population",
        "founded": "Founded",
        "elevation": "Elevation",
        "mayor": "Mayor",
    },
    "product": {
        "category": "Category",
        "manufacturer": "Manufacturer",
        "launched": "Launched",
        "price": "Price",
    },
    "event": {
        "year": "Year",
        "location": "Location",
        "organizer": "Organizer",
        "keynote": "Keynote speaker",
        "attendance": "Attendance",
    },
}

SIZES: dict[str, dict[str, int]] = {
    "small": {"city": 12, "company": 24, "person": 80, "product": 40, "event": 30},
    "default": {"city": 30, "company": 60, "person": 200, "product": 120, "event": 80},
    "large": {"city": 80, "company": 200, "person": 800, "product": 400, "event": 300},
}
PAGE_CHARS = 420

INDUSTRIES = (
    "robotics", "fintech", "biotech", "logistics", "media", "energy", "retail", "aerospace",
    "gaming", "agriculture", "telecom", "security",
)  # fmt: skip
OCCUPATIONS = (
    "engineer", "chemist", "architect", "designer", "economist", "journalist", "lawyer",
    "physician", "data scientist", "accountant", "pilot", "geologist", "product manager",
    "software developer", "historian", "photographer", "translator", "urban planner",
    "biologist", "statistician",
)  # fmt: skip
CATEGORIES = (
    "drone", "smartphone", "laptop", "e-bike", "espresso machine", "smartwatch", "headset",
    "camera", "router", "tablet", "robot vacuum", "3D printer",
)  # fmt: skip
PRODUCT_LINES = (
    "Aurora", "Nimbus", "Vertex", "Quasar", "Falcon", "Ember", "Pulse", "Orbit", "Cascade",
    "Zephyr", "Onyx", "Lumen", "Atlas", "Nova", "Vortex", "Halo", "Prism", "Titan", "Echo",
    "Glide", "Kestrel", "Lynx", "Monarch", "Nomad", "Opal", "Pioneer", "Quill", "Raven",
    "Sable", "Tundra", "Umbra", "Vela", "Willow", "Xenon", "Yarrow", "Zenith", "Cobalt",
    "Juniper", "Solstice", "Meridian",
)  # fmt: skip
PRODUCT_MODELS = (
    "X1", "X2", "X5", "Pro", "Pro 2", "Mini", "Air", "S7", "300", "500", "Max", "Lite", "One",
    "GT", "Ultra",
)  # fmt: skip
EVENT_ADJECTIVES = (
    "Global", "International", "Northern", "Open", "Future", "Pacific", "Atlantic", "Grand",
    "Metro", "Continental", "Coastal", "Highland",
)  # fmt: skip
EVENT_TOPICS = (
    "Robotics", "Fintech", "Design", "Energy", "Biotech", "Gaming", "Logistics", "Media",
    "Health", "Climate", "Food", "Security",
)  # fmt: skip
EVENT_KINDS = ("Summit", "Expo", "Forum", "Conference", "Festival", "Week")
THEME_WORDS = (
    ("Bold", "Open", "Shared", "Quiet", "Bright", "New", "Distant", "Connected", "Living"),
    ("Horizons", "Futures", "Frontiers", "Signals", "Bridges", "Foundations", "Currents"),
)
NICKNAMES = (
    "Bridges", "Lanterns", "Gardens", "Bells", "Fountains", "Towers", "Kites", "Mills",
    "Orchards", "Harbors", "Spires", "Lakes", "Markets", "Winds",
)  # fmt: skip
COUNTRIES = (
    "Norway", "Chile", "Portugal", "Kenya", "Canada", "Japan", "Ireland", "Uruguay", "Finland",
    "Morocco", "Vietnam", "Estonia", "Peru", "Ghana", "Austria", "Malaysia",
)  # fmt: skip
TRAITS = ("meticulous", "outspoken", "generous", "relentless", "quietly ambitious", "witty")
MONTHS = ("March", "May", "August", "October", "December")
LAST_YEAR = 2025


@dataclass(frozen=True)
class Entity:
    """A thing the encyclopedia has a page on: its facts, and links to other entities' ids.

    A fact missing from ``facts`` is one the encyclopedia does not state anywhere; a fact with
    no infobox label in :data:`LABELS` (a ticker symbol, a nickname) is stated only in prose.
    """

    id: str
    kind: str
    name: str
    facts: Mapping[str, Any]
    links: Mapping[str, str]


@dataclass(frozen=True)
class Document:
    """An entity's page: its text split into pages, and every sentence with its page number."""

    id: str
    title: str
    kind: str
    pages: tuple[str, ...]
    sentences: tuple[tuple[int, str], ...]

    @property
    def text(self) -> str:
        return "\n\n".join(self.pages)


@dataclass(frozen=True)
class Corpus:
    """The encyclopedia: entities (the ground truth) and the documents written about them."""

    entities: Mapping[str, Entity]
    documents: Mapping[str, Document]

    def of_kind(self, kind: str) -> list[Entity]:
        return [e for e in self.entities.values() if e.kind == kind]

    def linked(self, entity: Entity, relation: str) -> Entity:
        return self.entities[entity.links[relation]]

    def by_name(self, kind: str, name: str) -> Entity:
        return next(e for e in self.entities.values() if e.kind == kind and e.name == name)


_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """Lower-case word tokens, the unit exact-phrase matching works on."""
    return _WORD.findall(text.casefold())


def format_fact(kind: str, fact: str, value: Any) -> str:
    """A fact's value as the encyclopedia writes it (``1,234,567``, ``$249.99``, ``312 m``)."""
    if fact in ("population", "employees", "attendance"):
        return f"{value:,}"
    if fact == "price":
        return f"${value:,.2f}"
    if fact == "elevation":
        return f"{value:,} m"
    return str(value)


class _Draw:
    """The seeded sources of one world: numpy for choices and numbers, Faker for names."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.fake = Faker("en_US")
        self.fake.seed_instance(int(self.rng.integers(2**31)))
        self._taken: set[str] = set()

    def pick(self, items: Sequence[Any]) -> Any:
        return items[int(self.rng.integers(len(items)))]

    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def year(self, low: int, high: int) -> int:
        return int(self.rng.integers(low, high + 1))

    def unique(self, make: Callable[[], str]) -> str:
        """A name no other entity has, compared without case or punctuation."""
        for _ in range(200):
            name = make()
            key = " ".join(words(name))
            if key and key not in self._taken:
                self._taken.add(key)
                return name
        raise RuntimeError("could not draw a unique name; the world size is too large")


def build_corpus(seed: int, size: str = "default") -> Corpus:
    """Generate the encyclopedia of ``seed``: the same seed gives the same corpus anywhere."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {sorted(SIZES)}, got {size!r}")
    counts = SIZES[size]
    draw = _Draw(seed)
    rng = draw.rng
    ids: set[str] = set()

    def new_id(kind: str, name: str) -> str:
        base = f"{kind}/" + "-".join(words(name))
        doc_id, n = base, 2
        while doc_id in ids:
            doc_id, n = f"{base}-{n}", n + 1
        ids.add(doc_id)
        return doc_id

    facts: dict[str, dict[str, Any]] = {}
    links: dict[str, dict[str, str]] = {}
    names: dict[str, str] = {}
    kinds: dict[str, list[str]] = {kind: [] for kind in KINDS}
    pronouns: dict[str, tuple[str, str, str]] = {}

    def add(kind: str, name: str, fact: dict[str, Any]) -> str:
        eid = new_id(kind, name)
        names[eid], facts[eid], links[eid] = name, fact, {}
        kinds[kind].append(eid)
        return eid

    for _ in range(counts["city"]):
        fact = {
            "country": draw.pick(COUNTRIES),
            "population": int(10 ** rng.uniform(4.0, 6.8)),
            "founded": draw.year(1100, 1950),
            "nickname": f"City of {draw.pick(NICKNAMES)}",
        }
        if draw.chance(0.75):
            fact["elevation"] = draw.year(2, 2400)
        add("city", draw.unique(draw.fake.city), fact)

    tickers: set[str] = set()
    for _ in range(counts["company"]):
        name = draw.unique(draw.fake.company)
        fact = {"industry": draw.pick(INDUSTRIES), "founded": draw.year(1970, 2022)}
        if draw.chance(0.7):
            fact["employees"] = int(10 ** rng.uniform(1.5, 5.0))
        letters = [c for c in name.upper() if c.isalpha()]
        ticker = ""
        while not ticker or ticker in tickers:
            ticker = "".join(draw.pick(letters) for _ in range(int(rng.integers(3, 5))))
        tickers.add(ticker)
        fact["ticker"] = ticker
        eid = add("company", name, fact)
        links[eid]["headquarters"] = draw.pick(kinds["city"])

    companies = kinds["company"]
    staff: dict[str, list[str]] = {c: [] for c in companies}
    for i in range(counts["person"]):
        female = draw.chance(0.5)
        first = draw.fake.first_name_female if female else draw.fake.first_name_male
        name = draw.unique(lambda first=first: f"{first()} {draw.fake.last_name()}")
        employer = companies[i] if i < len(companies) else draw.pick(companies)
        fact: dict[str, Any] = {"occupation": draw.pick(OCCUPATIONS)}
        born = draw.year(1940, 2000) if draw.chance(0.8) else None
        if born is not None:
            fact["born"] = born
        earliest = max(facts[employer]["founded"], (born or 1975) + 20)
        fact["employed_since"] = draw.year(min(earliest, LAST_YEAR), LAST_YEAR)
        fact["alma_mater"] = draw.pick(
            [
                f"University of {draw.fake.city()}",
                f"{draw.fake.last_name()} Institute of Technology",
                f"{draw.fake.last_name()} College",
            ]
        )
        eid = add("person", name, fact)
        pronouns[eid] = ("she", "her", "her") if female else ("he", "him", "his")
        links[eid]["birthplace"] = draw.pick(kinds["city"])
        links[eid]["employer"] = employer
        staff[employer].append(eid)

    people = kinds["person"]
    for cid in companies:
        founded = facts[cid]["founded"]
        old_enough = [p for p in people if facts[p].get("born", 0) <= founded - 20]
        links[cid]["founder"] = draw.pick(old_enough or people)
        links[cid]["ceo"] = draw.pick(staff[cid])
    for city in kinds["city"]:
        natives = [p for p in people if links[p]["birthplace"] == city]
        links[city]["mayor"] = draw.pick(natives or people)

    for _ in range(counts["product"]):
        maker = draw.pick(companies)
        name = draw.unique(lambda: f"{draw.pick(PRODUCT_LINES)} {draw.pick(PRODUCT_MODELS)}")
        fact = {
            "category": draw.pick(CATEGORIES),
            "launched": draw.year(max(facts[maker]["founded"], 1990), LAST_YEAR),
        }
        if draw.chance(0.75):
            fact["price"] = round(float(rng.integers(19, 2500)) + 0.99, 2)
        eid = add("product", name, fact)
        links[eid]["manufacturer"] = maker
        links[eid]["designer"] = draw.pick(staff[maker])

    for _ in range(counts["event"]):
        organizer = draw.pick(companies)
        year = draw.year(max(2000, facts[organizer]["founded"] + 1), LAST_YEAR)
        name = draw.unique(
            lambda year=year: (
                f"{draw.pick(EVENT_ADJECTIVES)} {draw.pick(EVENT_TOPICS)} "
                f"{draw.pick(EVENT_KINDS)} {year}"
            )
        )
        fact = {"year": year, "theme": f"{draw.pick(THEME_WORDS[0])} {draw.pick(THEME_WORDS[1])}"}
        if draw.chance(0.7):
            fact["attendance"] = draw.year(200, 60_000)
        eid = add("event", name, fact)
        links[eid].update(
            location=draw.pick(kinds["city"]), organizer=organizer, keynote=draw.pick(people)
        )

    entities = {
        eid: Entity(eid, kind, names[eid], facts[eid], links[eid])
        for kind in KINDS
        for eid in kinds[kind]
    }
    writer = _Writer(draw, entities, kinds, pronouns)
    documents = {eid: writer.document(entity) for eid, entity in entities.items()}
    return Corpus(entities, documents)


class _Writer:
    """Turns an entity into a page: an infobox, a lead paragraph, then prose and asides.

    The asides mention other entities on purpose (a former employer, a sponsor, a twin city), so
    a search for a name also finds pages that merely mention it.
    """

    def __init__(
        self,
        draw: _Draw,
        entities: Mapping[str, Entity],
        kinds: Mapping[str, list[str]],
        pronouns: Mapping[str, tuple[str, str, str]],
    ) -> None:
        self.draw = draw
        self.entities = entities
        self.kinds = kinds
        self.pronouns = pronouns
        self.roles: dict[str, list[str]] = {eid: [] for eid in entities}
        for entity in entities.values():
            if entity.kind == "company":
                founder, ceo = entity.links["founder"], entity.links["ceo"]
                self.roles[founder].append(f"is known as the founder of {entity.name}")
                self.roles[ceo].append(f"serves as chief executive of {entity.name}")
            elif entity.kind == "city":
                self.roles[entity.links["mayor"]].append(f"is the mayor of {entity.name}")

    def name(self, eid: str) -> str:
        return self.entities[eid].name

    def other(self, kind: str, *avoid: str) -> str:
        """The name of a random entity of ``kind`` other than ``avoid``."""
        while True:
            eid = self.draw.pick(self.kinds[kind])
            if eid not in avoid:
                return self.name(eid)

    def sponsorship(self, founded: int) -> str:
        """An aside about an event the company sponsored, never one held before it existed."""
        events = [self.entities[e] for e in self.kinds["event"]]
        later = [e.name for e in events if e.facts["year"] >= founded]
        if not later:
            return "The company sponsors several local sports clubs."
        return f"The company sponsored the {self.draw.pick(later)}."

    def document(self, entity: Entity) -> Document:
        infobox = [f"Type: {entity.kind}"]
        for key, label in LABELS[entity.kind].items():
            if key in entity.facts:
                infobox.append(f"{label}: {format_fact(entity.kind, key, entity.facts[key])}")
            elif key in entity.links:
                infobox.append(f"{label}: {self.name(entity.links[key])}")
        lead, prose, asides = getattr(self, f"_{entity.kind}")(entity)
        chosen = self.draw.rng.choice(len(asides), size=3, replace=False)
        rest = [prose, *(asides[int(i)] for i in chosen)]
        body = [rest[int(i)] for i in self.draw.rng.permutation(len(rest))]
        cut = int(self.draw.rng.integers(1, len(body)))
        paragraphs = [infobox, lead, body[:cut], body[cut:]]
        return _paginate(entity, paragraphs)

    def _person(self, e: Entity) -> tuple[list[str], str, list[str]]:
        she, her_obj, her = self.pronouns[e.id]
        She = she.capitalize()
        f, employer = e.facts, self.name(e.links["employer"])
        born = f" in {f['born']}" if "born" in f else ""
        lead = [
            f"{e.name} is {_a(f['occupation'])} who has worked at {employer} since "
            f"{f['employed_since']}.",
            f"{She} was born in {self.name(e.links['birthplace'])}{born}.",
        ]
        lead += [f"{She} {role}." for role in self.roles[e.id]]
        prose = f"{She} studied at {f['alma_mater']} before starting {her} career."
        asides = [
            f"Before joining {employer}, {she} worked briefly at "
            f"{self.other('company', e.links['employer'])}.",
            f"{She} is a frequent visitor to {self.other('city', e.links['birthplace'])}.",
            f"{She} attended the {self.other('event')}.",
            f"{She} has written widely about {self.draw.pick(INDUSTRIES)}.",
            f"Colleagues describe {her_obj} as {self.draw.pick(TRAITS)}.",
            f"{She} once shared a stage with {self.other('person', e.id)}.",
        ]
        return lead, prose, asides

    def _company(self, e: Entity) -> tuple[list[str], str, list[str]]:
        f = e.facts
        lead = [
            f"{e.name} is {_a(f['industry'])} company headquartered in "
            f"{self.name(e.links['headquarters'])}.",
            f"It was founded in {f['founded']} by {self.name(e.links['founder'])}.",
            f"{self.name(e.links['ceo'])} is its chief executive.",
        ]
        if "employees" in f:
            lead.append(f"The company employs {f['employees']:,} people.")
        prose = f"Its shares trade under the ticker symbol {f['ticker']}."
        later = self.draw.year(f["founded"], LAST_YEAR)
        asides = [
            f"{e.name} opened a regional office in "
            f"{self.other('city', e.links['headquarters'])} in {later}.",
            f"It competes with {self.other('company', e.id)} in several markets.",
            self.sponsorship(f["founded"]),
            f"Analysts often compare its strategy with that of {self.other('company', e.id)}.",
            f"In {later}, it announced a partnership with {self.other('company', e.id)}.",
        ]
        return lead, prose, asides

    def _city(self, e: Entity) -> tuple[list[str], str, list[str]]:
        f = e.facts
        lead = [
            f"{e.name} is a city in {f['country']} with a population of {f['population']:,}.",
            f"It was founded in {f['founded']}.",
            f"Its mayor is {self.name(e.links['mayor'])}.",
        ]
        if "elevation" in f:
            lead.append(f"The city lies at an elevation of {f['elevation']:,} metres.")
        prose = f"Locals call it the {f['nickname']}."
        first, second = self.draw.rng.choice(len(INDUSTRIES), size=2, replace=False)
        asides = [
            f"{e.name} is twinned with {self.other('city', e.id)}.",
            f"The local economy relies on {INDUSTRIES[int(first)]} and {INDUSTRIES[int(second)]}.",
            f"A well-known resident is {self.other('person')}.",
            f"The city holds a large market every {self.draw.pick(MONTHS)}.",
        ]
        return lead, prose, asides

    def _product(self, e: Entity) -> tuple[list[str], str, list[str]]:
        f = e.facts
        lead = [
            f"The {e.name} is {_a(f['category'])} manufactured by "
            f"{self.name(e.links['manufacturer'])}.",
            f"It was launched in {f['launched']}.",
        ]
        if "price" in f:
            lead.append(f"It sells for {format_fact('product', 'price', f['price'])}.")
        prose = f"It was designed by {self.name(e.links['designer'])}."
        asides = [
            f"Reviewers often compare it with the {self.other('product', e.id)}.",
            f"An updated version was previewed at the {self.other('event')}.",
            f"Early units were assembled in {self.other('city')}.",
            f"Critics praised its {self.draw.pick(('design', 'battery', 'software', 'price'))}.",
        ]
        return lead, prose, asides

    def _event(self, e: Entity) -> tuple[list[str], str, list[str]]:
        f = e.facts
        kind = e.name.split()[2].lower()
        lead = [
            f"The {e.name} was {_a(kind)} held in {self.name(e.links['location'])} in {f['year']}.",
            f"It was organized by {self.name(e.links['organizer'])}.",
            f"The keynote speaker was {self.name(e.links['keynote'])}.",
        ]
        if "attendance" in f:
            lead.append(f"It drew {f['attendance']:,} attendees.")
        prose = f'The theme of this edition was "{f["theme"]}".'
        keynote = e.links["keynote"]
        asides = [
            f"Speakers included {self.other('person', keynote)} and "
            f"{self.other('person', keynote)}.",
            f"The event was sponsored by {self.other('company', e.links['organizer'])}.",
            "Tickets sold out weeks in advance.",
            f"Coverage of the event appeared in the local press of {self.other('city')}.",
        ]
        return lead, prose, asides


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def _paginate(entity: Entity, paragraphs: list[list[str]]) -> Document:
    """Split paragraphs into pages of about ``PAGE_CHARS`` characters, never mid-paragraph."""
    pages: list[list[str]] = [[]]
    numbered: list[tuple[int, str]] = []
    size = 0
    for i, sentences in enumerate(p for p in paragraphs if p):
        text = ("\n" if i == 0 else " ").join(sentences)
        if pages[-1] and size + len(text) > PAGE_CHARS:
            pages.append([])
            size = 0
        pages[-1].append(text)
        size += len(text)
        numbered.extend((len(pages), sentence) for sentence in sentences)
    texts = ["\n\n".join(paras) for paras in pages]
    texts[0] = f"{entity.name}\n\n{texts[0]}"
    return Document(entity.id, entity.name, entity.kind, tuple(texts), tuple(numbered))
