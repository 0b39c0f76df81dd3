"""Content negotiation for SPARQL answers: ``Accept`` with q-values, and a ``?format=`` override.

A query's form (SELECT/ASK or CONSTRUCT/DESCRIBE) is only known once the query has been parsed, and
that happens in a query worker; so negotiation picks one format per *kind* of answer up front
(``solutions`` for SELECT/ASK, ``graph`` for CONSTRUCT/DESCRIBE), and the worker uses the one that fits.
A kind for which nothing is acceptable is ``None``, and the answer is then a 406.

>>> n = negotiate("text/csv;q=0.9, application/sparql-results+xml", [])
>>> n.solutions.name, n.graph      # nothing acceptable for CONSTRUCT: that would be a 406
('xml', None)
>>> negotiate(None, []).solutions.media_type
'application/sparql-results+json'
>>> n = negotiate("text/turtle", [])
>>> n.solutions is None, n.graph.name
(True, 'ttl')
>>> negotiate("text/html", ["csv"]).solutions.name   # ?format= wins over Accept
'csv'
>>> negotiate(None, ["json"]).graph.name             # "json" for a graph means JSON-LD
'jsonld'
"""
from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import QueryResultsFormat, RdfFormat


@dataclass(frozen=True)
class Format:
    name: str                 # the short name used by ?format= and the store's format tables
    media_type: str           # what the answer's Content-Type says
    kind: str                 # "solutions" (SELECT/ASK) or "graph" (CONSTRUCT/DESCRIBE)
    aliases: tuple[str, ...] = ()   # other media types clients send for it

    @property
    def content_type(self) -> str:
        # text/* types default to ISO-8859-1 in old clients: say UTF-8 explicitly
        return f"{self.media_type}; charset=utf-8" if self.media_type.startswith("text/") else self.media_type

    @property
    def rdf_format(self) -> RdfFormat:
        return _RDF[self.name]

    @property
    def results_format(self) -> QueryResultsFormat:
        return _RESULTS[self.name]


# Order is preference: the first is the default, and wins ties (e.g. under */*).
SOLUTION_FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", "solutions", ("application/json", "text/javascript",
                                                                      "application/javascript")),
    Format("xml", "application/sparql-results+xml", "solutions", ("application/xml", "text/xml")),
    Format("csv", "text/csv", "solutions"),
    Format("tsv", "text/tab-separated-values", "solutions"),
)
GRAPH_FORMATS: tuple[Format, ...] = (
    Format("ttl", "text/turtle", "graph", ("application/x-turtle", "application/turtle")),
    Format("nt", "application/n-triples", "graph"),
    Format("rdf", "application/rdf+xml", "graph", ("application/xml", "text/xml")),
    Format("jsonld", "application/ld+json", "graph", ("application/json", "application/x-json+ld")),
    Format("trig", "application/trig", "graph"),
    Format("nq", "application/n-quads", "graph"),
)
# Formats that can carry one graph only (the Graph Store Protocol answers with one graph).
TRIPLE_FORMATS: tuple[Format, ...] = tuple(f for f in GRAPH_FORMATS if f.name in ("ttl", "nt", "rdf", "jsonld"))
# Formats of the whole dataset (exports).
DATASET_FORMATS: tuple[Format, ...] = tuple(f for f in GRAPH_FORMATS if f.name in ("nq", "trig", "ttl", "jsonld"))

_RDF = {"ttl": RdfFormat.TURTLE, "nt": RdfFormat.N_TRIPLES, "rdf": RdfFormat.RDF_XML,
        "jsonld": RdfFormat.JSON_LD, "trig": RdfFormat.TRIG, "nq": RdfFormat.N_QUADS}
_RESULTS = {"json": QueryResultsFormat.JSON, "xml": QueryResultsFormat.XML,
            "csv": QueryResultsFormat.CSV, "tsv": QueryResultsFormat.TSV}
_BY_NAME = {f.name: f for f in SOLUTION_FORMATS + GRAPH_FORMATS}

# ?format= values (names, common spellings, media types) -> (format for solutions, format for graphs).
# One value may mean different things per kind: "json" is SPARQL JSON for SELECT and JSON-LD for CONSTRUCT.
_OVERRIDES: dict[str, tuple[str | None, str | None]] = {
    "json": ("json", "jsonld"), "srj": ("json", None), "sparql-results+json": ("json", None),
    "xml": ("xml", "rdf"), "srx": ("xml", None), "sparql-results+xml": ("xml", None),
    "csv": ("csv", None), "tsv": ("tsv", None),
    "ttl": (None, "ttl"), "turtle": (None, "ttl"),
    "nt": (None, "nt"), "ntriples": (None, "nt"), "n-triples": (None, "nt"),
    "rdf": (None, "rdf"), "rdfxml": (None, "rdf"), "rdf+xml": (None, "rdf"), "rdf/xml": (None, "rdf"),
    "jsonld": (None, "jsonld"), "json-ld": (None, "jsonld"),
    "trig": (None, "trig"), "nq": (None, "nq"), "nquads": (None, "nq"), "n-quads": (None, "nq"),
}
for _f in SOLUTION_FORMATS + GRAPH_FORMATS:
    for _mt in (_f.media_type, *_f.aliases):
        sol, gra = _OVERRIDES.get(_mt, (None, None))
        _OVERRIDES[_mt] = (sol or (_f.name if _f.kind == "solutions" else None),
                           gra or (_f.name if _f.kind == "graph" else None))

FORMAT_NAMES = ("json", "xml", "csv", "tsv", "ttl", "nt", "rdf", "jsonld", "trig", "nq")


class NegotiationError(ValueError):
    """An unknown ?format= value (400)."""


@dataclass(frozen=True)
class Negotiated:
    solutions: Format | None
    graph: Format | None


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges with their q-values, in header order; malformed q-values count as 1.

    >>> parse_accept("text/csv;q=0.5, */*;q=0.1, application/json")
    [('text/csv', 0.5), ('*/*', 0.1), ('application/json', 1.0)]
    """
    ranges = []
    for part in (header or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        if "/" not in media:
            media = "*/*" if media == "*" else media + "/*"
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value.strip())))
                except ValueError:
                    q = 1.0
        ranges.append((media, q))
    return ranges


def _quality(fmt: Format, ranges: list[tuple[str, float]]) -> float:
    """The q of the most specific range matching one of the format's media types (RFC 9110 §12.5.1)."""
    best_specificity, q = -1, 0.0
    for media in (fmt.media_type, *fmt.aliases):
        mtype, _, msub = media.partition("/")
        for rng, rq in ranges:
            rtype, _, rsub = rng.partition("/")
            if rng == media:
                specificity = 2
            elif rtype == mtype and rsub == "*":
                specificity = 1
            elif rng == "*/*":
                specificity = 0
            else:
                continue
            if specificity > best_specificity or (specificity == best_specificity and rq > q):
                best_specificity, q = specificity, rq
    return q


def choose(accept: str | None, formats: tuple[Format, ...]) -> Format | None:
    """The acceptable format with the highest q; ties go to the server's order. No Accept = the first."""
    ranges = parse_accept(accept)
    if not ranges:
        return formats[0]
    best, best_q = None, 0.0
    for fmt in formats:
        q = _quality(fmt, ranges)
        if q > best_q:
            best, best_q = fmt, q
    return best


def override(values: list[str], formats_kind: str) -> Format | None | str:
    """The format ?format= asks for, for one kind of answer; "" when no value is given at all."""
    if not values:
        return ""
    known = [_OVERRIDES[v.strip().lower()] for v in values if v.strip().lower() in _OVERRIDES]
    if not known:
        raise NegotiationError(
            f"unknown format {values[0]!r}; use one of {', '.join(FORMAT_NAMES)} (or a media type)")
    index = 0 if formats_kind == "solutions" else 1
    for pair in known:  # clients such as SPARQLWrapper send a name and a media type: first that fits wins
        if pair[index]:
            return _BY_NAME[pair[index]]
    return None


def negotiate(accept: str | None, formats: list[str]) -> Negotiated:
    """One format per kind of answer; ``formats`` are the ``?format=`` values, which win over Accept."""
    sol, gra = override(formats, "solutions"), override(formats, "graph")
    return Negotiated(
        solutions=choose(accept, SOLUTION_FORMATS) if sol == "" else sol,
        graph=choose(accept, GRAPH_FORMATS) if gra == "" else gra,
    )


def negotiate_one(accept: str | None, formats: list[str], candidates: tuple[Format, ...]) -> Format | None:
    """A format among ``candidates`` (graph formats), ``?format=`` first, else Accept, else the first."""
    chosen = override(formats, "graph")
    if chosen == "":
        return choose(accept, candidates)
    return chosen if chosen in candidates else None


def answer_schema(media_type: str) -> dict:
    """The OpenAPI schema of an answer in ``media_type``: text for the text formats, any JSON value for
    the JSON ones (SPARQL JSON results are an object, JSON-LD often an array: not a string)."""
    return {} if media_type.endswith(("/json", "+json")) else {"type": "string"}


def supported(formats: tuple[Format, ...]) -> str:
    return ", ".join(f"{f.media_type} (format={f.name})" for f in formats)


def not_acceptable_detail(kind: str, accept: str | None, candidates: tuple[Format, ...] | None = None,
                          formats: list[str] | None = None) -> str:
    candidates = candidates or (SOLUTION_FORMATS if kind == "solutions" else GRAPH_FORMATS)
    what = {"solutions": "SELECT and ASK results", "graph": "CONSTRUCT and DESCRIBE results"}.get(kind, kind)
    asked = (f"the format asked for ({', '.join(formats)})" if formats
             else f"none of the media types accepted ({accept or 'none given'})")
    return f"{asked} cannot carry {what}; supported: {supported(candidates)}"


def by_name(name: str) -> Format:
    return _BY_NAME[name]
