"""Ingest: read article files, extract their facts, and replace their named graphs in the store.

Each article's graph is written whole or not at all, so a bad file, an error or a kill in the
middle of a run never leaves half an article behind; a file that fails is reported with what is
wrong and the others go in.  The ontology and the reference data are (re)loaded first, and the
cross-reference links are rebuilt last.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import NamedNode, Quad, RdfFormat, parse

from .articles import ArticleError, read_article
from .config import Settings
from .extract import extract
from .graph import ArticleGraphWriter
from .links import rebuild as rebuild_links
from .reference import Reference
from .store import GraphStore

log = logging.getLogger(__name__)
ARTICLE_SUFFIXES = {".md", ".txt", ".markdown", ".text"}


@dataclass
class IngestReport:
    ingested: list[str] = field(default_factory=list)  # file paths
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file path, what is wrong)
    quads: int = 0
    links: int = 0
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (kept, replaced) sharing one slug

    @property
    def ok(self) -> bool:
        return not self.failed


def collect(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Article files under the paths (folders recursively, hidden files skipped), and paths that do not exist."""
    files, missing = [], []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in ARTICLE_SUFFIXES
                                and not any(part.startswith(".") for part in f.relative_to(p).parts)))
        elif p.is_file():
            files.append(p)
        else:
            missing.append((str(p), "no such file or folder"))
    return files, missing


def static_graphs(settings: Settings, ref: Reference) -> dict[NamedNode, list[Quad]]:
    """The ontology and the reference data, each in its own named graph."""
    m = settings.minter
    onto = m.ontology_graph
    ontology_file = settings.ontology_dir / "jha.ttl"
    graphs: dict[NamedNode, list[Quad]] = {m.reference_graph: ref.to_quads(m)}
    if ontology_file.exists():
        with ontology_file.open("rb") as f:
            graphs[onto] = [Quad(q.subject, q.predicate, q.object, onto) for q in parse(f, RdfFormat.TURTLE)]
    return graphs


def ingest(paths: Iterable[str | Path], store: GraphStore, settings: Settings, *,
           batch_size: int = 64, progress: Callable[[Iterable], Iterable] | None = None) -> IngestReport:
    report = IngestReport()
    files, missing = collect(paths)
    report.failed.extend(missing)
    ref = Reference.load(settings.reference_dir)
    store.replace_graphs(static_graphs(settings, ref))
    writer = ArticleGraphWriter(settings.minter, ref)
    batch: dict[NamedNode, list[Quad]] = {}
    source_of: dict[NamedNode, str] = {}

    def flush() -> None:
        if batch:
            store.replace_graphs(batch)
            report.ingested.extend(source_of[g] for g in batch)
            report.quads += sum(len(q) for q in batch.values())
            batch.clear()

    for path in (progress(files) if progress else files):
        try:
            article = read_article(path, max_bytes=settings.max_article_bytes)
            graph, quads = writer.quads(extract(article, ref))
        except ArticleError as e:
            report.failed.append((str(path), str(e)))
            continue
        except Exception as e:  # an extractor bug must not cost the other articles
            log.exception("extraction failed for %s", path)
            report.failed.append((str(path), f"internal error while extracting: {type(e).__name__}: {e}"))
            continue
        if graph in source_of:
            report.duplicates.append((str(path), source_of[graph]))
            if graph not in batch:  # already written: this file replaces it
                report.ingested.remove(source_of[graph])
        source_of[graph] = str(path)
        batch[graph] = quads
        if len(batch) >= batch_size:
            flush()
    flush()
    report.links = rebuild_links(store, settings.minter)
    return report
