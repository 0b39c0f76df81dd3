"""Validate a jha-graph store: SHACL shapes (``ontology/shapes.ttl``) and quality-check queries
(``queries/qc/*.rq``).

Two scopes of SHACL validation, because an entity may be described by several article graphs
(each article states what it says about a document, a meeting, an organisation):

* shapes without ``jhs:scope`` run ONCE on the union of all graphs of the store plus the ontology
  file: facts that are unique globally (an article's record, a presidency's term, a meeting's
  start date) and constraints that hold value by value (datatypes, classes, patterns);
* shapes with ``jhs:scope jhs:PerGraph`` run on EACH named graph of the store separately
  (reference, links, every article graph; the ontology graph excluded), together with the
  ontology's class hierarchy: cardinalities of facts two articles may legitimately state
  differently (a document's title and date, a meeting's label, one label per language).

Quality checks follow the ODK convention: each ``*.rq`` file of ``queries/qc`` is a SELECT whose
every row is a problem; files named ``*-violation.rq`` make the report non-conforming, files
named ``*-warning.rq`` or ``*-info.rq`` are only reported.  They run in one loop, in file-name
order, over the store with the union of all graphs as default graph.

>>> from pyoxigraph import Store
>>> report = validate(Store())
>>> report.conforms
True
>>> print(report.summary().splitlines()[0])
jha-graph validation: conforms (0 SHACL results, 0 QC rows)
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
import rdflib
from rdflib import RDF, RDFS, OWL, Graph, URIRef
from rdflib.namespace import SH

ROOT = Path(__file__).resolve().parents[2]
"""The repository root, where ``ontology/`` and ``queries/`` are."""

ONTOLOGY_PATH = ROOT / "ontology" / "jha.ttl"
SHAPES_PATH = ROOT / "ontology" / "shapes.ttl"
QC_DIR = ROOT / "queries" / "qc"

JHS = rdflib.Namespace("https://w3id.org/jha-graph/shapes#")
"""Namespace of the shapes file; ``jhs:scope jhs:PerGraph`` marks the per-graph shapes."""

_SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
_RDFLIB_DEFAULT = rdflib.graph.DATASET_DEFAULT_GRAPH_ID


@dataclass(frozen=True)
class Violation:
    """One SHACL validation result.

    ``graphs`` are the named graphs the result concerns: the graph validated, for a per-graph
    shape; for a union shape, the graphs that state the offending property of the focus node,
    or else the graphs that describe the focus node.

    >>> v = Violation("https://w3id.org/jha-graph/id/article/a", "http://purl.org/dc/terms/title",
    ...               "An article has exactly one non-empty dcterms:title (a string).",
    ...               ("https://w3id.org/jha-graph/graph/article/a",))
    >>> v.graph
    'https://w3id.org/jha-graph/graph/article/a'
    """

    focus_node: str
    path: str | None
    message: str
    graphs: tuple[str, ...] = ()
    severity: str = "Violation"
    value: str | None = None
    shape: str | None = None
    constraint: str | None = None  # local name of the constraint component, e.g. 'MinCountConstraintComponent'
    scope: str = "union"  # 'union' | 'graph'

    @property
    def graph(self) -> str | None:
        """The first graph of ``graphs`` (the only one, mostly), or None."""
        return self.graphs[0] if self.graphs else None

    def __str__(self) -> str:
        path = f" {_short(self.path)}" if self.path else ""
        value = f" | value: {_short(self.value)}" if self.value is not None else ""
        where = " | graph: " + ", ".join(f"<{g}>" for g in self.graphs) if self.graphs else ""
        return f"[{self.severity}] <{self.focus_node}>{path} | {self.message}{value}{where}"


@dataclass
class Report:
    """The outcome of :func:`validate`.

    ``conforms`` is False when there is a SHACL result of severity Violation or a row of a
    ``*-violation.rq`` quality check.  ``qc_results`` maps each quality check (the file stem,
    e.g. ``'presidency-overlap-violation'``) to its rows, each a dict from variable name to the
    value's string (IRIs without brackets; unbound variables left out).

    >>> r = Report(True, [], {"missing-label-violation": []})
    >>> r.violation_count
    0
    """

    conforms: bool
    shacl_results: list[Violation] = field(default_factory=list)
    qc_results: dict[str, list[dict]] = field(default_factory=dict)

    @property
    def violation_count(self) -> int:
        """SHACL violations plus rows of ``*-violation`` checks."""
        return sum(v.severity == "Violation" for v in self.shacl_results) + sum(
            len(rows) for rule, rows in self.qc_results.items() if _is_violation_rule(rule)
        )

    def summary(self) -> str:
        """A human-readable account: every SHACL result (focus node, path, message, graph), then
        every quality check with its rows.

        >>> print(Report(False, [Violation("urn:x", None, "broken", ("urn:g",))], {}).summary())
        jha-graph validation: does NOT conform (1 SHACL results, 0 QC rows)
        SHACL:
          [Violation] <urn:x> | broken | graph: <urn:g>
        """
        qc_rows = sum(len(rows) for rows in self.qc_results.values())
        state = "conforms" if self.conforms else "does NOT conform"
        lines = [f"jha-graph validation: {state} ({len(self.shacl_results)} SHACL results, {qc_rows} QC rows)"]
        if self.shacl_results:
            lines.append("SHACL:")
            lines += [f"  {v}" for v in self.shacl_results]
        for rule, rows in self.qc_results.items():
            if not rows:
                lines.append(f"QC {rule}: ok")
                continue
            lines.append(f"QC {rule}: {len(rows)} row(s)")
            for row in rows:
                message = row.get("message")
                if message is None:
                    message = ", ".join(f"{k}={v}" for k, v in row.items())
                lines.append(f"  <{row['s']}>: {message}" if "s" in row else f"  {message}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def validate(
    store: ox.Store | GraphStoreLike,
    shapes_path: str | Path | None = None,
    qc_dir: str | Path | None = None,
    *,
    ontology_path: str | Path | None = None,
) -> Report:
    """Validate ``store`` against the SHACL shapes and run the quality-check queries.

    ``store`` is a :class:`pyoxigraph.Store`, or one of the project's stores
    (``jha_graph.store.open_store``): an embedded store is validated in place, any other (a
    remote one) is first copied into memory.

    The ontology file is always added to the SHACL data graphs (for ``sh:targetClass`` and
    ``sh:class`` through ``rdfs:subClassOf``), whether or not the store holds it; the QC
    queries see only the store.

    >>> from pyoxigraph import Store, Quad, NamedNode, Literal
    >>> store = Store()
    >>> art = NamedNode("https://w3id.org/jha-graph/id/article/a")
    >>> g = NamedNode("https://w3id.org/jha-graph/graph/article/a")
    >>> store.add(Quad(art, NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
    ...                NamedNode("https://w3id.org/jha-graph/ontology#Article"), g))
    >>> report = validate(store)
    >>> report.conforms
    False
    >>> sorted({_short(v.path) for v in report.shacl_results})
    ['dcterms:title', 'jha:sourceFile', 'jha:sourceFormat']
    """
    store = as_pyoxigraph(store)
    shapes = Graph().parse(Path(shapes_path or SHAPES_PATH), format="turtle")
    ontology = Graph().parse(Path(ontology_path or ONTOLOGY_PATH), format="turtle")
    dataset = _to_rdflib(store)

    results = _shacl(dataset, shapes, ontology)
    qc = run_qc(store, qc_dir)
    conforms = not any(v.severity == "Violation" for v in results) and not any(
        rows for rule, rows in qc.items() if _is_violation_rule(rule)
    )
    return Report(conforms, results, qc)


def run_qc(store: ox.Store | GraphStoreLike, qc_dir: str | Path | None = None) -> dict[str, list[dict]]:
    """Run every ``*.rq`` of ``qc_dir`` (default ``queries/qc``), in file-name order, on the
    union of the store's graphs; every row is a problem.

    >>> from pyoxigraph import Store
    >>> sorted(run_qc(Store()))[:2]
    ['article-graph-without-article-violation', 'article-without-graph-violation']
    """
    store = as_pyoxigraph(store)
    results: dict[str, list[dict]] = {}
    for path in sorted(Path(qc_dir or QC_DIR).glob("*.rq")):
        try:
            solutions = store.query(path.read_text(encoding="utf-8"), use_default_graph_as_union=True)
        except (SyntaxError, ValueError, OSError) as e:
            raise ValueError(f"quality check {path.name} failed: {e}") from e
        names = [v.value for v in solutions.variables]
        results[path.stem] = [
            {name: _term_value(term) for name, term in zip(names, solution) if term is not None}
            for solution in solutions
        ]
    return results


class GraphStoreLike(Protocol):
    """What :func:`validate` needs of a store that is not a pyoxigraph Store: its quads."""

    def quads(self, graph=None) -> Iterable[ox.Quad]: ...


def as_pyoxigraph(store) -> ox.Store:
    """The pyoxigraph Store behind ``store``: itself, the ``raw`` store of an embedded
    ``jha_graph.store`` store, or a copy in memory of any other store's quads.

    >>> s = ox.Store()
    >>> as_pyoxigraph(s) is s
    True
    """
    if isinstance(store, ox.Store):
        return store
    raw = getattr(store, "raw", None)
    if isinstance(raw, ox.Store):
        return raw
    copy = ox.Store()
    copy.bulk_extend(store.quads())
    return copy


# --- SHACL -----------------------------------------------------------------------------------


def _to_rdflib(store: ox.Store) -> rdflib.Dataset:
    """The whole store as an rdflib Dataset, by one N-Quads dump and one parse."""
    dataset = rdflib.Dataset()
    data = store.dump(format=ox.RdfFormat.N_QUADS)
    if data:
        dataset.parse(data=data, format="nquads")
    return dataset


def _scoped_shapes(shapes: Graph, per_graph: bool) -> Graph:
    """A copy of ``shapes`` with the shapes of the other scope deactivated."""
    scoped = Graph()
    scoped += shapes
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)):
        is_per_graph = (shape, JHS.scope, JHS.PerGraph) in shapes
        if is_per_graph != per_graph:
            scoped.add((shape, SH.deactivated, rdflib.Literal(True)))
    return scoped


def _shacl(dataset: rdflib.Dataset, shapes: Graph, ontology: Graph) -> list[Violation]:
    import pyshacl  # imported here: it takes a while and only validation needs it

    graphs = [g for g in dataset.graphs() if g.identifier != _RDFLIB_DEFAULT or len(g)]
    ontology_graphs = {g.identifier for g in graphs if (None, RDF.type, OWL.Ontology) in g}

    union = Graph()
    union += ontology
    for g in graphs:
        union += g
    hierarchy = Graph()
    hierarchy += ontology.triples((None, RDFS.subClassOf, None))
    for og in ontology_graphs:
        hierarchy += dataset.graph(og).triples((None, RDFS.subClassOf, None))

    results: list[Violation] = []
    union_shapes = _scoped_shapes(shapes, per_graph=False)
    _, report, _ = pyshacl.validate(union, shacl_graph=union_shapes, inference="none", inplace=True)
    results += _results(report, shapes, lambda focus, path: _graphs_of(dataset, focus, path), "union")

    graph_shapes = _scoped_shapes(shapes, per_graph=True)
    for g in sorted(graphs, key=lambda g: str(g.identifier)):
        if g.identifier in ontology_graphs:
            continue
        data = Graph()
        data += hierarchy
        data += g
        name = str(g.identifier)
        _, report, _ = pyshacl.validate(data, shacl_graph=graph_shapes, inference="none", inplace=True)
        results += _results(report, shapes, lambda focus, path, name=name: (name,), "graph")
    return results


def _results(report: Graph, shapes: Graph, graphs_of, scope: str) -> list[Violation]:
    out = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        message = report.value(result, SH.resultMessage)
        shape = report.value(result, SH.sourceShape)
        component = report.value(result, SH.sourceConstraintComponent)
        severity = report.value(result, SH.resultSeverity)
        if message is None and shape is not None:
            message = shapes.value(shape, SH.message)
        path_str = _path_str(report, path)
        out.append(
            Violation(
                focus_node=_node_str(focus),
                path=path_str,
                message=str(message) if message is not None else str(component),
                graphs=tuple(graphs_of(focus, path if isinstance(path, URIRef) else None)),
                severity=_SEVERITIES.get(severity, str(severity)),
                value=_node_str(value) if value is not None else None,
                shape=_node_str(shape) if isinstance(shape, URIRef) else None,
                constraint=str(component).rsplit("#", 1)[-1] if component is not None else None,
                scope=scope,
            )
        )
    out.sort(key=lambda v: (v.focus_node, v.path or "", v.message, v.graphs))
    return out


def _graphs_of(dataset: rdflib.Dataset, focus, path: URIRef | None) -> list[str]:
    """The named graphs that state ``focus path ?o``, else those with ``focus`` as subject."""
    patterns = [(focus, path, None)] if path is not None else []
    patterns.append((focus, None, None))
    for pattern in patterns:
        found = {str(c.identifier if isinstance(c, Graph) else c) for _, _, _, c in dataset.quads(pattern)}
        found.discard(str(_RDFLIB_DEFAULT))
        if found:
            return sorted(found)
    return []


def _path_str(report: Graph, path) -> str | None:
    if path is None:
        return None
    if isinstance(path, URIRef):
        return str(path)
    inverse = report.value(path, SH.inversePath)
    if inverse is not None:
        return f"^{inverse}"
    return str(path)


def _node_str(node) -> str:
    if isinstance(node, rdflib.BNode):
        return f"_:{node}"
    return str(node)


def _term_value(term) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def _is_violation_rule(rule: str) -> bool:
    return not rule.endswith(("-warning", "-info"))


_SHORT = {
    "https://w3id.org/jha-graph/ontology#": "jha:",
    "http://purl.org/dc/terms/": "dcterms:",
    "http://www.w3.org/2004/02/skos/core#": "skos:",
    "http://www.w3.org/2000/01/rdf-schema#": "rdfs:",
    "http://www.w3.org/ns/prov#": "prov:",
    "http://purl.org/ontology/bibo/": "bibo:",
    "http://xmlns.com/foaf/0.1/": "foaf:",
    "http://www.w3.org/ns/org#": "org:",
}


def _short(iri: str | None) -> str:
    """A compact form of a well-known IRI, for messages: ``jha:startDate``."""
    if iri is None:
        return ""
    for ns, prefix in _SHORT.items():
        if iri.startswith(ns):
            return prefix + iri[len(ns):]
    return iri

