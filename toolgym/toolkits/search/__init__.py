"""The search toolkit: a generated encyclopedia and a BM25 search engine over it."""

from toolgym.toolkits.search.corpus import Corpus, Document, Entity, build_corpus
from toolgym.toolkits.search.engine import SearchEngine, build_search

__all__ = ["Corpus", "Document", "Entity", "SearchEngine", "build_corpus", "build_search"]
