"""The whole graph, and a description of it: ``/export`` and ``/.well-known/void``.

``/export`` streams the dataset (every named graph) as N-Quads (the default), TriG, or JSON-LD, or
the union of all graphs as Turtle.  It is a dump, not a query: no result limit and no query time
limit.  The dump runs in a thread on its own read-only handle (a consistent snapshot even while
updates land) and writes into a small bounded queue that the response drains, so memory stays flat
whatever the size of the graph, and a slow client slows the dump instead of filling memory.  If the
dump fails halfway, the connection is dropped without the final chunk: a client sees an incomplete
transfer, never a short file that looks whole.

``/.well-known/void`` (RFC 5785, VoID §7) describes the dataset in VoID and DCAT: size, classes
with their counts, vocabularies, licence, example resources, the SPARQL endpoint and the dumps.
"""
from __future__ import annotations

import queue
import threading

import anyio
from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from ...namespaces import PREFIXES
from ...sparql import negotiation
from ...sparql.jobs import Job, grouped, serialize_triples
from ...sparql.snapshot import store_path
from ...store import EmbeddedStore, StoreError
from ..errors import ApiError
from ..deps import ExecutorDep
from .sparql import VARY, check, execute

router = APIRouter(tags=["Export"])

_BY = {f.name: f for f in negotiation.GRAPH_FORMATS}
EXPORT_FORMATS = (_BY["nq"], _BY["trig"], _BY["ttl"], _BY["jsonld"])  # the first is the default
EXTENSIONS = {"nq": "nq", "trig": "trig", "ttl": "ttl", "jsonld": "jsonld"}
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
CHUNK = 64 * 1024
_DONE = object()


@router.get(
    "/export", name="export", summary="The whole graph, streamed",
    description="`format`: nq (N-Quads, default), trig, jsonld (all named graphs) or ttl (the union of all "
                "graphs). Also negotiated by Accept. Never truncated.",
    responses={"200": {"description": "The dataset", "content": {
        f.media_type: {"schema": negotiation.answer_schema(f.media_type)} for f in EXPORT_FORMATS}},
        "400": {"description": "Unknown format"}, "406": {"description": "No acceptable format"}},
    openapi_extra={"parameters": [{"name": "format", "in": "query", "required": False,
                                   "schema": {"type": "string", "enum": list(EXTENSIONS), "default": "nq"}}]},
)
async def export(request: Request) -> Response:
    formats = [v for k, v in request.query_params.multi_items() if k == "format"]
    fmt = _negotiate(request, formats, EXPORT_FORMATS)
    snapshot = _snapshot(request.app.state.store)
    headers = {**VARY, "Content-Disposition": f'attachment; filename="jha-graph.{EXTENSIONS[fmt.name]}"'}
    return StreamingResponse(_stream(lambda out: snapshot.dump(out, fmt.name)), media_type=fmt.content_type,
                             headers=headers)


def _negotiate(request: Request, formats: list[str], candidates) -> negotiation.Format:
    accept = request.headers.get("accept")
    try:
        fmt = negotiation.negotiate_one(accept, formats, candidates)
    except negotiation.NegotiationError:
        raise ApiError(400, f"unknown format {formats[0]!r}; use one of "
                            f"{', '.join(f.name for f in candidates)}", where="format", headers=VARY) from None
    if fmt is None:
        raise ApiError(406, negotiation.not_acceptable_detail("this resource", accept, candidates, formats),
                       where="format" if formats else "Accept", headers=VARY)
    return fmt


def _snapshot(store):
    """A handle of its own for the dump: a consistent read-only snapshot of an on-disk store."""
    path = store_path(store)
    if path is None:
        return store
    try:
        return EmbeddedStore(path, read_only=True)
    except StoreError as e:
        raise ApiError(503, f"the store cannot be read right now: {e}", where="store") from None


class _QueueWriter:
    """A binary file for pyoxigraph to write into; hands 64 KiB chunks to the response."""

    def __init__(self, chunks: queue.Queue, cancelled: threading.Event) -> None:
        self.chunks, self.cancelled, self.buffer = chunks, cancelled, bytearray()

    def write(self, data) -> int:
        self.buffer += data
        if len(self.buffer) >= CHUNK:
            self._put(bytes(self.buffer))
            self.buffer.clear()
        return len(data)

    def flush(self) -> None:
        pass

    def close_out(self) -> None:
        if self.buffer:
            self._put(bytes(self.buffer))
            self.buffer.clear()

    def _put(self, item) -> None:
        while True:
            if self.cancelled.is_set():
                raise BrokenPipeError("the client went away")  # aborts the dump in pyoxigraph
            try:
                self.chunks.put(item, timeout=0.5)
                return
            except queue.Full:
                continue


async def _stream(produce):
    chunks: queue.Queue = queue.Queue(maxsize=16)
    cancelled = threading.Event()
    writer = _QueueWriter(chunks, cancelled)

    def run() -> None:
        try:
            produce(writer)
            writer.close_out()
            writer._put(_DONE)
        except BaseException as e:  # noqa: BLE001 - handed to the response, which aborts the transfer
            if not cancelled.is_set():
                try:
                    chunks.put(e, timeout=5)
                except queue.Full:
                    pass

    threading.Thread(target=run, daemon=True, name="jha-graph-export").start()
    try:
        while True:
            item = await anyio.to_thread.run_sync(chunks.get)
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise RuntimeError(f"the export failed halfway and was aborted: {item}") from item
            yield item
    finally:
        cancelled.set()
        while not chunks.empty():  # unblock the dump thread if it waits on a full queue
            chunks.get_nowait()


# --- VoID and DCAT -------------------------------------------------------------------------------------

VOID, DCAT, DCTERMS, RDF, FOAF = (PREFIXES[p] for p in ("void", "dcat", "dcterms", "rdf", "foaf"))
MEDIA_TYPE_IRI = "https://www.iana.org/assignments/media-types/"
FORMAT_IRIS = {"nq": "N-Quads", "trig": "TriG", "ttl": "Turtle", "jsonld": "JSON-LD"}
EXAMPLES = 6
EXAMPLE_CLASSES = ("Article", "JHACouncilMeeting", "Conclusions", "Agency", "CouncilPresidency", "MemberState")


@router.get(
    "/.well-known/void", name="void_description", summary="VoID and DCAT description of the dataset",
    description="Size, classes, vocabularies, licence, example resources, SPARQL endpoint and dumps; "
                "Turtle by default, or any RDF format by Accept or `format`.",
    responses={"200": {"description": "The description", "content": {
        f.media_type: {"schema": negotiation.answer_schema(f.media_type)} for f in negotiation.TRIPLE_FORMATS}}},
    openapi_extra={"parameters": [{"name": "format", "in": "query", "required": False,
                                   "schema": {"type": "string", "enum": ["ttl", "nt", "rdf", "jsonld"]}}]},
)
async def void_description(request: Request, executor: ExecutorDep) -> Response:
    formats = [v for k, v in request.query_params.multi_items() if k == "format"]
    fmt = _negotiate(request, formats, negotiation.TRIPLE_FORMATS)
    stats = await _stats(request, executor)
    triples = void_triples(request, stats)
    return Response(serialize_triples(grouped(triples), fmt.name), media_type=fmt.content_type, headers=VARY)


async def _stats(request: Request, executor) -> dict:
    """The dataset's counts, cached for as long as the store's generation stays the same."""
    state = request.app.state
    generation = executor.generation()
    cached = getattr(state, "void_stats", None)
    if generation is not None and cached is not None and cached[0] == generation:
        return cached[1]
    answer = await execute(executor, Job(kind="stats"))
    check(answer)
    state.void_stats = (generation, answer.data)
    return answer.data


def void_triples(request: Request, stats: dict) -> list[Triple]:
    settings = request.app.state.settings
    minter = settings.minter
    v = lambda name: NamedNode(VOID + name)  # noqa: E731
    dcat = lambda name: NamedNode(DCAT + name)  # noqa: E731
    dct = lambda name: NamedNode(DCTERMS + name)  # noqa: E731
    a = NamedNode(RDF + "type")
    integer = lambda n: Literal(str(n), datatype=NamedNode(PREFIXES["xsd"] + "integer"))  # noqa: E731
    en = lambda text: Literal(text, language="en")  # noqa: E731

    # the dataset's IRI lives under the graph's base, like every IRI of the graph
    dataset = minter.dataset
    description = NamedNode(str(request.url_for("void_description")))
    sparql = NamedNode(str(request.url_for("sparql_query")))
    service = NamedNode(str(request.url_for("sparql_query")) + "#service")
    license_ = NamedNode(LICENSE)
    t = [
        Triple(description, a, v("DatasetDescription")),
        Triple(description, dct("title"), en("VoID and DCAT description of the jha-graph dataset")),
        Triple(description, NamedNode(FOAF + "primaryTopic"), dataset),
        Triple(dataset, a, v("Dataset")),
        Triple(dataset, a, dcat("Dataset")),
        Triple(dataset, dct("title"), en("jha-graph: EU Justice and Home Affairs policy")),
        Triple(dataset, dct("description"), en(
            "A knowledge graph of EU Justice and Home Affairs policy (meetings, presidencies, documents, "
            "organisations, topics) extracted from eucrim news articles, with the evidence sentence for "
            "each fact. One named graph per article.")),
        Triple(dataset, dct("license"), license_),
        Triple(dataset, dct("source"), NamedNode("https://eucrim.eu/")),
        Triple(dataset, v("uriSpace"), Literal(minter.base + "id/")),
        Triple(dataset, v("sparqlEndpoint"), sparql),
        Triple(dataset, v("triples"), integer(stats["triples"])),
        Triple(dataset, v("entities"), integer(stats["entities"])),
        Triple(dataset, v("distinctSubjects"), integer(stats["subjects"])),
        Triple(dataset, v("properties"), integer(stats["properties"])),
        Triple(dataset, v("distinctObjects"), integer(stats["objects"])),
        Triple(dataset, v("classes"), integer(len(stats["classes"]))),
        Triple(dataset, v("documents"), integer(stats["graphs"])),
        Triple(dataset, v("rootResource"), NamedNode(minter.base)),
    ]
    for keyword in ("EU law", "Justice and Home Affairs", "criminal law", "Council of the EU", "knowledge graph"):
        t.append(Triple(dataset, dcat("keyword"), en(keyword)))
    for fmt in EXPORT_FORMATS:
        url = NamedNode(f"{request.url_for('export')}?format={fmt.name}")
        distribution = BlankNode()
        t += [
            Triple(dataset, v("dataDump"), url),
            Triple(dataset, v("feature"), NamedNode("http://www.w3.org/ns/formats/" + FORMAT_IRIS[fmt.name])),
            Triple(dataset, dcat("distribution"), distribution),
            Triple(distribution, a, dcat("Distribution")),
            Triple(distribution, dct("title"), en(f"The whole dataset as {FORMAT_IRIS[fmt.name]}")),
            Triple(distribution, dcat("downloadURL"), url),
            Triple(distribution, dcat("accessURL"), url),
            Triple(distribution, dcat("mediaType"), NamedNode(MEDIA_TYPE_IRI + fmt.media_type)),
            Triple(distribution, dct("license"), license_),
        ]
    t += [
        Triple(service, a, dcat("DataService")),
        Triple(service, dct("title"), en("jha-graph SPARQL 1.1 endpoint")),
        Triple(service, dcat("endpointURL"), sparql),
        Triple(service, dcat("endpointDescription"), sparql),
        Triple(service, dcat("servesDataset"), dataset),
        Triple(service, dct("conformsTo"), NamedNode("https://www.w3.org/TR/sparql11-protocol/")),
        Triple(service, dct("license"), license_),
        Triple(dataset, dcat("accessService"), service),
    ]
    used = set(stats["predicates"]) | {c["class"] for c in stats["classes"]}
    for namespace in sorted({ns for ns in PREFIXES.values() if any(iri.startswith(ns) for iri in used)}):
        t.append(Triple(dataset, v("vocabulary"), NamedNode(namespace)))
    for c in stats["classes"]:
        partition = BlankNode()
        t += [Triple(dataset, v("classPartition"), partition),
              Triple(partition, v("class"), NamedNode(c["class"])),
              Triple(partition, v("entities"), integer(c["entities"]))]
    # an article first, then one resource of each of the project's main kinds, then of whatever is most common
    rank = {PREFIXES["jha"] + name: i for i, name in enumerate(EXAMPLE_CLASSES)}
    with_example = [c for c in stats["classes"] if c["example"]]
    ordered = sorted(with_example, key=lambda c: (rank.get(c["class"], len(rank)),
                                                   not c["class"].startswith(PREFIXES["jha"])))
    for c in ordered[:EXAMPLES]:
        t.append(Triple(dataset, v("exampleResource"), NamedNode(c["example"])))
    return t
