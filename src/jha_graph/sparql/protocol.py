"""The SPARQL 1.1 Protocol, minus HTTP: turn a request's method, query string, Content-Type and body
into one operation (a query, an update, or a request for the service description), or say exactly
why not (``ProtocolError``, always a 4xx).

It also holds the few things the protocol needs to know about SPARQL text without parsing it fully
(the parser lives in the query worker): whether a query names its own dataset (``FROM``), and how to
apply ``using-graph-uri``/``using-named-graph-uri`` to an update, which pyoxigraph has no option for.

>>> op = parse("GET", b"query=ASK%20%7B%7D&default-graph-uri=http%3A%2F%2Fex.org%2Fg", None, b"")
>>> op.kind, op.text, op.default_graphs
('query', 'ASK {}', ['http://ex.org/g'])
>>> def why(*request):
...     try:
...         parse(*request)
...     except ProtocolError as e:
...         return e.status, str(e)
>>> why("GET", b"query=ASK%7B%7D&query=ASK%7B%7D", None, b"")
(400, 'the query parameter is given 2 times; send exactly one')
>>> why("POST", b"", "application/sparql-query; charset=UTF-16", "ASK {}".encode("utf-16"))
(400, 'the body must be UTF-8 (charset=utf-8), not UTF-16')
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from pyoxigraph import NamedNode

QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
FORM_TYPE = "application/x-www-form-urlencoded"

DATASET_PARAMS = ("default-graph-uri", "named-graph-uri")
USING_PARAMS = ("using-graph-uri", "using-named-graph-uri")


class ProtocolError(ValueError):
    """The request breaks the protocol; ``status`` is the 4xx to answer with, ``where`` the culprit."""

    def __init__(self, detail: str, *, status: int = 400, where: str | None = None) -> None:
        super().__init__(detail)
        self.detail, self.status, self.where = detail, status, where


@dataclass
class Operation:
    kind: str                                   # "query", "update" or "service-description"
    text: str = ""
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    using_graphs: list[str] = field(default_factory=list)
    using_named_graphs: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)   # ?format= values, in order

    @property
    def has_protocol_dataset(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)


def media_type(content_type: str | None) -> tuple[str, dict[str, str]]:
    """The bare media type (lower case) and its parameters.

    >>> media_type('Application/SPARQL-Query ; charset="utf-8"')
    ('application/sparql-query', {'charset': 'utf-8'})
    """
    if not content_type:
        return "", {}
    parts = content_type.split(";")
    params = {}
    for p in parts[1:]:
        key, _, value = p.partition("=")
        if key.strip():
            params[key.strip().lower()] = value.strip().strip('"')
    return parts[0].strip().lower(), params


def check_charset(params: dict[str, str]) -> None:
    charset = params.get("charset")
    if charset is not None and charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise ProtocolError(f"the body must be UTF-8 (charset=utf-8), not {charset}", where="Content-Type")


def decode_utf8(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ProtocolError(f"the {what} is not valid UTF-8 (byte {e.start}); SPARQL requests must be UTF-8",
                            where="body") from e


def _params(raw: bytes | str) -> list[tuple[str, str]]:
    text = raw.decode("utf-8", "strict") if isinstance(raw, bytes) else raw
    try:
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except (UnicodeDecodeError, ValueError) as e:
        raise ProtocolError(f"the parameters are not valid percent-encoded UTF-8: {e}", where="query string") from e


def _one(params: list[tuple[str, str]], name: str) -> str | None:
    values = [v for k, v in params if k == name]
    if len(values) > 1:
        raise ProtocolError(f"the {name} parameter is given {len(values)} times; send exactly one", where=name)
    return values[0] if values else None


def _iris(params: list[tuple[str, str]], name: str) -> list[str]:
    iris = []
    for _, value in ((k, v) for k, v in params if k == name):
        try:
            iris.append(NamedNode(value).value)
        except ValueError:
            raise ProtocolError(f"{name} must be an absolute IRI, not {value!r}", where=name) from None
    return iris


def parse(method: str, query_string: bytes | str, content_type: str | None, body: bytes, *,
          updates_only: bool = False) -> Operation:
    """The operation a request asks for (see the module docstring); ``updates_only`` for ``/update``."""
    try:
        url_params = _params(query_string)
    except UnicodeDecodeError as e:
        raise ProtocolError("the query string is not valid UTF-8", where="query string") from e
    mtype, mparams = media_type(content_type)

    if updates_only and method != "POST":
        raise ProtocolError(f"SPARQL Update is sent with POST, not {method}", status=405, where="method")
    if method in ("GET", "HEAD"):
        if _one(url_params, "update") is not None:
            raise ProtocolError("SPARQL Update must be sent with POST, not GET", where="update")
        params, text_param = url_params, "query"
        text = _one(params, "query")
        if text is None:
            return Operation("service-description", formats=[v for k, v in params if k == "format"])
        kind = "query"
    elif method == "POST":
        if mtype == FORM_TYPE:
            check_charset(mparams)
            params = url_params + _params(decode_utf8(body, "form body"))
            query, update = _one(params, "query"), _one(params, "update")
            if query is not None and update is not None:
                raise ProtocolError("send either a query or an update, not both", where="query")
            if query is None and update is None:
                raise ProtocolError("the form has neither a query nor an update parameter", where="body")
            kind, text = ("update", update) if update is not None else ("query", query)
            text_param = kind
        elif mtype in (QUERY_TYPE, UPDATE_TYPE):
            check_charset(mparams)
            params = url_params
            kind = "query" if mtype == QUERY_TYPE else "update"
            for name in ("query", "update"):
                if _one(params, name) is not None:
                    raise ProtocolError(f"the {kind} is in the body ({mtype}); the URL must not carry "
                                        f"a {name} parameter too", where=name)
            text, text_param = decode_utf8(body, kind), kind
        elif not mtype:
            raise ProtocolError(
                f"a POST needs a Content-Type: {FORM_TYPE}, {QUERY_TYPE} or {UPDATE_TYPE}", where="Content-Type")
        else:
            raise ProtocolError(
                f"unsupported Content-Type {mtype}; use {FORM_TYPE}, {QUERY_TYPE} or {UPDATE_TYPE}",
                where="Content-Type")
    else:
        raise ProtocolError(f"the SPARQL endpoint answers GET and POST, not {method}", status=405, where="method")

    if updates_only and kind != "update":
        raise ProtocolError("this endpoint takes SPARQL Update only; send queries to /sparql", where=text_param)
    if not text.strip():
        raise ProtocolError(f"the {kind} is empty", where=text_param)
    op = Operation(kind, text, formats=[v for k, v in params if k == "format"])
    if kind == "query":
        for name in USING_PARAMS:
            if any(k == name for k, _ in params):
                raise ProtocolError(f"{name} applies to updates; a query takes default-graph-uri and "
                                    f"named-graph-uri", where=name)
        op.default_graphs, op.named_graphs = _iris(params, DATASET_PARAMS[0]), _iris(params, DATASET_PARAMS[1])
    else:
        for name in DATASET_PARAMS:
            if any(k == name for k, _ in params):
                raise ProtocolError(f"{name} applies to queries; an update takes using-graph-uri and "
                                    f"using-named-graph-uri", where=name)
        op.using_graphs, op.using_named_graphs = _iris(params, USING_PARAMS[0]), _iris(params, USING_PARAMS[1])
    return op


# --- a SPARQL lexer just good enough to find top-level keywords -------------------------------------

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:(?:\"|\"\")?(?:[^\"\\]|\\.))*\"\"\"
             | '''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
             | \"(?:[^\"\\\n\r]|\\.)*\"
             | '(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][^\s{}()\[\].,;]+)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>[^\W\d][\w.\-]*:[^\s{}()\[\];,<>"']*|:[^\s{}()\[\];,<>"']*|_:[^\s{}()\[\];,<>"']*)
  | (?P<word>[^\W\d][\w\-]*)
  | (?P<open>\{)
  | (?P<close>\})
  | (?P<other>.)
""", re.X | re.S)


@dataclass
class Token:
    kind: str
    text: str
    start: int
    end: int
    depth: int          # brace depth the token sits at (an opening brace is at the outer depth)

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.upper() in words


def tokens(text: str) -> list[Token]:
    """Significant tokens (no whitespace or comments) with their brace depth.

    >>> [(t.text, t.depth) for t in tokens('SELECT * FROM <g> { ?s ?p "}" }') if t.kind != "other"]
    [('SELECT', 0), ('FROM', 0), ('<g>', 0), ('{', 0), ('?s', 1), ('?p', 1), ('"}"', 1), ('}', 0)]
    """
    out, depth = [], 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind in ("ws", "comment"):
            continue
        if kind == "close":
            depth = max(0, depth - 1)
        out.append(Token(kind, m.group(), m.start(), m.end(), depth))
        if kind == "open":
            depth += 1
    return out


def has_dataset_clause(query: str) -> bool:
    """Whether a query names its dataset with FROM / FROM NAMED (only possible at the top level).

    >>> has_dataset_clause("SELECT * FROM <http://g> { ?s ?p ?o }"), has_dataset_clause("SELECT ?from { ?s ?p 'FROM' }")
    (True, False)
    """
    # a word can only be a keyword if its letters are in the text at all: most queries skip the tokenizer
    return "from" in query.lower() and any(t.depth == 0 and t.is_word("FROM") for t in tokens(query))


def uses_service(text: str) -> bool:
    """Whether a query or update calls SERVICE anywhere (pyoxigraph would fetch it over HTTP).

    >>> uses_service("SELECT * { ?s ?p ?o OPTIONAL { SERVICE <http://x> { ?s ?q ?r } } }")
    True
    >>> uses_service("ASK { ?service ?p 'SERVICE' }")
    False
    """
    return "service" in text.lower() and any(t.is_word("SERVICE") for t in tokens(text))


_VAR = re.compile(r"[?$]\w+")
_PNAME = re.compile(r"[^\W\d][\w.\-]*:[\w.\-]*|:[\w.\-]*")


def one_anchored_pattern(query: str) -> bool:
    """Whether a query is a SELECT or ASK of one triple pattern with a constant subject or object, with
    no more than LIMIT and OFFSET: its cost is one scan of one index range, the triples of that subject
    (or object).  Anything else (a second pattern, a FILTER, a path, a modifier, a dataset) is not.

    >>> one_anchored_pattern("SELECT ?p ?o WHERE { <http://x/a> ?p ?o } LIMIT 10")
    True
    >>> one_anchored_pattern("PREFIX ex: <http://x/> ASK { ?s a ex:C . }")
    True
    >>> [one_anchored_pattern(q) for q in ("SELECT * { ?s ?p ?o }", "SELECT * { <a> ?p ?o . ?o ?q ?r }",
    ...      "SELECT * { <a> <p>/<q> ?o }", "SELECT * { <a> ?p ?o FILTER(?o) }", "SELECT * { <a> ?p ?o } ORDER BY ?o",
    ...      "SELECT DISTINCT ?o { <a> ?p ?o }", "SELECT * FROM <g> { <a> ?p ?o }", "SELECT * { _:b ?p ?o }")]
    [False, False, False, False, False, False, False, False]
    """
    # one group, so one opening brace: other queries (the server's own run to 70 KB of VALUES) are
    # refused without being tokenized (1.4 ms for such a one).  A literal holding a brace is refused
    # too, and goes to a worker, which is only slower.
    if query.count("{") != 1:
        return False
    toks = tokens(query)
    n, i = len(toks), 0

    def kind(k: int) -> str:
        return toks[k].kind if k < n else ""

    while i < n and toks[i].is_word("PREFIX", "BASE"):
        if toks[i].is_word("BASE") and kind(i + 1) == "iri":
            i += 2
        elif kind(i + 1) == "pname" and toks[i + 1].text.endswith(":") and kind(i + 2) == "iri":
            i += 3
        else:
            return False
    if i < n and toks[i].is_word("ASK"):
        select, i = False, i + 1
    elif i < n and toks[i].is_word("SELECT"):
        select, i = True, i + 1
        if kind(i) == "other" and toks[i].text == "*":
            i += 1
        else:
            start = i
            while kind(i) == "var" and _VAR.fullmatch(toks[i].text):
                i += 1
            if i == start:
                return False
    else:
        return False
    if i < n and toks[i].is_word("WHERE"):
        i += 1
    if kind(i) != "open":
        return False
    i += 1

    def constant(k: int) -> tuple[bool, int]:  # (a constant term?, index after the term); -1: not a term
        t = toks[k] if k < n else None
        if t is None:
            return False, -1
        if t.kind == "iri" or (t.kind == "pname" and not t.text.startswith("_:") and _PNAME.fullmatch(t.text)):
            return True, k + 1
        if t.kind == "var" and _VAR.fullmatch(t.text):
            return False, k + 1
        if t.kind == "string":
            if kind(k + 1) == "lang":
                return True, k + 2
            if kind(k + 1) == "other" and toks[k + 1].text == "^" and kind(k + 2) == "other" \
                    and toks[k + 2].text == "^" and kind(k + 3) in ("iri", "pname"):
                return kind(k + 3) == "iri" or bool(_PNAME.fullmatch(toks[k + 3].text)), k + 4
            return True, k + 1
        return False, -1

    if kind(i) == "string":  # a literal subject is not SPARQL
        return False
    subject_constant, i = constant(i)
    if i < 0:
        return False
    if kind(i) == "word" and toks[i].text == "a":
        i += 1
    elif kind(i) in ("iri", "pname", "var"):
        _, i = constant(i)
        if i < 0:
            return False
    else:
        return False
    object_constant, i = constant(i)
    if i < 0 or not (subject_constant or object_constant):
        return False
    if kind(i) == "other" and toks[i].text == ".":
        i += 1
    if kind(i) != "close":
        return False
    i += 1
    while i < n and select and toks[i].is_word("LIMIT", "OFFSET"):
        i += 1
        digits = i
        while kind(i) == "other" and toks[i].text.isdigit() and (i == digits or toks[i].start == toks[i - 1].end):
            i += 1
        if i == digits:
            return False
    return i == n


def top_level_words(text: str, *words: str) -> list[str]:
    return [t.text.upper() for t in tokens(text) if t.depth == 0 and t.is_word(*words)]


def apply_using(update: str, using: list[str], using_named: list[str]) -> str:
    """Apply the protocol's using-graph-uri / using-named-graph-uri to every operation with a WHERE.

    The protocol forbids combining them with USING, USING NAMED or WITH in the update itself (400).
    ``DELETE WHERE { P }`` has no USING slot, so it becomes the equivalent ``DELETE { P } USING … WHERE { P }``.

    >>> apply_using("DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", ["http://g"], [])
    'DELETE { ?s ?p ?o } USING <http://g> WHERE { ?s ?p ?o }'
    >>> apply_using("DELETE WHERE { ?s ?p ?o }", [], ["http://n"])
    'DELETE { ?s ?p ?o } USING NAMED <http://n> WHERE { ?s ?p ?o }'
    """
    if not using and not using_named:
        return update
    toks = tokens(update)
    clash = sorted({t.text.upper() for t in toks if t.depth == 0 and t.is_word("USING", "WITH")})
    if clash:
        raise ProtocolError(f"the update has {' and '.join(clash)} and the request has using-graph-uri or "
                            f"using-named-graph-uri: the protocol allows only one of them", where="update")
    clause = " ".join([f"USING <{g}>" for g in using] + [f"USING NAMED <{g}>" for g in using_named]) + " "
    edits: list[tuple[int, str]] = []
    for i, tok in enumerate(toks):
        if not (tok.depth == 0 and tok.is_word("WHERE")):
            continue
        if i > 0 and toks[i - 1].is_word("DELETE"):
            close = _matching_brace(toks, i + 1)
            if close is None:
                continue  # malformed: let the parser report it
            pattern = update[toks[i + 1].start:toks[close].end]
            edits.append((tok.start, pattern + " " + clause))
        else:
            edits.append((tok.start, clause))
    for pos, text in reversed(edits):
        update = update[:pos] + text + update[pos:]
    return update


def _matching_brace(toks: list[Token], i: int) -> int | None:
    if i >= len(toks) or toks[i].kind != "open":
        return None
    depth = toks[i].depth
    for j in range(i + 1, len(toks)):
        if toks[j].kind == "close" and toks[j].depth == depth:
            return j
    return None
