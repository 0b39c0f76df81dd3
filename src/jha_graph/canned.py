"""Canned queries: every ``queries/**/*.rq`` file, with a name, a description and named parameters.

A query file documents itself in its leading comment block (the ``#`` lines before the first
line of SPARQL)::

    # Timeline: every dated meeting and document, in date order, with its source article.
    # More lines of description ...
    # param: ?from xsd:date "earliest date (inclusive)" example="2024-01-01"
    # param: ?topic iri "a topic: its IRI, a prefixed name or an id path (topic/drug-trafficking)"
    # param: ?entity iri "the entity" required example="org/eurojust"

The first comment line is the title, the other plain comment lines the description.  A
``param:`` line declares one parameter: ``?name``, its type, a quoted description, then
optionally ``required`` and ``example="..."``.  Types: ``iri``, ``xsd:string``, ``xsd:date``,
``xsd:gYear``, ``xsd:integer``, ``xsd:decimal``, ``xsd:boolean``.

Values are checked against their type, turned into pyoxigraph terms and bound with
``substitutions`` (SEP-0007): they never become SPARQL text.  Two rules for query writers follow
from how substitution works:

- every parameter must appear in the SELECT projection (``SELECT ?date ?label ?from ...``);
- an optional parameter that is not given stays unbound.  Used in a triple pattern, that is all it
  takes (``?doc dcterms:subject ?topic`` matches any topic); used in a FILTER, test it with
  ``COALESCE``, not ``BOUND`` (which is false for a substituted constant too)::

      FILTER(COALESCE(STR(?from), "") = "" || STR(?date) >= STR(?from))

and a parameter used inside a sub-SELECT must be in that sub-SELECT's projection too (substitution
reaches a sub-SELECT only through its projection; queries/presidency-in-office.rq does so).
Keep a FILTER that uses a parameter in the top-level group (not inside a UNION branch or an
OPTIONAL): then a store that cannot substitute and binds the parameters with a VALUES block at
the top of the WHERE clause instead gives the same answers.  Sort by text (``STR(?date)``), not by
terms of mixed datatypes: pyoxigraph 0.5.13 aborts the process when ORDER BY compares
incomparable literals (xsd:date with xsd:gYearMonth, say).

>>> q = CannedQuery.parse("timeline", '''# Timeline: all dated things.
... # In date order.
... # param: ?from xsd:date "earliest date" example="2024-01-01"
... SELECT ?x ?from WHERE { ?x ?p ?from }''')
>>> q.title, q.description, q.params[0].name, q.params[0].required
('Timeline: all dated things.', 'In date order.', 'from', False)
>>> q.bind({"from": "2024-01-01"}, base="https://example.org/")
{<Variable value=from>: <Literal value=2024-01-01 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#date>>}
>>> q.bind({"from": "yesterday"}, base="https://example.org/")
Traceback (most recent call last):
...
jha_graph.canned.ParameterError: from: not an xsd:date (YYYY-MM-DD): 'yesterday'
"""
from __future__ import annotations

import datetime as _dt
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Variable

from .namespaces import PREFIXES, XSD

TYPES = ("iri", "xsd:string", "xsd:date", "xsd:gYear", "xsd:integer", "xsd:decimal", "xsd:boolean")
RESERVED = frozenset({"limit", "after", "format"})  # names the API uses for itself
_PARAM = re.compile(r"^#\s*param:\s*\?(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>\S+)\s*(?P<rest>.*)$")


class ParameterError(ValueError):
    """A parameter value is missing or not of its declared type; ``where`` names the parameter."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


class QueryFileError(ValueError):
    """A query file's header is malformed; the message names the file and the line."""


@dataclass(frozen=True)
class Parameter:
    """One declared parameter of a canned query."""

    name: str
    type: str
    description: str = ""
    required: bool = False
    example: str | None = None

    def to_term(self, value: str, base: str) -> NamedNode | Literal:
        """The pyoxigraph term for a value given as text; raises :class:`ParameterError`."""
        value = value.strip()
        if value == "":
            raise ParameterError(self.name, "empty value")
        if self.type == "iri":
            return parse_iri(value, base, where=self.name)
        if self.type == "xsd:string":
            return Literal(value)
        if self.type == "xsd:date":
            try:
                _dt.date.fromisoformat(value)
            except ValueError:
                raise ParameterError(self.name, f"not an xsd:date (YYYY-MM-DD): {value!r}") from None
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ParameterError(self.name, f"not an xsd:date (YYYY-MM-DD): {value!r}")
            return Literal(value, datatype=XSD.date)
        if self.type == "xsd:gYear":
            if not re.fullmatch(r"\d{4}", value):
                raise ParameterError(self.name, f"not an xsd:gYear (YYYY): {value!r}")
            return Literal(value, datatype=XSD.gYear)
        if self.type == "xsd:integer":
            if not re.fullmatch(r"[+-]?\d{1,18}", value):
                raise ParameterError(self.name, f"not an xsd:integer: {value!r}")
            return Literal(int(value))
        if self.type == "xsd:decimal":
            try:
                Decimal(value)
            except InvalidOperation:
                raise ParameterError(self.name, f"not an xsd:decimal: {value!r}") from None
            if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", value):
                raise ParameterError(self.name, f"not an xsd:decimal: {value!r}")
            return Literal(value, datatype=XSD.decimal)
        if self.type == "xsd:boolean":
            if value not in ("true", "false", "1", "0"):
                raise ParameterError(self.name, f"not an xsd:boolean (true/false): {value!r}")
            return Literal(value in ("true", "1"))
        raise ParameterError(self.name, f"unknown parameter type {self.type}")  # pragma: no cover

    def to_json(self) -> dict:
        return {"name": self.name, "type": self.type, "description": self.description,
                "required": self.required, "example": self.example}


def parse_iri(value: str, base: str, where: str = "iri") -> NamedNode:
    """An IRI from an absolute IRI, a prefixed name of ``PREFIXES`` or an id path under the base.

    >>> parse_iri("jha:Agency", "https://example.org/").value
    'https://w3id.org/jha-graph/ontology#Agency'
    >>> parse_iri("org/eurojust", "https://example.org/").value
    'https://example.org/id/org/eurojust'
    >>> parse_iri("<script>", "https://example.org/")
    Traceback (most recent call last):
    ...
    jha_graph.canned.ParameterError: iri: not an IRI, a prefixed name or an id path: '<script>'
    """
    value = value.strip()
    if value.startswith("<") and value.endswith(">") and ":" in value:
        value = value[1:-1]
    prefix, colon, local = value.partition(":")
    if colon and prefix in PREFIXES and not local.startswith("//"):
        candidate = PREFIXES[prefix] + local
    elif colon and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", prefix):
        candidate = value
    elif not colon and re.fullmatch(r"[a-z]+/[A-Za-z0-9._~/-]+", value):
        candidate = base + "id/" + value
    else:
        raise ParameterError(where, f"not an IRI, a prefixed name or an id path: {value!r}")
    if re.search(r"[\s<>\"{}|\\^`]", candidate):
        raise ParameterError(where, f"not an IRI, a prefixed name or an id path: {value!r}")
    try:
        return NamedNode(candidate)
    except ValueError as e:
        raise ParameterError(where, f"not a valid IRI ({e}): {value!r}") from None


@dataclass(frozen=True)
class CannedQuery:
    """A query file: its name (path under ``queries/`` without ``.rq``), header and text."""

    name: str
    sparql: str
    title: str = ""
    description: str = ""
    params: tuple[Parameter, ...] = field(default_factory=tuple)
    path: str | None = None

    @classmethod
    def parse(cls, name: str, text: str, path: str | None = None) -> CannedQuery:
        title, lines, params = "", [], []
        for n, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line:
                if title:
                    lines.append("")
                continue
            if not line.startswith("#"):
                break
            m = _PARAM.match(line)
            if m:
                params.append(_parse_param(m, path or name, n))
                continue
            if re.match(r"^#\s*param\b", line):
                raise QueryFileError(f"{path or name}:{n}: malformed param line (want: "
                                     f'# param: ?name type "description" [required] [example="..."])')
            body = line.lstrip("#").strip()
            if not title:
                title = body
            else:
                lines.append(body)
        names = [p.name for p in params]
        duplicated = {x for x in names if names.count(x) > 1}
        if duplicated:
            raise QueryFileError(f"{path or name}: parameter declared twice: {', '.join(sorted(duplicated))}")
        paragraphs = re.split(r"\n\s*\n", "\n".join(lines).strip())
        description = "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())
        return cls(name=name, sparql=text, title=title, description=description, params=tuple(params), path=path)

    def bind(self, values: Mapping[str, str], base: str) -> dict[Variable, NamedNode | Literal]:
        """Substitutions for the values given; raises :class:`ParameterError` naming the parameter."""
        declared = {p.name: p for p in self.params}
        unknown = sorted(set(values) - set(declared))
        if unknown:
            allowed = ", ".join(sorted(declared)) or "none"
            raise ParameterError(unknown[0], f"unknown parameter of query {self.name} (parameters: {allowed})")
        out: dict[Variable, NamedNode | Literal] = {}
        for p in self.params:
            value = values.get(p.name)
            if value is None or value == "":
                if p.required:
                    raise ParameterError(p.name, f"required parameter of query {self.name}")
                continue
            out[Variable(p.name)] = p.to_term(value, base)
        return out

    def to_json(self) -> dict:
        return {"name": self.name, "title": self.title, "description": self.description,
                "params": [p.to_json() for p in self.params], "file": self.path}


def _parse_param(m: re.Match, where: str, line: int) -> Parameter:
    name, type_, rest = m["name"], m["type"], m["rest"]
    if type_ not in TYPES:
        raise QueryFileError(f"{where}:{line}: parameter ?{name} has unknown type {type_} (one of {', '.join(TYPES)})")
    if name in RESERVED:
        raise QueryFileError(f"{where}:{line}: parameter name ?{name} is reserved by the API")
    try:
        tokens = shlex.split(rest)
    except ValueError as e:
        raise QueryFileError(f"{where}:{line}: cannot read the param line: {e}") from None
    description, required, example = "", False, None
    if tokens and not tokens[0].startswith("example=") and tokens[0] != "required":
        description = tokens.pop(0)
    for tok in tokens:
        if tok == "required":
            required = True
        elif tok.startswith("example="):
            example = tok[len("example="):]
        else:
            raise QueryFileError(f"{where}:{line}: unexpected {tok!r} in the param line of ?{name}")
    return Parameter(name, type_, description, required, example)


class CannedQueries:
    """All canned queries of a folder, read once (at app start, not per request).

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()); (d / "cq").mkdir()
    >>> _ = (d / "cq" / "x.rq").write_text("# X\\nSELECT * WHERE { ?s ?p ?o }")
    >>> CannedQueries.load(d).names()
    ['cq/x']
    """

    def __init__(self, queries: Mapping[str, CannedQuery]) -> None:
        self._queries = dict(sorted(queries.items()))

    @classmethod
    def load(cls, folder: str | Path) -> CannedQueries:
        folder = Path(folder)
        queries = {}
        if folder.is_dir():
            for f in sorted(folder.rglob("*.rq")):
                rel = f.relative_to(folder)
                if any(part.startswith(".") for part in rel.parts):
                    continue
                name = rel.with_suffix("").as_posix()
                queries[name] = CannedQuery.parse(name, f.read_text(encoding="utf-8"), path=rel.as_posix())
        return cls(queries)

    def names(self) -> list[str]:
        return list(self._queries)

    def get(self, name: str) -> CannedQuery | None:
        return self._queries.get(name)

    def __iter__(self):
        return iter(self._queries.values())

    def __len__(self) -> int:
        return len(self._queries)


def run(store, query: CannedQuery, values: Mapping[str, str], base: str):
    """Run a canned query with its parameters bound; the store's own result object is returned."""
    substitutions = query.bind(values, base)
    return store.query(query.sparql, substitutions=substitutions or None)
