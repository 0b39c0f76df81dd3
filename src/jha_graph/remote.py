"""A store on an existing SPARQL server, spoken to only through the standard protocols.

``RemoteStore`` is the second implementation of ``store.GraphStore``: selected by giving a URL instead of
a directory (``--store http://host/sparql`` or ``JHA_STORE``), it makes ingest, query, export, the
service, the JSON API and the linked data run unchanged on Oxigraph server, Virtuoso, Fuseki, GraphDB,
QLever or Neptune.  What it uses of the server:

* SPARQL 1.1 Query (POST, form-encoded; ``default-graph-uri`` / ``named-graph-uri`` for datasets),
  answers asked as SPARQL XML results (SELECT/ASK) or N-Triples (CONSTRUCT/DESCRIBE) and parsed by
  pyoxigraph, so callers get the very types the embedded store returns (``QuerySolutions``,
  ``QueryBoolean``, ``QueryTriples``);
* SPARQL 1.1 Update (POST ``update=``) for every write: a batch of named graphs, each dropped and
  inserted again, in one request;
* optionally the Graph Store HTTP Protocol (``JHA_GSP_URL``) to read a graph whole.

Semantics kept identical to the embedded store (docs/remote-stores.md lists every difference found):

* The default graph of a query is the union of all named graphs.  jha-graph requires the server to be
  configured so (Oxigraph: ``--union-default-graph``; Virtuoso: always; Fuseki: ``unionDefaultGraph``)
  and checks it on first use: a server that answers otherwise is refused with a message saying what to set.
* The project's prefixes are predeclared (the ones a query uses are prepended).
* ``substitutions`` (variable -> term) are bound by a ``VALUES`` block injected at the start of the
  top-level WHERE group; terms are written by pyoxigraph (N-Triples syntax), never pasted from input.
* Blank nodes survive: the triples that contain them are written with ``INSERT {…} WHERE {}`` (Virtuoso
  refuses blank nodes in ``INSERT DATA``), each connected group of them in one operation.
* Graphs are read with SELECT (never CONSTRUCT, which Virtuoso cuts at ResultSetMaxRows silently), and
  answers a server says it cut (Virtuoso's ``X-SPARQL-MaxRows``, anytime queries) are refused.
* Virtuoso (recognised by its ``Server`` header): its own graphs are excluded from every query;
  parameters are written into the query as terms (plus a VALUES block at the end, for the answers);
  ``GRAPH x { }``, and ``GRAPH <g>`` outside a given dataset, which it gets wrong, are rewritten; its
  blank node ids are made parseable.

>>> _values_block({Variable("iri"): NamedNode("http://example.org/a")})
'VALUES (?iri) { (<http://example.org/a>) }'
>>> print(prepare("SELECT ?s WHERE { ?s a jha:Article }", {Variable("s"): NamedNode("http://example.org/a")}))
PREFIX jha: <https://w3id.org/jha-graph/ontology#>
SELECT ?s WHERE { VALUES (?s) { (<http://example.org/a>) } ?s a jha:Article }
"""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import IO

import httpx
from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryResultsFormat,
    RdfFormat,
    Store,
    Triple,
    Variable,
    parse,
    parse_query_results,
    serialize,
)

from .namespaces import PREFIXES
from .sparql.protocol import tokens
from .store import RDF_FORMATS, QueryError, StoreError, _dump_prefixes

log = logging.getLogger(__name__)

# A graph IRI no one writes: naming it as the only default graph gives a query an empty default graph.
EMPTY_DEFAULT = "urn:x-jha-graph:no-default-graph"
# Graphs Virtuoso keeps for itself (its schema; LDP terms and a service description it loads again at
# every start): excluded from every query, so that jha-graph sees only its own graphs.
VIRTUOSO_GRAPHS = ("http://www.openlinksw.com/schemas/virtrdf#", "http://www.w3.org/ns/ldp#",
                   "http://localuriqaserver/sparql")
# Virtuoso's SPARQL compiler gives up on an INSERT DATA of ~4,900 triples ("memory exhausted") and on an
# INSERT template of ~1,200 ("generated SQL text has exceeded 10000 lines"): operations stay below both.
DATA_TRIPLES_PER_OPERATION = 2000
TEMPLATE_TRIPLES_PER_OPERATION = 500
MAX_REQUEST_BYTES = 8_000_000
RESULTS_XML = "application/sparql-results+xml"
RESULTS_JSON = "application/sparql-results+json"
_RETRY_STATUS = {429, 502, 503, 504}
_TRIPLE_TYPES = {
    "application/n-triples": RdfFormat.N_TRIPLES, "text/plain": RdfFormat.N_TRIPLES,
    "text/turtle": RdfFormat.TURTLE, "application/x-turtle": RdfFormat.TURTLE,
    "application/rdf+xml": RdfFormat.RDF_XML, "application/n-quads": RdfFormat.N_QUADS,
}
_PATH_PREFIX = re.compile(r"(?:^|(?<=[|/^!(]))([A-Za-z][\w.\-]*):")
_VIRTUOSO_BNODE = re.compile(rb"<bnode>nodeID://([^<]*)</bnode>")


class RemoteError(StoreError, OSError):
    """The server could not be reached or failed; the message names the server, the status and why.

    An ``OSError`` too, so that the query service reports it as the store being unreadable (500)."""


# --- query text --------------------------------------------------------------------------------------

def _term(term) -> str:
    if isinstance(term, (NamedNode, Literal)):
        return str(term)
    if isinstance(term, BlankNode):
        raise QueryError("a blank node cannot be bound to a variable of a query sent to a SPARQL server "
                         "(blank nodes do not keep their identity across requests)")
    raise QueryError(f"cannot bind a {type(term).__name__} in a query sent to a SPARQL server")


def _values_block(substitutions: Mapping) -> str:
    names = " ".join(str(v if isinstance(v, Variable) else Variable(str(v).lstrip("?$"))) for v in substitutions)
    terms = " ".join(_term(t) for t in substitutions.values())
    return f"VALUES ({names}) {{ ({terms}) }}"


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE (the first such word at the top level)."""
    for t in tokens(text):
        if t.depth == 0 and t.is_word("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            return t.text.upper()
    raise QueryError("not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE")


def _where_brace(toks) -> int:
    """The index of the token opening the top-level WHERE group."""
    top = [i for i, t in enumerate(toks) if t.depth == 0]
    for i in top:
        if toks[i].is_word("WHERE"):
            for j in range(i + 1, len(toks)):
                if toks[j].kind == "open":
                    return j
    # no WHERE keyword: the first top-level group, after a CONSTRUCT's template
    opens = [i for i in top if toks[i].kind == "open"]
    form = next((toks[i].text.upper() for i in top if toks[i].is_word("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")), "")
    opens = opens[1:] if form == "CONSTRUCT" else opens
    if not opens:
        raise QueryError("the query has no WHERE group to bind its parameters in")
    return opens[0]


def _check_projection(toks, where: int, substitutions: Mapping) -> None:
    """Refuse, as pyoxigraph does, to bind a variable a SELECT does not project."""
    select = next((i for i, t in enumerate(toks[:where]) if t.depth == 0 and t.is_word("SELECT")), None)
    if select is None:
        return
    head = toks[select + 1:where]
    if any(t.text == "*" for t in head):
        return
    projected = {t.text[1:] for t in head if t.kind == "var"}
    for v in substitutions:
        name = v.value if isinstance(v, Variable) else str(v).lstrip("?$")
        if name not in projected:
            raise QueryError(f"The SPARQL query does not contain variable ?{name} in its SELECT projection")


def _matching_close(toks, i: int) -> int:
    """The index of the brace closing the one opened at ``toks[i]``."""
    for j in range(i + 1, len(toks)):
        if toks[j].kind == "close" and toks[j].depth == toks[i].depth:
            return j
    raise QueryError("unbalanced braces in the query")


def _virtuoso_graph_patterns(text: str, toks, named: Iterable[str] | None) -> str:
    """Rewrite the GRAPH patterns Virtuoso 7.2 evaluates wrongly:

    * ``GRAPH x { }`` matches for every x, existing or not: it becomes a pattern on the graph's triples
      (a sub-select that projects nothing, so that no variable is added to the query's);
    * with a dataset given, ``GRAPH <iri> { … }`` for a graph outside it matches once instead of never:
      it becomes ``{ FILTER(false) }``.
    """
    named = set(named) if named is not None else None
    edits = []
    i = 0
    while i < len(toks) - 2:
        g, name, o = toks[i:i + 3]
        if not (g.is_word("GRAPH") and name.kind in ("var", "iri", "pname") and o.kind == "open"):
            i += 1
            continue
        close = _matching_close(toks, i + 2)
        if named is not None and name.kind == "iri" and name.text[1:-1] not in named:
            edits.append((g.start, toks[close].end, "{ FILTER(false) }"))
            i = close + 1
            continue
        if close == i + 3:  # an empty group
            if name.kind == "var":
                new = f"{{ SELECT DISTINCT {name.text} WHERE {{ GRAPH {name.text} {{ ?jha_s ?jha_p ?jha_o }} }} }}"
            else:
                new = f"{{ SELECT ?jha_none WHERE {{ GRAPH {name.text} {{ ?jha_s ?jha_p ?jha_o }} }} LIMIT 1 }}"
            edits.append((g.start, toks[close].end, new))
        i += 1
    for start, end, new in reversed(edits):
        text = text[:start] + new + text[end:]
    return text


def _substitute(text: str, substitutions: Mapping) -> str:
    """Write substituted variables as their terms inside the WHERE group (not in sub-selects, not where a
    variable is assigned), as pyoxigraph's substitution does, then fold what became constant:
    ``STR(<iri>)`` to a string, ``COALESCE(<iri>, …)`` and ``COALESCE("…", …)`` to their first argument.

    For Virtuoso 7.2, which answers nothing for ``FILTER(COALESCE(?type, "") = "" || EXISTS { ?e
    a/rdfs:subClassOf* ?type })`` with ?type bound by VALUES (and for a path to a variable bound from
    outside an EXISTS), though it answers the same filter written with constants right.  The VALUES block
    stays, so that the variables are still bound in the answers."""
    terms = {(v.value if isinstance(v, Variable) else str(v).lstrip("?$")): _term(t) for v, t in substitutions.items()}
    toks = tokens(text)
    start = _where_brace(toks)
    end = _matching_close(toks, start)
    edits, j, in_values_head = [], start + 1, False
    while j < end:
        v, prev = toks[j], toks[j - 1]
        if v.is_word("SELECT"):  # a sub-select: its variables are its own
            j = _matching_close(toks, next(k for k in range(j, end) if toks[k].kind == "open")) + 1
            continue
        if prev.is_word("VALUES") and v.text == "(":
            in_values_head = True
        elif in_values_head and v.text == ")":
            in_values_head = False
        elif (v.kind == "var" and v.text[1:] in terms and not in_values_head and not prev.is_word("AS", "VALUES")
              and not (prev.text == "(" and toks[j - 2].is_word("BOUND"))):
            edits.append((v.start, v.end, terms[v.text[1:]]))
        j += 1
    for a, b, new in reversed(edits):
        text = text[:a] + new + text[b:]
    return _fold(text)


def _fold(text: str) -> str:
    for _ in range(50):
        toks = tokens(text)
        for i in range(len(toks) - 3):
            f, o, arg, c = toks[i:i + 4]
            if o.text != "(":
                continue
            if f.is_word("STR") and arg.kind == "iri" and c.text == ")":
                new = str(Literal(arg.text[1:-1]))
            elif f.is_word("COALESCE") and (arg.kind == "iri" or (arg.kind == "string" and arg.text[:1] == '"'
                                                                  and '"""' not in arg.text)) and c.text in (",", ")"):
                depth, k = 0, i + 1
                while k < len(toks):  # the COALESCE's closing parenthesis
                    depth += {"(": 1, ")": -1}.get(toks[k].text, 0) if toks[k].kind == "other" else 0
                    if depth == 0:
                        break
                    k += 1
                new, c = arg.text, toks[k]
            else:
                continue
            text = text[:f.start] + new + text[c.end:]
            break
        else:
            return text
    return text


def reads_only_named_graphs(text: str) -> bool:
    """Whether every pattern of a query's WHERE group is inside a GRAPH block (so that what its default
    graph is does not matter).  False when unsure."""
    toks = tokens(text)
    try:
        start = _where_brace(toks)
        end = _matching_close(toks, start)
    except QueryError:
        return False
    inner = toks[start].depth + 1
    i = start + 1
    while i < end:
        t = toks[i]
        if t.depth == inner and t.is_word("GRAPH") and toks[i + 1].kind in ("var", "iri", "pname") \
                and toks[i + 2].kind == "open":
            i = _matching_close(toks, i + 2) + 1
        elif t.depth == inner and t.text == ".":
            i += 1
        else:
            return False
    return True


def prepare(text: str, substitutions: Mapping | None = None, *, virtuoso: bool = False,
            named: Iterable[str] | None = None) -> str:
    """The query or update as sent: parameters bound with VALUES, used project prefixes declared,
    and for Virtuoso its own graphs excluded and the GRAPH patterns it gets wrong rewritten (``named``:
    the named graphs of the dataset the query is sent with, if one is)."""
    toks = tokens(text)
    if substitutions:
        where = _where_brace(toks)
        _check_projection(toks, where, substitutions)
        if virtuoso:
            # the terms written in, and the VALUES block (for the answers) at the end of the group: at the
            # start, Virtuoso 7.2's optimizer runs some queries for ever or overflows its cost model
            text = _substitute(text, substitutions)
            toks = tokens(text)
            close = toks[_matching_close(toks, _where_brace(toks))]
            text = f"{text[:close.start]} {_values_block(substitutions)}\n{text[close.start:]}"
        else:
            brace = toks[where]
            text = f"{text[:brace.end]} {_values_block(substitutions)}{text[brace.end:]}"
        toks = tokens(text)
    if virtuoso:
        text = _virtuoso_graph_patterns(text, toks, named)
        toks = tokens(text)
    declared = {toks[i + 1].text.split(":")[0] for i, t in enumerate(toks[:-1])
                if t.is_word("PREFIX") and toks[i + 1].kind == "pname"}
    # a property path lexes as one token (skos:prefLabel|jha:name): every prefix in it counts
    used = {p for t in toks if t.kind == "pname" for p in _PATH_PREFIX.findall(t.text)}
    prologue = [f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items() if p in used and p not in declared]
    if virtuoso and query_form_or_none(toks) is not None and not _names_a_graph(toks):
        # Virtuoso 7.2 answers nothing for GRAPH <iri> { … } once any graph is excluded, so a query
        # that names its graphs goes without (and cannot meet Virtuoso's own graphs but through ?g)
        prologue = [f"DEFINE input:{kind}-graph-exclude <{g}>" for g in VIRTUOSO_GRAPHS
                    for kind in ("default", "named")] + prologue
    return "\n".join([*prologue, text]) if prologue else text


def _names_a_graph(toks) -> bool:
    """Whether a query has a GRAPH pattern with a constant graph name, or FROM / FROM NAMED."""
    return any((t.is_word("GRAPH") and i + 1 < len(toks) and toks[i + 1].kind in ("iri", "pname"))
               or (t.depth == 0 and t.is_word("FROM")) for i, t in enumerate(toks))


def query_form_or_none(toks) -> str | None:
    for t in toks:
        if t.depth == 0 and t.is_word("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            return t.text.upper()
        if t.depth == 0 and t.is_word("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE",
                                      "ADD", "WITH"):
            return None
    return None


def has_dataset_clause(text: str) -> bool:
    return any(t.depth == 0 and t.is_word("FROM") for t in tokens(text))


# --- writing graphs ----------------------------------------------------------------------------------

def _triple_text(q) -> str:
    for term in (q.subject, q.object):
        if isinstance(term, Triple):
            raise StoreError("RDF-star triple terms cannot be written to a SPARQL 1.1 server")
    return f"{q.subject} {q.predicate} {q.object} ."


def _has_bnode(q) -> bool:
    return isinstance(q.subject, BlankNode) or isinstance(q.object, BlankNode)


def _bnode_groups(quads: list) -> list[list]:
    """Triples with blank nodes, grouped so that each blank node is in one group only (a label
    written in two operations would name two different nodes)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for q in quads:
        nodes = [t.value for t in (q.subject, q.object) if isinstance(t, BlankNode)]
        for n in nodes[1:]:
            parent[find(n)] = find(nodes[0])
        find(nodes[0])
    groups: dict[str, list] = {}
    for q in quads:
        node = q.subject if isinstance(q.subject, BlankNode) else q.object
        groups.setdefault(find(node.value), []).append(q)
    return list(groups.values())


def graph_operations(graph: NamedNode, quads: Iterable) -> list[str]:
    """The operations that replace one named graph: DROP, then INSERT DATA for the ground triples and
    INSERT … WHERE {} for those with blank nodes, in chunks every server accepts."""
    quads = list(quads)
    ops = [f"DROP SILENT GRAPH {graph}"]
    ground = [q for q in quads if not _has_bnode(q)]
    for i in range(0, len(ground), DATA_TRIPLES_PER_OPERATION):
        body = "\n".join(_triple_text(q) for q in ground[i:i + DATA_TRIPLES_PER_OPERATION])
        ops.append(f"INSERT DATA {{ GRAPH {graph} {{\n{body}\n}} }}")
    chunk: list = []
    for group in _bnode_groups([q for q in quads if _has_bnode(q)]):
        if chunk and len(chunk) + len(group) > TEMPLATE_TRIPLES_PER_OPERATION:
            ops.append(_template(graph, chunk))
            chunk = []
        chunk.extend(group)
    if chunk:
        ops.append(_template(graph, chunk))
    return ops


def _template(graph: NamedNode, quads: list) -> str:
    body = "\n".join(_triple_text(q) for q in quads)
    return f"INSERT {{ GRAPH {graph} {{\n{body}\n}} }} WHERE {{}}"


# --- HTTP ----------------------------------------------------------------------------------------------

class _Auth(httpx.Auth):
    """HTTP Basic or Digest, whichever the server asks for in its 401 challenge (Virtuoso's
    /sparql-auth wants Digest, Fuseki and GraphDB Basic)."""

    requires_request_body = True

    def __init__(self, user: str, password: str) -> None:
        self._basic = httpx.BasicAuth(user, password)
        self._digest = httpx.DigestAuth(user, password)
        self._scheme: str | None = None

    def auth_flow(self, request):
        if self._scheme == "basic":
            yield from self._basic.auth_flow(request)
            return
        if self._scheme == "digest":
            yield from self._digest.auth_flow(request)
            return
        response = yield request
        if response.status_code != 401:
            return
        challenge = response.headers.get("www-authenticate", "").lower()
        if challenge.startswith("basic"):
            self._scheme = "basic"
            yield from self._basic.auth_flow(request)
        elif challenge.startswith("digest"):
            self._scheme = "digest"
            flow = self._digest.auth_flow(request)
            next(flow)  # the unauthenticated request: its 401 is the response we have
            try:
                req = flow.send(response)
                while True:
                    response = yield req
                    req = flow.send(response)
            except StopIteration:
                return


def _message(response: httpx.Response, limit: int = 600) -> str:
    text = response.text.strip()
    text = text.split("\nSPARQL query:", 1)[0]  # Virtuoso echoes the whole query after its message
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + " …"


# --- the store -------------------------------------------------------------------------------------------

class RemoteStore:
    """A ``GraphStore`` on a SPARQL 1.1 server (see the module documentation)."""

    read_only = False

    def __init__(self, query_url: str, *, update_url: str | None = None, gsp_url: str | None = None,
                 user: str | None = None, password: str | None = None, timeout: float = 60.0,
                 retries: int = 3, batch_size: int = 50, max_request_bytes: int = MAX_REQUEST_BYTES,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.gsp_url = gsp_url
        self.retries = max(0, retries)
        self.batch_size = max(1, batch_size)
        self.max_request_bytes = max_request_bytes
        auth = _Auth(user, password or "") if user else None
        self._client = httpx.Client(auth=auth, timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
                                    transport=transport, headers={"User-Agent": "jha-graph"})
        self._server: str | None = None
        self._union_checked = False

    @classmethod
    def from_settings(cls, location: str, settings=None) -> RemoteStore:
        if settings is None:
            from .config import Settings

            settings = Settings(store=location)
        return cls(location, update_url=settings.update_url, gsp_url=settings.gsp_url,
                   user=settings.remote_user, password=settings.remote_password,
                   timeout=settings.remote_timeout, retries=settings.remote_retries,
                   batch_size=settings.remote_batch_size)

    def __repr__(self) -> str:
        return f"RemoteStore({self.query_url!r})"

    # --- HTTP ----------------------------------------------------------------------------------------
    def _request(self, method: str, url: str, *, what: str, idempotent: bool, **kwargs) -> httpx.Response:
        delay = 0.5
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                request = self._client.build_request(method, url, **kwargs)
                response = self._client.send(request)
            except httpx.TransportError as e:
                # a request that never reached the server can always be repeated; one whose connection
                # dropped (a server closing an idle keep-alive connection) only if repeating it changes
                # nothing.  A timeout is not retried: the server may still be at work on it.
                never_sent = isinstance(e, (httpx.ConnectError, httpx.ConnectTimeout))
                dropped = isinstance(e, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError))
                if last or not (never_sent or (idempotent and dropped)):
                    raise RemoteError(f"{what}: the SPARQL server at {url} could not be reached "
                                      f"({type(e).__name__}: {e or 'no answer'})") from e
                log.warning("%s: %s at %s, retrying in %.1f s", what, type(e).__name__, url, delay)
            else:
                if self._server is None:
                    self._server = response.headers.get("server", "")
                if response.status_code not in _RETRY_STATUS or last:
                    return response
                response.close()
                log.warning("%s: HTTP %d from %s, retrying in %.1f s", what, response.status_code, url, delay)
            time.sleep(delay)
            delay = min(delay * 2, 8.0)
        raise AssertionError("unreachable")

    def _fail(self, response: httpx.Response, what: str, url: str) -> None:
        """Raise the error a non-2xx answer means."""
        if response.is_success:
            return
        status, message = response.status_code, _message(response)
        if status == 400:
            raise QueryError(f"{what}: the SPARQL server at {url} rejected it: {message}")
        if status in (401, 403):
            raise RemoteError(f"{what}: the SPARQL server at {url} refused access (HTTP {status}); give "
                              "credentials with JHA_REMOTE_USER and JHA_REMOTE_PASSWORD"
                              + (f": {message}" if message else ""))
        if status in (404, 405, 415):
            kind = "SPARQL Update" if what.startswith("update") or what.startswith("writing") else "SPARQL query"
            raise RemoteError(f"{what}: {url} is not a {kind} endpoint (HTTP {status}); set "
                              + ("JHA_UPDATE_URL" if kind == "SPARQL Update" else "JHA_STORE") + " to the server's "
                              f"{kind} URL" + (f": {message}" if message else ""))
        hint = ""
        if "SR186" in message or "No permission" in message:
            hint = (" (Virtuoso: the anonymous SPARQL user may not write; use the /sparql-auth endpoint with "
                    "JHA_REMOTE_USER/JHA_REMOTE_PASSWORD, or GRANT SPARQL_UPDATE TO \"SPARQL\")")
        raise RemoteError(f"{what}: the SPARQL server at {url} failed (HTTP {status}): {message}{hint}")

    @property
    def is_virtuoso(self) -> bool:
        if self._server is None:
            self._request("POST", self.query_url, what="connecting", idempotent=True,
                          data={"query": "ASK {}"}, headers={"Accept": RESULTS_XML}).close()
        return "virtuoso" in (self._server or "").lower()

    # --- queries -------------------------------------------------------------------------------------
    def query(self, sparql: str, *, union: bool = True, default_graph=None, named_graphs=None,
              substitutions=None):
        virtuoso = self.is_virtuoso
        form = query_form(sparql)
        params = self._dataset(sparql, union, default_graph, named_graphs)
        text = prepare(sparql, substitutions, virtuoso=virtuoso, named=params.get("named-graph-uri"))
        if union and not params and not self._union_checked:
            self._check_union()
        return self._query(text, form, params)

    def _dataset(self, sparql, union, default_graph, named_graphs) -> dict:
        def iris(graphs) -> list[str]:
            graphs = [graphs] if isinstance(graphs, (NamedNode, DefaultGraph)) else list(graphs)
            if any(isinstance(g, DefaultGraph) for g in graphs):
                raise QueryError("a remote store keeps the graph in named graphs: its server's own default "
                                 "graph cannot be queried apart from them (the default graph of a query is "
                                 "the union of all named graphs)")
            return [g.value for g in graphs]

        if default_graph is None and named_graphs is None:
            if union or has_dataset_clause(sparql) or reads_only_named_graphs(sparql):
                return {}
            # the store's own default graph, without the union: on a remote store it is empty
            return {"default-graph-uri": [EMPTY_DEFAULT], "named-graph-uri": self._graph_iris() or [EMPTY_DEFAULT]}
        if default_graph is not None:
            default = iris(default_graph) or [EMPTY_DEFAULT]
        else:
            default = self._graph_iris() if union else [EMPTY_DEFAULT]
        named = self._graph_iris() if named_graphs is None else iris(named_graphs)
        # an empty list is sent as a graph that does not exist: Virtuoso reads "no named-graph-uri" as "all"
        return {"default-graph-uri": default or [EMPTY_DEFAULT], "named-graph-uri": named or [EMPTY_DEFAULT]}

    def _graph_iris(self) -> list[str]:
        return [g.value for g in self.named_graphs()]

    def _query(self, text: str, form: str, params: dict | None = None):
        url = self.query_url
        accept = (f"{RESULTS_XML}, {RESULTS_JSON};q=0.8" if form in ("SELECT", "ASK")
                  else "application/n-triples, text/turtle;q=0.8, application/rdf+xml;q=0.5")
        response = self._request("POST", url, what="query", idempotent=True,
                                 data={"query": text, **(params or {})}, headers={"Accept": accept})
        self._fail(response, "query", url)
        self._check_complete(response, url)
        ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
        body = response.content
        if ctype in (RESULTS_XML, "application/xml", "text/xml") and form in ("SELECT", "ASK"):
            if b"nodeID://" in body:
                body = _VIRTUOSO_BNODE.sub(rb"<bnode>\1</bnode>", body)
            return self._parse_results(body, QueryResultsFormat.XML, url)
        if ctype in (RESULTS_JSON, "application/json") and form in ("SELECT", "ASK"):
            return self._parse_results(body.replace(b'"nodeID://', b'"'), QueryResultsFormat.JSON, url)
        rdf_format = _TRIPLE_TYPES.get(ctype)
        if rdf_format is None or form in ("SELECT", "ASK"):
            raise RemoteError(f"query: the SPARQL server at {url} answered in {ctype or 'no declared type'}, "
                              f"not in a format jha-graph reads for a {form} query")
        return _as_query_triples(body, rdf_format, url)

    @staticmethod
    def _parse_results(body: bytes, fmt: QueryResultsFormat, url: str):
        try:
            return parse_query_results(body, fmt)
        except SyntaxError as e:
            raise RemoteError(f"query: the answer of the SPARQL server at {url} could not be read: {e}") from e

    @staticmethod
    def _check_complete(response: httpx.Response, url: str) -> None:
        """Refuse answers the server cut short and said so only in headers (Virtuoso)."""
        state = response.headers.get("x-sql-state")
        if state:
            raise RemoteError(f"query: the SPARQL server at {url} returned a partial answer ({state}: "
                              f"{response.headers.get('x-sql-message', 'time limit')}); raise its "
                              "MaxQueryExecutionTime or simplify the query")
        max_rows = response.headers.get("x-sparql-maxrows")
        if max_rows:
            raise RemoteError(f"query: the SPARQL server at {url} cut the answer at {max_rows} rows "
                              "(Virtuoso: raise ResultSetMaxRows in the [SPARQL] section of virtuoso.ini)")

    def _check_union(self) -> None:
        """Make sure the server's default graph is the union of its named graphs, as jha-graph needs."""
        probe = ("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(!isBlank(?s) && !isBlank(?o)) } LIMIT 1")
        rows = list(self._query(prepare(probe, virtuoso=self.is_virtuoso), "SELECT"))
        if not rows:
            return  # no named graph holds anything yet: the question does not arise
        s, p, o = rows[0]["s"], rows[0]["p"], rows[0]["o"]
        if not bool(self._query(prepare(f"ASK {{ {s} {p} {o} }}", virtuoso=self.is_virtuoso), "ASK")):
            raise RemoteError(
                f"the SPARQL server at {self.query_url} does not query the union of its named graphs by default, "
                "and jha-graph keeps each article in its own named graph: configure the server so "
                "(Oxigraph: oxigraph serve --union-default-graph; Fuseki/TDB2: tdb2:unionDefaultGraph true; "
                "GraphDB and Virtuoso do it by default); see docs/remote-stores.md")
        self._union_checked = True

    # --- updates -------------------------------------------------------------------------------------
    def update(self, sparql: str) -> None:
        self._update(prepare(sparql), what="update", idempotent=False)

    def _update(self, text: str, *, what: str, idempotent: bool) -> None:
        url = self.update_url
        response = self._request("POST", url, what=what, idempotent=idempotent, data={"update": text},
                                 headers={"Accept": "*/*"})
        self._fail(response, what, url)

    def replace_graphs(self, graphs: Mapping[NamedNode, Iterable[Quad]]) -> None:
        """Replace named graphs in requests of at most ``batch_size`` graphs (and about
        ``max_request_bytes``); each graph is replaced whole within one request."""
        if not graphs:
            return
        started, total, done = time.monotonic(), len(graphs), 0
        batch: list[str] = []
        size = quads_in_batch = 0
        quads_total = 0

        def send() -> None:
            nonlocal batch, size, done, quads_in_batch
            if not batch:
                return
            t = time.monotonic()
            self._update(" ;\n".join(batch), what=f"writing {len(batch)} graph(s)", idempotent=True)
            done += len(batch)
            log.info("remote store: replaced %d/%d graph(s) (%d quads, %d KB) in %.2f s", done, total,
                     quads_in_batch, size // 1024, time.monotonic() - t)
            batch, size, quads_in_batch = [], 0, 0

        for graph, quads in graphs.items():
            quads = list(quads)
            text = " ;\n".join(graph_operations(graph, quads))
            if batch and (len(batch) >= self.batch_size or size + len(text) > self.max_request_bytes):
                send()
            batch.append(text)
            size += len(text)
            quads_in_batch += len(quads)
            quads_total += len(quads)
        send()
        log.info("remote store: %d graph(s), %d quads written to %s in %.1f s", total, quads_total,
                 self.update_url, time.monotonic() - started)

    def drop_graphs(self, graphs: Iterable[NamedNode]) -> None:
        graphs = list(graphs)
        for i in range(0, len(graphs), self.batch_size):
            ops = [f"DROP SILENT GRAPH {g}" for g in graphs[i:i + self.batch_size]]
            self._update(" ;\n".join(ops), what=f"dropping {len(ops)} graph(s)", idempotent=True)

    # --- reading graphs ------------------------------------------------------------------------------
    def named_graphs(self) -> list[NamedNode]:
        rows = self._query(prepare("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                                   virtuoso=self.is_virtuoso), "SELECT")
        return sorted((r["g"] for r in rows if isinstance(r["g"], NamedNode)), key=lambda g: g.value)

    def _triples(self, graph: NamedNode) -> Iterator[Triple]:
        if self.gsp_url:
            url = self.gsp_url
            response = self._request("GET", url, what=f"reading graph {graph}", idempotent=True,
                                     params={"graph": graph.value}, headers={"Accept": "application/n-triples"})
            if response.status_code == 404:
                return iter(())
            self._fail(response, f"reading graph {graph}", url)
            ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
            fmt = _TRIPLE_TYPES.get(ctype, RdfFormat.N_TRIPLES)
            return (_triple(t) for t in parse(response.content, fmt))
        return self._select_triples(f"SELECT ?s ?p ?o WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")

    def _select_triples(self, text: str) -> Iterator[Triple]:
        """Triples read with SELECT, not CONSTRUCT: Virtuoso cuts both at ResultSetMaxRows, but says so
        (X-SPARQL-MaxRows) only for SELECT."""
        return (Triple(r["s"], r["p"], r["o"]) for r in self._query(prepare(text, virtuoso=self.is_virtuoso), "SELECT"))

    def quads(self, graph: NamedNode | None = None) -> Iterator[Quad]:
        graphs = [graph] if graph is not None else self.named_graphs()
        for g in graphs:
            if isinstance(g, DefaultGraph):
                continue  # nothing of jha-graph's lives there on a remote store
            for t in self._triples(g):
                yield Quad(t.subject, t.predicate, t.object, g)

    def dump(self, output: IO[bytes], fmt: str, graph: NamedNode | None = None) -> None:
        """Write the store (or one graph) graph by graph, so that memory holds one graph at a time."""
        rdf_format = RDF_FORMATS[fmt]
        if rdf_format.supports_datasets:
            serialize(self.quads(graph), output, rdf_format, prefixes=_dump_prefixes(rdf_format))
            return
        # a triple format: the union of all graphs (or the one graph asked for), deduplicated
        triples = self._select_triples("SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }") if graph is None \
            else self._triples(graph)
        serialize(triples, output, rdf_format, prefixes=_dump_prefixes(rdf_format))

    def __len__(self) -> int:
        rows = list(self._query(prepare("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                                        virtuoso=self.is_virtuoso), "SELECT"))
        return int(rows[0]["n"].value) if rows and rows[0]["n"] is not None else 0

    def flush(self) -> None:
        pass

    def optimize(self) -> None:
        pass

    def close(self) -> None:
        self._client.close()


def _triple(t) -> Triple:
    return t.triple if isinstance(t, Quad) else t


def _as_query_triples(body: bytes, rdf_format: RdfFormat, url: str):
    """A pyoxigraph ``QueryTriples`` over triples the server sent (the type callers test for)."""
    scratch = Store()
    try:
        scratch.extend(Quad(t.subject, t.predicate, t.object, DefaultGraph())
                       for t in map(_triple, parse(body, rdf_format)))
    except SyntaxError as e:
        raise RemoteError(f"query: the answer of the SPARQL server at {url} could not be read: {e}") from e
    return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")


__all__ = ["RemoteError", "RemoteStore", "graph_operations", "prepare"]
