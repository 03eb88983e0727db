"""The encyclopedia and its search engine: linked facts, BM25 ranking, phrases, paging, errors."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys

import bm25s
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolgym.core.errors import ToolError
from toolgym.toolkits.search import SearchEngine, build_corpus, build_search
from toolgym.toolkits.search.corpus import KINDS, LABELS, SIZES, format_fact, words
from toolgym.toolkits.search.engine import SNIPPET_CHARS, _tokens


@pytest.fixture(scope="module")
def engine() -> SearchEngine:
    return build_search(3)


@pytest.fixture(scope="module")
def tools(engine: SearchEngine) -> dict:
    return {t.name: t for t in engine.tools()}


def test_corpus_links_resolve_and_facts_match_the_pages(engine: SearchEngine) -> None:
    corpus = engine.corpus
    assert {e.kind for e in corpus.entities.values()} == set(KINDS)
    for entity in corpus.entities.values():
        doc = corpus.documents[entity.id]
        assert doc.title == entity.name and doc.kind == entity.kind
        for target in entity.links.values():
            assert target in corpus.entities
            assert corpus.entities[target].name in doc.text
        for key, label in LABELS[entity.kind].items():
            line = f"\n{label}: "
            if key in entity.facts:
                assert f"{line}{format_fact(entity.kind, key, entity.facts[key])}\n" in doc.text
            elif key not in entity.links:
                assert line not in doc.text  # an unstated fact is nowhere on the page


def test_some_facts_are_left_unstated(engine: SearchEngine) -> None:
    corpus = engine.corpus
    for kind, fact in [("company", "employees"), ("city", "elevation"), ("person", "born")]:
        stated = [fact in e.facts for e in corpus.of_kind(kind)]
        assert any(stated) and not all(stated), (kind, fact)


def test_chronology_is_consistent(engine: SearchEngine) -> None:
    corpus = engine.corpus
    for product in corpus.of_kind("product"):
        maker = corpus.linked(product, "manufacturer")
        assert product.facts["launched"] >= maker.facts["founded"]
    for event in corpus.of_kind("event"):
        assert event.facts["year"] > corpus.linked(event, "organizer").facts["founded"]
    for company in corpus.of_kind("company"):
        assert corpus.linked(company, "ceo").links["employer"] == company.id


def test_reverse_phrases_appear_only_on_the_referring_pages(engine: SearchEngine) -> None:
    """Exact-phrase searches that count members ("headquartered in X") see no false hits."""
    corpus = engine.corpus
    phrases = {
        "company": " headquartered in ",
        "event": " held in ",
        "product": " manufactured by ",
        "person": " worked at ",
    }
    for doc in corpus.documents.values():
        text = f" {' '.join(words(doc.text))} "
        for kind, phrase in phrases.items():
            if kind != doc.kind:
                assert phrase not in text, (doc.id, phrase)


def test_corpus_is_deterministic_and_seed_dependent() -> None:
    a, b, c = build_corpus(5, "small"), build_corpus(5, "small"), build_corpus(6, "small")
    assert a.documents == b.documents
    assert a.documents != c.documents


def test_sizes() -> None:
    small = build_corpus(1, "small")
    assert len(small.documents) == sum(SIZES["small"].values())
    with pytest.raises(ValueError, match="size must be one of"):
        build_corpus(1, "huge")


def test_search_by_name_ranks_the_entity_first(engine: SearchEngine, tools: dict) -> None:
    entities = list(engine.corpus.entities.values())
    first = 0
    for entity in entities:
        found = tools["search"]({"query": entity.name, "k": 10})
        titles = [hit["title"] for hit in found["results"]]
        assert entity.name in titles, entity.name
        first += titles[0] == entity.name
    assert first / len(entities) > 0.95


def test_search_result_shape_and_paging(engine: SearchEngine, tools: dict) -> None:
    city = engine.corpus.of_kind("city")[0]
    page1 = tools["search"]({"query": city.name, "k": 3})
    assert page1["page"] == 1 and page1["next_page"] == 2 and page1["total_results"] > 3
    assert set(page1["results"][0]) == {"doc_id", "title", "type", "snippet"}
    page2 = tools["search"]({"query": city.name, "k": 3, "page": 2})
    ids1 = [h["doc_id"] for h in page1["results"]]
    ids2 = [h["doc_id"] for h in page2["results"]]
    assert not set(ids1) & set(ids2)
    everything = tools["search"]({"query": city.name, "k": 20})["results"]
    assert [h["doc_id"] for h in everything[:6]] == ids1 + ids2
    last = -(-page1["total_results"] // 3)
    assert tools["search"]({"query": city.name, "k": 3, "page": last})["next_page"] is None
    with pytest.raises(ToolError, match="past the last page") as err:
        tools["search"]({"query": city.name, "k": 3, "page": last + 1})
    assert err.value.code == "invalid_arguments"


def test_snippets_show_the_matching_sentence(engine: SearchEngine, tools: dict) -> None:
    company = engine.corpus.of_kind("company")[2]
    ticker = company.facts["ticker"]
    hit = tools["search"]({"query": f"ticker symbol {ticker}"})["results"][0]
    assert hit["doc_id"] == company.id
    assert hit["snippet"] == f"Its shares trade under the ticker symbol {ticker}."


def test_exact_phrases_match_whole_words_only(engine: SearchEngine, tools: dict) -> None:
    corpus = engine.corpus
    city = corpus.of_kind("city")[1]
    found = tools["search"]({"query": f'"headquartered in {city.name}"', "k": 20})
    expected = {c.id for c in corpus.of_kind("company") if c.links["headquarters"] == city.id}
    assert {h["doc_id"] for h in found["results"]} == expected
    assert found["total_results"] == len(expected)
    clipped = city.name[:-1]  # "Johnview" -> "Johnvie": a phrase never matches part of a word
    assert tools["search"]({"query": f'"headquartered in {clipped}"'})["total_results"] == 0


def test_queries_without_matches_or_words(tools: dict) -> None:
    empty = tools["search"]({"query": "zzyzx quuxly"})
    assert empty["total_results"] == 0 and empty["results"] == [] and "note" in empty
    assert empty["next_page"] is None
    for query in ["", "   ", '""', "?!"]:
        with pytest.raises(ToolError) as err:
            tools["search"]({"query": query})
        assert err.value.code == "invalid_arguments"
    stop_words_only = tools["search"]({"query": "the of and"})
    assert stop_words_only["total_results"] == 0


@pytest.mark.parametrize(
    "arguments",
    [{"query": "x", "k": 0}, {"query": "x", "k": 21}, {"query": "x", "page": 0}, {"k": 3}],
)
def test_search_argument_validation(tools: dict, arguments: dict) -> None:
    with pytest.raises(ToolError) as err:
        tools["search"](arguments)
    assert err.value.code == "invalid_arguments"


def test_open_document_pages_and_errors(engine: SearchEngine, tools: dict) -> None:
    doc = next(d for d in engine.corpus.documents.values() if len(d.pages) == 2)
    first = tools["open_document"]({"doc_id": doc.id})
    assert first["pages"] == 2 and first["page"] == 1 and first["text"].startswith(doc.title)
    assert "Type: " in first["text"]
    second = tools["open_document"]({"doc_id": f"  {doc.id.upper()} ", "page": 2})
    assert second["text"] == doc.pages[1]
    with pytest.raises(ToolError, match="has 2 page"):
        tools["open_document"]({"doc_id": doc.id, "page": 3})
    with pytest.raises(ToolError, match="Did you mean") as err:
        tools["open_document"]({"doc_id": doc.id + "x"})
    assert err.value.code == "not_found"
    with pytest.raises(ToolError, match="search result"):
        tools["open_document"]({"doc_id": "nothing-like-it-at-all"})


def test_find_in_document(engine: SearchEngine, tools: dict) -> None:
    company = engine.corpus.of_kind("company")[4]
    found = tools["find_in_document"]({"doc_id": company.id, "text": "TICKER  symbol"})
    assert found["count"] == 1
    assert found["matches"][0]["sentence"].endswith(f"symbol {company.facts['ticker']}.")
    assert found["matches"][0]["page"] in (1, 2)
    none = tools["find_in_document"]({"doc_id": company.id, "text": "zebra"})
    assert none["count"] == 0 and none["matches"] == []
    with pytest.raises(ToolError, match="empty"):
        tools["find_in_document"]({"doc_id": company.id, "text": "  "})
    with pytest.raises(ToolError) as err:
        tools["find_in_document"]({"doc_id": "company/none", "text": "a"})
    assert err.value.code == "not_found"


def test_engine_is_read_only(engine: SearchEngine) -> None:
    mark = engine.snapshot()
    engine.restore(mark)
    assert engine.changes_since(mark) == []


_DIGEST = """
import hashlib, json
from toolgym.toolkits.search import build_search
engine = build_search(11, "small")
tools = {t.name: t for t in engine.tools()}
out = [sorted(engine.corpus.documents.items())]
for query in ["robotics company", '"born in" 1980', "Summit 2019", "chemist engineer"]:
    out.append(tools["search"]({"query": query, "k": 20}))
print(hashlib.sha256(json.dumps(out, default=repr).encode()).hexdigest())
"""


def test_same_seed_same_engine_in_any_process() -> None:
    here = io.StringIO()
    with contextlib.redirect_stdout(here):
        exec(_DIGEST, {})
    digests = {here.getvalue().strip()}
    for hash_seed in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        run = subprocess.run(
            [sys.executable, "-c", _DIGEST], env=env, capture_output=True, text=True, check=True
        )
        digests.add(run.stdout.strip())
    assert len(digests) == 1


@settings(max_examples=300)
@given(
    st.text(alphabet=st.sampled_from(list("aAbBéÉ1_ -'.,\"İßΣ\u00a0\n")), max_size=40) | st.text()
)
def test_query_words_are_the_words_bm25s_indexed(text: str) -> None:
    """The engine tokenizes queries itself (fast); it must split them exactly as bm25s split
    the corpus, or a query word would miss its documents."""
    expected = bm25s.tokenize(text, stopwords="en", return_ids=False, show_progress=False)[0]
    assert _tokens(text) == expected


def test_query_words_of_every_document_match_bm25s(engine: SearchEngine) -> None:
    texts = [doc.text for doc in engine.corpus.documents.values()][:300]
    expected = bm25s.tokenize(texts, stopwords="en", return_ids=False, show_progress=False)
    assert [_tokens(text) for text in texts] == expected


def _ranked_by_scanning(engine: SearchEngine, tokens: list[str], phrases: list[str]) -> list[int]:
    """The plain definition of a result list: every document scoring above zero (any document
    when the phrases are all stop words) that holds each phrase, best score first."""
    docs = range(len(engine.corpus.documents))
    scores = engine._bm25.get_scores(tokens) if tokens else [0.0] * len(docs)
    if phrases and not _tokens(" ".join(phrases)):
        candidates = list(docs)
    else:
        candidates = [i for i in docs if scores[i] > 0]
    held = [i for i in candidates if all(f" {p} " in engine._phrase_text[i] for p in phrases)]
    return sorted(held, key=lambda i: (-scores[i], i))


def _snippet_by_scanning(
    engine: SearchEngine, position: int, terms: set[str], phrases: list[str]
) -> str:
    """The plain definition of a snippet: the first sentence with the best score (100 per
    phrase it holds, 1 per query word), cut to the snippet length."""
    best, best_score = "", -1
    doc = engine._sentences[position]
    for sentence, padded in zip(doc, engine._padded_sentences[position], strict=True):
        score = 100 * sum(f" {p} " in padded for p in phrases)
        score += len(terms & set(words(sentence)))
        if score > best_score:
            best, best_score = sentence, score
    if len(best) > SNIPPET_CHARS:
        best = best[: SNIPPET_CHARS - 1].rstrip() + "…"
    return best


@st.composite
def _queries(draw: st.DrawFn, engine: SearchEngine) -> tuple[list[str], list[str]]:
    """Query words and phrases drawn from the engine's own documents (so they match), with
    stop words and words found nowhere mixed in."""
    doc = draw(st.sampled_from(list(engine.corpus.documents.values())))
    text = words(doc.text)
    start = draw(st.integers(0, max(0, len(text) - 1)))
    phrase = " ".join(text[start : start + draw(st.integers(1, 4))])
    extra = draw(st.lists(st.sampled_from([*text[:40], "the", "of", "zzyzx"]), max_size=3))
    phrases = [phrase] if draw(st.booleans()) else []
    if draw(st.booleans()):
        phrases.append(draw(st.sampled_from(["the", "of the", "in"])))
    tokens = _tokens(" ".join([*extra, *([] if phrases else [phrase])]))
    return tokens, phrases


@settings(max_examples=300)
@given(data=st.data())
def test_postings_give_the_results_and_snippets_of_a_full_scan(
    engine: SearchEngine, data: st.DataObject
) -> None:
    """Results and snippets come from word postings (fast); they must be those of scanning
    every document and sentence."""
    tokens, phrases = data.draw(_queries(engine))
    ranked = engine._ranked(tokens, phrases)
    assert ranked == _ranked_by_scanning(engine, tokens, phrases)
    terms = set(tokens)
    for position in ranked[:10]:
        expected = _snippet_by_scanning(engine, position, terms, phrases)
        assert engine._snippet(position, terms, phrases) == expected
