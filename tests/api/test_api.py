"""The JSON API: every route in the OpenAPI document, filters, keyset paging, canned queries.

Most tests run on a hand-written graph (fixtures/articles.trig plus the reference data and the
ontology); the last ones on graphs built by the ingest pipeline from data/articles and, when
present, from ../shared/corpus/articles.
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from fixtures.api_support import LOCAL, W3ID, make_client, make_settings

from jha_graph.canned import CannedQueries, CannedQuery, ParameterError, QueryFileError, parse_iri
from jha_graph.config import PROJECT_ROOT

BASE = W3ID + "id/"


@pytest.fixture(scope="module")
def client():
    return make_client()


def data(client, url, **kw):
    r = client.get(url, **kw)
    assert r.status_code == 200, r.text
    return r.json()["data"]


def walk(client, url):
    """Every item of a paged list, following ``next``."""
    items, pages = [], 0
    while url:
        body = client.get(url).json()
        assert body["ok"], body
        items.extend(body["data"])
        url, pages = body["next"], pages + 1
        assert pages < 100
    return items, pages


# --------------------------------------------------------------------------------- every route has a test

# one example request per (method, path) of the OpenAPI document that this part of the server serves;
# the SPARQL protocol routes (/sparql, /update, /rdf-graph-store, /export, /.well-known/void) are tested
# with their own module.
EXAMPLES = {
    ("get", "/api"): "/api",
    ("get", "/api/entities"): "/api/entities?type=Agency",
    ("get", "/api/entities/{key}"): "/api/entities/org/eurojust",
    ("get", "/api/entity"): "/api/entity?iri=jha:Agency",
    ("get", "/api/types"): "/api/types",
    ("get", "/api/search"): "/api/search?q=eurojust",
    ("get", "/api/presidencies"): "/api/presidencies?from=2024-01-01&limit=2",
    ("get", "/api/presidencies/{key}"): "/api/presidencies/2024-1-be",
    ("get", "/api/meetings"): "/api/meetings?kind=JHA%20Council",
    ("get", "/api/documents"): "/api/documents?type=Roadmap",
    ("get", "/api/articles"): "/api/articles",
    ("get", "/api/articles/{slug}"): "/api/articles/seed-article",
    ("get", "/api/timeline"): "/api/timeline",
    ("get", "/api/queries"): "/api/queries",
    ("get", "/api/queries/{name}"): "/api/queries/cq/documents",
    ("post", "/api/queries/{name}"): "/api/queries/evidence",
    ("get", "/id/{path}"): "/id/org/eurojust",
    ("head", "/id/{path}"): "/id/org/eurojust.ttl",
    ("get", "/graph/{path}"): "/graph/article/seed-article",
    ("head", "/graph/{path}"): "/graph/links.nt",
    ("get", "/ontology"): "/ontology",
    ("head", "/ontology"): "/ontology",
    ("get", "/ontology.{suffix}"): "/ontology.ttl",
    ("head", "/ontology.{suffix}"): "/ontology.rdf",
    ("get", "/context.jsonld"): "/context.jsonld",
    ("get", "/"): "/",
    ("get", "/index.json"): "/index.json",
    ("get", "/.json"): "/.json",
    ("get", "/search"): "/search?q=europol",
    ("get", "/search.json"): "/search.json?q=europol",
    ("get", "/static/{name}"): "/static/style.css",
}
OTHERS = ("/sparql", "/update", "/rdf-graph-store", "/export", "/.well-known/", "/docs", "/openapi", "/redoc")


def test_every_route_in_openapi_has_an_example(client):
    paths = client.get("/openapi.json").json()["paths"]
    ours = {(m, p) for p, ops in paths.items() for m in ops if not p.startswith(OTHERS)}
    assert ours == set(EXAMPLES), f"untested: {ours - set(EXAMPLES)}; stale: {set(EXAMPLES) - ours}"


@pytest.mark.parametrize("method,path", sorted(EXAMPLES))
def test_every_route_answers(client, method, path):
    kwargs = {"json": {"entity": "org/eurojust"}} if method == "post" else {}
    r = client.request(method.upper(), EXAMPLES[(method, path)], **kwargs)
    assert r.status_code == 200, r.text
    if method == "head":
        assert r.content == b"" and int(r.headers["content-length"]) > 0


def test_openapi_documents_parameters(client):
    doc = client.get("/openapi.json").json()
    params = {p["name"] for p in doc["paths"]["/api/documents"]["get"]["parameters"]}
    assert {"type", "from", "to", "topic", "presidency", "after", "limit"} <= params
    assert client.get("/docs").status_code == 200


# --------------------------------------------------------------------------------- entities

def test_entities_by_type_count_subclasses(client):
    orgs, _ = walk(client, "/api/entities?type=Organisation&limit=500")
    agencies = data(client, "/api/entities?type=jha:Agency&limit=500")
    assert {a["iri"] for a in agencies} < {o["iri"] for o in orgs}
    assert BASE + "org/eurojust" in {a["iri"] for a in agencies}
    assert all("jha:Agency" in a["types"] for a in agencies)


def test_entities_by_name_ignore_case(client):
    hits = data(client, "/api/entities?q=EUROJUST")
    assert [h["id"] for h in hits if h["id"] == "org/eurojust"]
    assert data(client, "/api/entities?q=zzzz-nothing") == []


def test_entities_leave_out_evidence_unless_asked(client):
    everything, _ = walk(client, "/api/entities?limit=500")
    assert not [e for e in everything if "/evidence/" in e["iri"]]
    evidence = data(client, "/api/entities?type=Evidence")
    assert len(evidence) == 7 and all(e["types"] == ["jha:Evidence"] for e in evidence)


def test_keyset_paging_visits_every_entity_once_in_order(client):
    whole = data(client, "/api/entities?type=Country&limit=500")
    paged, pages = walk(client, "/api/entities?type=Country&limit=7")
    assert pages == -(-len(whole) // 7)
    assert [e["iri"] for e in paged] == [e["iri"] for e in whole] == sorted(e["iri"] for e in whole)


def test_next_carries_the_filters_and_the_last_key(client):
    body = client.get("/api/entities?type=Country&limit=3").json()
    query = parse_qs(urlsplit(body["next"]).query)
    assert query["type"] == ["Country"] and query["limit"] == ["3"]
    assert query["after"] == [body["data"][-1]["iri"]]


def test_one_entity_has_labels_types_relations_and_sources(client):
    e = data(client, "/api/entities/org/europol")
    assert e["iri"] == BASE + "org/europol" and e["label"] == "Europol"
    assert e["labels"][0] == {"property": "skos:prefLabel", "type": "literal", "value": "Europol", "lang": "en"}
    assert [t["iri"] for t in e["types"]] == ["https://w3id.org/jha-graph/ontology#Agency"]
    inverse = {f["property"]["iri"].rsplit("#", 1)[-1]: f["subjects"] for f in e["inverse"]}
    assert {s["iri"] for s in inverse["mentions"]} == {BASE + "article/seed-article",
                                                       BASE + "article/eu-roadmap-drug-trafficking"}
    articles = [s for s in e["sources"] if s["kind"] == "article"]
    assert {s["article"]["iri"] for s in articles} == {BASE + "article/seed-article",
                                                        BASE + "article/eu-roadmap-drug-trafficking"}
    quoted = [x for s in articles for x in s["sentences"]]
    assert len(quoted) == 1 and "Europol report" in quoted[0]["text"]
    start, end = quoted[0]["marks"][0]
    assert quoted[0]["text"][start:end] == "Europol"
    assert {s["kind"] for s in e["sources"]} == {"article", "reference"}
    assert e["formats"]["ttl"] == "http://testserver/id/org/europol.ttl"


def test_relations_both_ways_of_a_document(client):
    e = data(client, "/api/entities/document/conclusions/conclusions-on-the-europol-report-decoding")
    facts = {f["property"]["iri"].rsplit("#", 1)[-1]: f["values"] for f in e["facts"]}
    assert facts["adoptedAt"][0]["iri"] == BASE + "meeting/2024-06-13--2024-06-14-jha-council"
    assert facts["adoptedAt"][0]["label"] == "JHA Council"
    assert facts["date"] == [{"type": "literal", "value": "2024-06-13", "datatype": "xsd:date"}]
    assert e["label"].startswith("Conclusions on the Europol report")


def test_entity_by_iri_for_any_term(client):
    e = data(client, "/api/entity?iri=https%3A%2F%2Fw3id.org%2Fjha-graph%2Fontology%23Agency")
    assert e["label"] == "Agency" and e["id"] is None
    assert data(client, "/api/entity?iri=org/eurojust")["iri"] == BASE + "org/eurojust"


def test_types_count_instances(client):
    types = {t["curie"]: t for t in data(client, "/api/types")}
    assert types["jha:Article"]["count"] == 2
    assert types["jha:CouncilPresidency"]["label"] == "Council presidency"
    assert types["jha:Article"]["entities"].endswith("/api/entities?type=jha%3AArticle")


# --------------------------------------------------------------------------------- presidencies, meetings

def test_presidencies_in_a_period_and_by_country(client):
    p = data(client, "/api/presidencies?from=2024-01-01&to=2024-12-31")
    assert [x["id"] for x in p] == ["presidency/2024-1-be", "presidency/2024-2-hu"]
    assert p[0]["country"]["label"] == "Belgium" and p[0]["country"]["code"] == "BE"
    assert p[0]["start"] == "2024-01-01" and p[0]["end"] == "2024-06-30"
    assert p[0]["trio"]["id"] == "trio/2023-2"
    be = data(client, "/api/presidencies?country=belgium&limit=500")
    assert len(be) >= 10 and all(x["country"]["code"] == "BE" for x in be)
    assert data(client, "/api/presidencies?country=BE&from=2024-01-01&to=2024-03-01")[0]["id"] == "presidency/2024-1-be"


def test_one_presidency_with_its_meetings_documents_and_articles(client):
    p = data(client, "/api/presidencies/2024-1-be")
    assert [m["id"] for m in p["meetings"]] == ["meeting/2024-03-04--2024-03-05-jha-council",
                                                "meeting/2024-06-13--2024-06-14-jha-council"]
    assert [d["type"] for d in p["documents"]] == ["Conclusions"]
    assert [a["id"] for a in p["articles"]] == ["article/seed-article"]
    assert data(client, "/api/presidencies/2024-1-be.json") == p


def test_meetings_by_date_kind_and_presidency(client):
    assert len(data(client, "/api/meetings")) == 2
    june = data(client, "/api/meetings?from=2024-06-14")
    assert [m["start"] for m in june] == ["2024-06-13"]  # ends on the 14th: overlaps
    assert data(client, "/api/meetings?to=2024-03-03") == []
    assert len(data(client, "/api/meetings?kind=JHACouncilMeeting&presidency=2024-1-be")) == 2
    assert data(client, "/api/meetings?kind=Informal%20JHA") == []
    m = data(client, "/api/meetings?to=2024-03-31")[0]
    assert m["places"][0]["label"] == "Brussels"
    assert m["presidencies"][0]["id"] == "presidency/2024-1-be"
    assert m["articles"][0]["id"] == "article/seed-article"


# --------------------------------------------------------------------------------- documents, articles

ROADMAP = "document/roadmap/eu-roadmap-to-fight-drug-trafficking-and-organised-crime"
CONCLUSIONS = "document/conclusions/conclusions-on-the-europol-report-decoding"


@pytest.mark.parametrize("query,expected", [
    ("", {ROADMAP, CONCLUSIONS}),
    ("type=Roadmap", {ROADMAP}),
    ("type=conclusions", {CONCLUSIONS}),
    ("from=2023-10-31&to=2023-10-31", {ROADMAP}),   # a month overlaps any day of it
    ("from=2023-11-01", {CONCLUSIONS}),
    ("to=2023-09-30", set()),
    ("topic=drug-trafficking", {ROADMAP}),
    ("topic=topic/organised-crime", {ROADMAP, CONCLUSIONS}),
    ("presidency=2024-1-be", {CONCLUSIONS}),
    ("presidency=" + W3ID + "id/presidency/2023-2-es", {ROADMAP}),
    ("type=Roadmap&presidency=2024-1-be", set()),
])
def test_documents_filters(client, query, expected):
    assert {d["id"] for d in data(client, "/api/documents?" + query)} == expected


def test_document_item(client):
    d = {x["id"]: x for x in data(client, "/api/documents")}
    c = d[CONCLUSIONS]
    assert c["type"] == "Conclusions" and c["date"] == "2024-06-13"
    assert c["adoptedAt"]["start"] == "2024-06-13"
    assert [b["label"] for b in c["issuedBy"]] == ["Council of the European Union"]
    assert d[ROADMAP]["date"] == "2023-10"
    assert {a["id"] for a in d[ROADMAP]["articles"]} == {"article/seed-article", "article/eu-roadmap-drug-trafficking"}


def test_articles_and_their_crossrefs_both_ways(client):
    arts = data(client, "/api/articles")
    assert [a["file"] for a in arts] == ["eu-roadmap-drug-trafficking.md", "seed-article.md"]
    seed = data(client, "/api/articles/seed-article")
    assert seed["issue"] == "1/2024" and seed["pages"] == "30-31" and seed["author"] == "Thomas Wahl"
    refs = seed["crossrefs"]
    assert [r["position"] for r in refs] == [1, 2, 3]
    assert refs[1]["target"]["id"] == "article/eu-roadmap-drug-trafficking"
    assert refs[1]["resolvedBy"] == "issue-and-pages"
    assert refs[0]["target"] is None and refs[2]["separateItem"] is True
    assert seed["citedBy"] == []
    cited = data(client, "/api/articles/eu-roadmap-drug-trafficking")
    assert [c["article"]["id"] for c in cited["citedBy"]] == ["article/seed-article"]
    assert cited["citedBy"][0]["marker"] == "→ eucrim 3/2023, 257"
    assert {m["id"] for m in seed["mentions"]} >= {"org/eurojust", "presidency/2024-1-be", CONCLUSIONS}
    assert [a["id"] for a in data(client, "/api/articles?from=2024-01-01")] == ["article/seed-article"]
    assert [a["id"] for a in data(client, "/api/articles?topic=organised-crime")] == ["article/seed-article"]


# --------------------------------------------------------------------------------- timeline, search

def test_timeline_in_date_order_and_paged_by_date(client):
    whole = data(client, "/api/timeline")
    assert [(x["date"], x["kind"]) for x in whole] == [
        ("2023-10", "document"), ("2024-03-04", "meeting"), ("2024-06-13", "meeting"), ("2024-06-13", "document")] \
        or [x["date"] for x in whole] == sorted(x["date"] for x in whole)
    assert [x["date"] for x in whole][0] == "2023-10"
    paged, pages = walk(client, "/api/timeline?limit=1")
    assert pages == len(whole) and [x["iri"] for x in paged] == [x["iri"] for x in whole]
    assert [x["type"] for x in data(client, "/api/timeline?from=2024-01-01&to=2024-03-31")] == ["JHA Council"]
    assert {x["kind"] for x in data(client, "/api/timeline?presidency=2024-1-be")} == {"meeting", "document"}
    # a meeting concerns the topics of the documents adopted at it and of the articles that report it
    assert [x["id"] for x in data(client, "/api/timeline?topic=drug-trafficking")] == [
        ROADMAP, "meeting/2024-03-04--2024-03-05-jha-council", "meeting/2024-06-13--2024-06-14-jha-council"]


def test_search_names_titles_and_sentences_case_insensitively(client):
    hits = {h["id"]: h for h in data(client, "/api/search?q=EUROJUST")}
    assert hits["org/eurojust"]["match"]["name"].lower() == "eurojust"
    assert "Eurojust" in hits["org/eurojust"]["match"]["sentence"] and hits["org/eurojust"]["match"]["sentences"] == 1
    by_sentence = {h["id"] for h in data(client, "/api/search?q=scope and tasks")}
    assert by_sentence == {"org/eurojust"}
    by_title = {h["id"] for h in data(client, "/api/search?q=roadmap to fight")}
    assert ROADMAP in by_title


@pytest.mark.parametrize("q", ["EUR 1.5m [approx.] + 20%*", "(costs:", ".*", "a\\b", '") } SELECT * { ?s ?p ?o',
                               "' || true || '", "^The"])
def test_search_text_is_literal(client, q):
    hits = data(client, "/api/search", params={"q": q})
    if q in ("EUR 1.5m [approx.] + 20%*", "(costs:"):
        assert {h["id"] for h in hits} == {"org/europol", CONCLUSIONS}
    else:
        assert hits == []


def test_search_by_type_and_paged(client):
    assert {h["id"] for h in data(client, "/api/search?q=europ&type=Agency")} >= {"org/europol"}
    paged, _ = walk(client, "/api/search?q=european&limit=5")
    whole = data(client, "/api/search?q=european&limit=500")
    assert [h["iri"] for h in paged] == [h["iri"] for h in whole]


# --------------------------------------------------------------------------------- canned queries

def test_every_query_file_is_a_canned_query(client):
    listed = {q["name"]: q for q in data(client, "/api/queries")}
    files = {p.relative_to(PROJECT_ROOT / "queries").with_suffix("").as_posix()
             for p in (PROJECT_ROOT / "queries").rglob("*.rq")}
    assert set(listed) == files
    for name in ("timeline", "presidency-in-office", "topic", "evidence", "citations", "entity"):
        assert listed[name]["title"] and listed[name]["params"], name
    assert listed["cq/documents"]["title"].startswith("CQ4")


@pytest.mark.parametrize("name", sorted(CannedQueries.load(PROJECT_ROOT / "queries").names()))
def test_every_canned_query_runs_with_and_without_its_examples(client, name):
    q = CannedQueries.load(PROJECT_ROOT / "queries").get(name)
    examples = {p.name: p.example for p in q.params if p.example}
    for params in ({}, examples):
        if any(p.required and p.name not in params for p in q.params):
            continue
        r = client.get(f"/api/queries/{name}", params=params)
        assert r.status_code == 200, (params, r.text)
        body = r.json()
        assert body["meta"]["query"] == name and body["meta"]["params"] == params


def test_canned_queries_answer_the_further_questions(client):
    ev = data(client, "/api/queries/evidence?entity=org/eurojust")
    assert [(r["file"], r["offset"]) for r in ev] == [("seed-article.md", 640)]
    assert "link with Eurojust" in ev[0]["sentence"]
    office = data(client, "/api/queries/presidency-in-office?title=ROADMAP")
    assert [(r["country"], r["day"]) for r in office] == [("Spain", "2023-10")]
    office = data(client, "/api/queries/presidency-in-office", params={"document": CONCLUSIONS})
    assert [(r["country"], r["day"]) for r in office] == [("Belgium", "2024-06-13")]
    topic = data(client, "/api/queries/topic?topic=topic/organised-crime")
    assert {(r["kind"], r["item"].removeprefix(BASE)) for r in topic} == {
        ("document", ROADMAP), ("document", CONCLUSIONS),
        ("meeting", "meeting/2024-03-04--2024-03-05-jha-council"),
        ("meeting", "meeting/2024-06-13--2024-06-14-jha-council")}
    cites = data(client, "/api/queries/citations?article=article/seed-article")
    assert [(r["position"], r["missing"]) for r in cites] == [(1, True), (2, False), (3, True)]
    entity = data(client, "/api/queries/entity?label=eUrOjUsT&limit=500")
    assert {r["entity"] for r in entity} == {BASE + "org/eurojust"}
    assert {r["direction"] for r in entity} == {"in", "out"}
    assert any(r["property"].endswith("#about") and "Eurojust" in r["valueLabel"] for r in entity)
    timeline = data(client, "/api/queries/timeline?from=2024-06-01")
    assert [r["date"] for r in timeline] == ["2024-06-13", "2024-06-13"]


def test_canned_query_parameters_are_bound_not_pasted(client):
    # a string parameter full of SPARQL is just text that no title contains
    nasty = '") } } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o FILTER("'
    assert data(client, "/api/queries/presidency-in-office", params={"title": nasty}) == []
    assert len(data(client, "/api/queries/cq/articles")) == 2  # nothing was dropped
    r = client.get("/api/queries/evidence", params={"entity": "org/eurojust> ?p ?o } #"})
    assert r.status_code == 400 and r.json()["error"]["where"] == "entity"


def test_canned_query_post_csv_and_paging(client):
    r = client.post("/api/queries/evidence", data={"entity": "org/europol"})
    assert r.status_code == 200 and len(r.json()["data"]) == 1
    r = client.post("/api/queries/presidency-in-office", json={"title": "roadmap"})
    assert r.json()["data"][0]["country"] == "Spain"
    csv = client.get("/api/queries/cq/articles.csv")
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.splitlines()
    assert lines[0].startswith("article,file,title") and len(lines) == 3
    paged, pages = walk(client, "/api/queries/cq/organisations?limit=4")
    assert paged == data(client, "/api/queries/cq/organisations?limit=500") and pages > 1


def test_canned_header_convention(tmp_path):
    text = ('# Title line.\n# More words\n# on two lines.\n#\n# A second paragraph.\n'
            '# param: ?who iri "an entity" required example="org/eurojust"\n'
            '# param: ?n xsd:integer "how many"\n'
            'SELECT ?who ?n WHERE { ?who ?p ?n }\n')
    q = CannedQuery.parse("x", text)
    assert q.title == "Title line."
    assert q.description == "More words on two lines.\n\nA second paragraph."
    assert [(p.name, p.type, p.required, p.example) for p in q.params] == [
        ("who", "iri", True, "org/eurojust"), ("n", "xsd:integer", False, None)]
    with pytest.raises(ParameterError) as e:
        q.bind({}, "https://example.org/")
    assert e.value.where == "who"
    with pytest.raises(ParameterError) as e:
        q.bind({"who": "org/x", "n": "1.5"}, "https://example.org/")
    assert e.value.where == "n"
    subs = q.bind({"who": "org/x", "n": "7"}, "https://example.org/")
    assert [t.value for t in subs.values()] == ["https://example.org/id/org/x", "7"]
    for bad in ('# param: ?x strange "no such type"\nSELECT ?x {}',
                '# param: ?limit xsd:string "reserved"\nSELECT ?limit {}',
                '# param: x xsd:string\nSELECT ?x {}', '# param: ?x iri "a"\n# param: ?x iri "b"\nSELECT ?x {}'):
        with pytest.raises(QueryFileError):
            CannedQuery.parse("bad", bad)


def test_required_parameter_and_query_folder(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "who.rq").write_text(
        '# Who: the names of one entity.\n# param: ?who iri "the entity" required\n'
        'SELECT ?who ?name WHERE { ?who skos:prefLabel ?name }\n')
    c = make_client(queries_dir=tmp_path)
    assert [q["name"] for q in c.get("/api/queries").json()["data"]] == ["sub/who"]
    r = c.get("/api/queries/sub/who")
    assert r.status_code == 400 and r.json()["error"]["where"] == "who"
    assert c.get("/api/queries/sub/who?who=org/eurojust").json()["data"] == [
        {"who": BASE + "org/eurojust", "name": "Eurojust"}]


def test_parse_iri_forms():
    assert parse_iri("skos:Concept", LOCAL).value == "http://www.w3.org/2004/02/skos/core#Concept"
    assert parse_iri("<https://example.org/x>", LOCAL).value == "https://example.org/x"
    assert parse_iri("topic/drug-trafficking", LOCAL).value == LOCAL + "id/topic/drug-trafficking"
    for bad in ("", "no spaces here", "a>b:c", "x:y z", "plain"):
        with pytest.raises(ParameterError):
            parse_iri(bad, LOCAL)


# --------------------------------------------------------------------------------- base IRI

def test_a_local_base_mints_and_serves_local_iris():
    c = make_client(LOCAL)
    e = data(c, "/api/entities/org/eurojust")
    assert e["iri"] == LOCAL + "id/org/eurojust" and e["page"] == e["iri"]
    assert data(c, "/api/presidencies/2024-1-be")["iri"] == LOCAL + "id/presidency/2024-1-be"
    assert data(c, "/api/entities?type=Article")[0]["iri"].startswith(LOCAL + "id/article/")


def test_links_follow_the_address_the_client_used():
    c = make_client()
    r = c.get("/api/entities/org/eurojust", headers={"host": "jha.example.org"})
    assert r.json()["data"]["page"] == "http://jha.example.org/id/org/eurojust"
    assert r.json()["data"]["iri"] == BASE + "org/eurojust"


# --------------------------------------------------------------------------------- ingested graphs

def ingested_client(paths):
    from jha_graph.ingest import ingest

    settings = make_settings()
    from jha_graph.store import EmbeddedStore

    store = EmbeddedStore(None)
    report = ingest(paths, store, settings)
    assert report.ingested, report.failed
    return make_client(store=store)


@pytest.fixture(scope="module")
def seed_client():
    return ingested_client([PROJECT_ROOT / "data" / "articles"])


def test_seed_article_through_the_api(seed_client):
    c = seed_client
    arts = data(c, "/api/articles")
    assert [a["file"] for a in arts] == ["seed-article.md"]
    seed = data(c, "/api/articles/seed-article")
    assert seed["issue"] == "1/2024"
    assert [r["issue"] for r in seed["crossrefs"]][:2] == ["4/2023", "3/2023"]
    p = data(c, "/api/presidencies/2024-1-be")
    assert "2024-03-04" in {m["start"] for m in p["meetings"]}
    assert {d["type"] for d in data(c, "/api/documents")} >= {"Roadmap"}
    e = data(c, "/api/entities/org/eurojust")
    quoted = [x["text"] for s in e["sources"] for x in s["sentences"]]
    assert any("Eurojust" in t for t in quoted)
    assert data(c, "/api/search?q=LA PAZ")
    for name in CannedQueries.load(PROJECT_ROOT / "queries").names():
        assert c.get(f"/api/queries/{name}").status_code == 200, name
    timeline = data(c, "/api/timeline?limit=500")
    keys = [x["key"] for x in timeline]
    assert keys == sorted(keys) and len(keys) == len(set(keys))


CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" / "articles"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/articles is not present")
def test_development_corpus_through_the_api():
    c = ingested_client([CORPUS])
    arts, _ = walk(c, "/api/articles?limit=20")
    assert len(arts) == len(list(CORPUS.glob("*.md")))
    docs, _ = walk(c, "/api/documents?limit=100")
    assert len({d["iri"] for d in docs}) == len(docs) > 20
    meetings, _ = walk(c, "/api/meetings?limit=100")
    assert all(m["start"] for m in meetings)
    timeline, _ = walk(c, "/api/timeline?limit=100")
    assert [x["key"] for x in timeline] == sorted(x["key"] for x in timeline)
    cited = [a for a in arts if data(c, f"/api/articles/{a['id'].split('/', 1)[1]}")["citedBy"]]
    assert cited, "some article of the corpus is cited by another"
    for name in CannedQueries.load(PROJECT_ROOT / "queries").names():
        assert c.get(f"/api/queries/{name}?limit=500").status_code == 200, name
    assert data(c, "/api/search?q=eurojust")
