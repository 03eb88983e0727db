"""A search engine over the encyclopedia: BM25 ranking, exact phrases, and reading tools.

Ranking is ``bm25s`` (BM25 over a sparse index, English stop words removed); a phrase in double
quotes must appear word for word, as in web search engines. The index is built once per world,
and nothing here changes during an episode, so reset costs nothing.
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Iterable
from typing import Annotated, Any

import bm25s
import numpy as np
from bm25s.stopwords import STOPWORDS_EN
from pydantic import Field

from toolgym.core.errors import ToolError
from toolgym.core.state import Change
from toolgym.core.tool import Toolkit, tool
from toolgym.toolkits.search.corpus import Corpus, Document, build_corpus, words

__all__ = ["SearchEngine", "build_search"]

_PHRASE = re.compile(r'"([^"]*)"')
_NOWHERE = np.zeros(0, dtype=np.int64)  # the postings of a word no document holds
SNIPPET_CHARS = 200
MAX_MATCHES = 20

DocId = Annotated[
    str,
    Field(
        description="A document id from search results, e.g. 'company/acme-inc'.",
        min_length=1,
        max_length=200,
    ),
]


class SearchEngine(Toolkit):
    """Search, open and scan the documents of one :class:`Corpus` (read-only)."""

    name = "search"

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self._docs: list[Document] = list(corpus.documents.values())
        texts = [f"{d.title}\n{d.text}" for d in self._docs]
        tokens = bm25s.tokenize(texts, stopwords="en", return_ids=False, show_progress=False)
        self._bm25 = bm25s.BM25()
        self._bm25.index(tokens, show_progress=False)
        self._phrase_text = [_padded(text) for text in texts]
        # Which documents, and which sentences of each, hold a word: a phrase is looked for
        # only where all its words are, and a snippet touches only the query's words.
        self._docs_with = {
            word: np.array(found, dtype=np.int64)
            for word, found in _postings(text.split() for text in self._phrase_text).items()
        }
        self._sentences = [[sentence for _, sentence in d.sentences] for d in self._docs]
        self._padded_sentences = [[_padded(s) for s in doc] for doc in self._sentences]
        self._sentences_with = [
            _postings(padded.split() for padded in doc) for doc in self._padded_sentences
        ]

    # The engine never changes, so a snapshot has nothing to record.
    def fork(self) -> SearchEngine:
        """The corpus and its index never change: a fork shares them."""
        return copy.copy(self)

    def snapshot(self) -> None:
        return None

    def restore(self, snapshot: None) -> None:
        return None

    def changes_since(self, snapshot: None) -> list[Change]:
        return []

    # ---------------------------------------------------------------- helpers
    def _document(self, doc_id: str) -> Document:
        key = doc_id.strip().lower()
        found = self.corpus.documents.get(key)
        if found is None:
            close = difflib.get_close_matches(key, list(self.corpus.documents), n=1)
            hint = (
                f" Did you mean '{close[0]}'?"
                if close
                else " Use the doc_id of a search result, e.g. 'person/jane-doe'."
            )
            raise ToolError(
                "not_found", f"No document with id '{doc_id}'.{hint}", details={"resource": "doc"}
            )
        return found

    def _ranked(self, tokens: list[str], phrases: list[str]) -> list[int]:
        """Indices of the documents matching the query words and phrases, best first."""
        scores = self._bm25.get_scores(tokens) if tokens else np.zeros(len(self._docs))
        keep = np.flatnonzero(scores > 0)
        if phrases:
            # A document holding the phrases holds each of their words, and scores above zero
            # unless the phrases are all stop words.
            found = [self._docs_with.get(w, _NOWHERE) for p in phrases for w in p.split(" ")]
            if _tokens(" ".join(phrases)):
                found.append(keep)
            found.sort(key=len)  # the rarest first: the intersections stay small
            candidates = found[0]
            for postings in found[1:]:
                candidates = np.intersect1d(candidates, postings, assume_unique=True)
            needles = [f" {p} " for p in phrases]
            texts = self._phrase_text
            keep = np.array(
                [i for i in candidates.tolist() if all(n in texts[i] for n in needles)],
                dtype=np.int64,
            )
        # Best score first; a stable sort keeps ties in document order.
        return keep[np.argsort(-scores[keep], kind="stable")].tolist()

    def _snippet(self, position: int, terms: set[str], phrases: list[str]) -> str:
        """The sentence that best matches the query (most query words, phrases first)."""
        sentences = self._sentences[position]
        if not sentences:
            return ""
        index, padded = self._sentences_with[position], self._padded_sentences[position]
        scores: dict[int, int] = {}
        for term in terms:
            for n in index.get(term, ()):
                scores[n] = scores.get(n, 0) + 1
        for phrase in phrases:
            needle = f" {phrase} "
            for n in index.get(phrase.split(" ", 1)[0], ()):
                if needle in padded[n]:
                    scores[n] = scores.get(n, 0) + 100
        best_n, best_score = 0, 0  # with no sentence scoring, the first one
        for n, score in scores.items():
            if score > best_score or (score == best_score and n < best_n):
                best_n, best_score = n, score
        best = sentences[best_n]
        if len(best) > SNIPPET_CHARS:
            best = best[: SNIPPET_CHARS - 1].rstrip() + "…"
        return best

    # ------------------------------------------------------------------ tools
    @tool
    def search(
        self,
        query: Annotated[
            str,
            Field(
                description="Words to look for. Put an exact phrase in double quotes, e.g. "
                '"headquartered in Springfield".',
                max_length=500,
            ),
        ],
        k: Annotated[int, Field(description="Results per page (1-20).", ge=1, le=20)] = 5,
        page: Annotated[int, Field(description="Page of results, from 1.", ge=1)] = 1,
    ) -> dict[str, Any]:
        """Search the encyclopedia; returns matching documents, best first, with a snippet."""
        if not words(query):
            raise ToolError(
                "invalid_arguments",
                "'query' has no words to search for; give a name or some keywords.",
                details={"field": "query"},
            )
        tokens = _tokens(query.replace('"', " "))
        phrases = [p for p in (" ".join(words(q)) for q in _PHRASE.findall(query)) if p]
        ranked = self._ranked(tokens, phrases)
        pages = max(1, -(-len(ranked) // k))
        if page > pages:
            raise ToolError(
                "invalid_arguments",
                f"Page {page} is past the last page of results ({pages}) for this query.",
                details={"field": "page"},
            )
        terms = set(tokens)
        results = [
            {
                "doc_id": self._docs[i].id,
                "title": self._docs[i].title,
                "type": self._docs[i].kind,
                "snippet": self._snippet(i, terms, phrases),
            }
            for i in ranked[(page - 1) * k : page * k]
        ]
        out: dict[str, Any] = {
            "query": query,
            "page": page,
            "total_results": len(ranked),
            "results": results,
            "next_page": page + 1 if page < pages else None,
        }
        if not ranked:
            out["note"] = "No documents match. Try fewer or different words."
        return out

    @tool
    def open_document(
        self,
        doc_id: DocId,
        page: Annotated[int, Field(description="Page of the document, from 1.", ge=1)] = 1,
    ) -> dict[str, Any]:
        """Read one page of a document (longer documents have several pages)."""
        doc = self._document(doc_id)
        if page > len(doc.pages):
            raise ToolError(
                "invalid_arguments",
                f"Document '{doc.id}' has {len(doc.pages)} page(s); page {page} does not exist.",
                details={"field": "page"},
            )
        return {
            "doc_id": doc.id,
            "title": doc.title,
            "type": doc.kind,
            "page": page,
            "pages": len(doc.pages),
            "text": doc.pages[page - 1],
        }

    @tool
    def find_in_document(
        self,
        doc_id: DocId,
        text: Annotated[
            str,
            Field(description="Text to find (case-insensitive), e.g. 'founded'.", max_length=200),
        ],
    ) -> dict[str, Any]:
        """Find the sentences of a document that contain some text, on any of its pages."""
        doc = self._document(doc_id)
        needle = " ".join(text.split()).casefold()
        if not needle:
            raise ToolError(
                "invalid_arguments", "'text' is empty; say what to look for.",
                details={"field": "text"},
            )  # fmt: skip
        matches = [
            {"page": page, "sentence": sentence}
            for page, sentence in doc.sentences
            if needle in " ".join(sentence.split()).casefold()
        ]
        return {
            "doc_id": doc.id,
            "text": text,
            "count": len(matches),
            "matches": matches[:MAX_MATCHES],
        }


# bm25s's own tokenizer rules (``bm25s.tokenize(..., stopwords="en")``), applied directly to one
# query: the library call builds a vocabulary and progress bars per call, a third of a search.
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_STOPWORDS = frozenset(STOPWORDS_EN)


def _tokens(text: str) -> list[str]:
    """The words BM25 scores: lower-cased, English stop words and one-letter words dropped,
    exactly as bm25s tokenized the corpus (a property test holds the two together)."""
    return [token for token in _TOKEN.findall(text.lower()) if token not in _STOPWORDS]


def _postings(texts: Iterable[list[str]]) -> dict[str, list[int]]:
    """For each word, the positions of the texts (lists of words) that hold it, in order."""
    found: dict[str, list[int]] = {}
    for position, text in enumerate(texts):
        for word in dict.fromkeys(text):
            found.setdefault(word, []).append(position)
    return found


def _padded(text: str) -> str:
    """Text as space-separated words with a space at each end, for whole-word phrase tests."""
    return f" {' '.join(words(text))} "


def build_search(seed: int, size: str = "default") -> SearchEngine:
    """A search engine over the encyclopedia generated from ``seed``."""
    return SearchEngine(build_corpus(seed, size))
