"""Tests of the curated reference data (data/reference) and its loader (jha_graph.reference)."""
from __future__ import annotations

import datetime as dt
import doctest
import shutil
from collections import defaultdict
from pathlib import Path

import pyoxigraph
import pytest

import jha_graph.reference as reference_module
from jha_graph.namespaces import JHA, OWL, RDF, SKOS, Minter
from jha_graph.reference import (
    DEFAULT_DIRECTORY, KINDS, Reference, ReferenceDataError, _name_key, default_reference, is_acronym,
)


@pytest.fixture(scope="module")
def ref() -> Reference:
    return Reference.load()


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "reference"
    shutil.copytree(DEFAULT_DIRECTORY, target)
    return target


def test_doctests() -> None:
    result = doctest.testmod(reference_module)
    assert result.attempted > 20 and result.failed == 0


# ------------------------------------------------------------------------------------ countries

def test_all_member_states_and_uk(ref: Reference) -> None:
    members = {c.code for c in ref.countries if c.is_member_state}
    assert members == set("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split())
    uk = ref.country("GB")
    assert uk.name == "United Kingdom" and (uk.eu_member_from, uk.eu_member_until) == (1973, 2020)
    assert not uk.is_member_state and uk.was_member_in(2020) and not uk.was_member_in(2021)


@pytest.mark.parametrize("text,code", [
    ("Belgian", "BE"), ("Belgium", "BE"), ("BE", "BE"), ("be", "BE"), ("Czech Republic", "CZ"),
    ("Czechia", "CZ"), ("Czech", "CZ"), ("the Netherlands", "NL"), ("Dutch", "NL"), ("Greece", "GR"),
    ("Hellenic Republic", "GR"), ("EL", "GR"), ("Greek", "GR"), ("Slovene", "SI"), ("Slovenian", "SI"),
    ("Slovak", "SK"), ("Luxembourgish", "LU"), ("Luxembourg", "LU"), ("British", "GB"), ("UK", "GB"),
    ("  finnish ", "FI"), ("Cypriot", "CY"), ("Maltese", "MT"), ("Irish", "IE"),
])
def test_country_lookup(ref: Reference, text: str, code: str) -> None:
    assert ref.country(text).code == code


def test_country_unknown(ref: Reference) -> None:
    assert ref.country("Atlantis") is None and ref.country("") is None and ref.country("ZZ") is None


def test_country_names_unique(ref: Reference) -> None:
    owner: dict[str, str] = {}
    for c in ref.countries:
        for s in (c.name,) + c.aliases + c.demonyms:
            assert owner.setdefault(s.casefold(), c.code) == c.code, s


# --------------------------------------------------------------------------------- presidencies

def test_every_half_year_1958_to_2030_has_one_presidency(ref: Reference) -> None:
    terms = [(p.year, p.half) for p in ref.presidencies]
    assert terms == [(y, h) for y in range(1958, 2031) for h in (1, 2)]
    for p in ref.presidencies:
        assert p.start == dt.date(p.year, 1 if p.half == 1 else 7, 1)
        assert p.end == (dt.date(p.year, 6, 30) if p.half == 1 else dt.date(p.year, 12, 31))
    for a, b in zip(ref.presidencies, ref.presidencies[1:]):
        assert b.start == a.end + dt.timedelta(days=1)  # contiguous, no overlap
        assert a.code != b.code


def test_presidencies_only_by_members_of_the_day(ref: Reference) -> None:
    for p in ref.presidencies:
        assert p.country.was_member_in(p.year), p


def test_every_day_has_a_presidency(ref: Reference) -> None:
    day = dt.date(1958, 1, 1)
    while day <= dt.date(2030, 12, 31):
        p = ref.presidency_on(day)
        assert p is not None and p.contains(day)
        day += dt.timedelta(days=13)
    assert ref.presidency_on("1957-12-31") is None and ref.presidency_on("2031-01-01") is None


@pytest.mark.parametrize("day,country", [
    ("2024-03-04", "Belgium"), ("2023-10-13", "Spain"), ("2020-07-01", "Germany"), ("2017-07-01", "Estonia"),
    ("2005-07-01", "United Kingdom"), ("2024-06-30", "Belgium"), ("2024-07-01", "Hungary"),
    ("1958-01-01", "Belgium"), ("1958-07-01", "Germany"), ("1973-07-01", "Denmark"), ("1977-01-01", "United Kingdom"),
    ("1983-07-01", "Greece"), ("1989-01-01", "Spain"), ("1992-01-01", "Portugal"), ("1998-07-01", "Austria"),
    ("2004-01-15", "Ireland"), ("2004-07-15", "Netherlands"), ("2009-03-01", "Czechia"), ("2022-12-31", "Czechia"),
    ("2026-01-01", "Cyprus"), ("2030-12-31", "Malta"), ("2024-03", "Belgium"), (dt.date(2019, 11, 5), "Finland"),
    (dt.datetime(2021, 1, 2, 10, 0), "Portugal"),
])
def test_presidency_on_known_days(ref: Reference, day, country: str) -> None:
    assert ref.presidency_on(day).country.name == country


def test_presidency_on_rejects_garbage(ref: Reference) -> None:
    assert ref.presidency_on("2024") is None
    with pytest.raises(ValueError):
        ref.presidency_on("March 2024")
    with pytest.raises(ValueError):
        ref.presidency_on("2024-13")


def test_presidency_accessors(ref: Reference) -> None:
    p = ref.presidency("BE", 2024, 1)
    assert p is ref.presidency("Belgium", 2024, 1) and p.label == "Belgian Presidency of the Council (January–June 2024)"
    assert ref.presidency("BE", 2024, 2) is None
    assert [(p.year, p.half) for p in ref.presidencies_of("Estonia")] == [(2017, 2)]
    assert [(p.year, p.half) for p in ref.presidencies_of("GB")] == [(1977, 1), (1981, 2), (1986, 2), (1992, 2),
                                                                   (1998, 1), (2005, 2)]
    assert ref.presidencies_of("Atlantis") == []


def test_trios(ref: Reference) -> None:
    assert all(p.trio is None for p in ref.presidencies if p.year < 2007)
    assert all(p.trio for p in ref.presidencies if p.year >= 2007)
    groups = defaultdict(list)
    for i, p in enumerate(ref.presidencies):
        if p.trio:
            groups[p.trio].append(i)
    assert len(groups) == 16
    for trio, idx in groups.items():
        assert len(idx) == 3 and idx == list(range(idx[0], idx[0] + 3)), trio
        first = ref.presidencies[idx[0]]
        assert trio == f"{first.year}-{first.half}"
    codes = lambda y, h: [p.code for p in ref.trio_of(ref.presidency_on(dt.date(y, 1 if h == 1 else 7, 1)))]
    assert codes(2007, 1) == ["DE", "PT", "SI"]
    assert codes(2017, 2) == ["EE", "BG", "AT"]
    assert codes(2024, 2) == ["ES", "BE", "HU"]
    assert codes(2029, 2) == ["NL", "SK", "MT"]
    assert ref.trio_of(ref.presidency("IE", 2004, 1)) == []


# -------------------------------------------------------------------------------- organisations

@pytest.mark.parametrize("text,key", [
    ("EPPO", "eppo"), ("European Public Prosecutor's Office", "eppo"), ("the European Public Prosecutor’s Office", "eppo"),
    ("THE EUROPEAN PUBLIC PROSECUTOR'S OFFICE", "eppo"), ("OLAF", "olaf"), ("European Anti-Fraud Office", "olaf"),
    ("the Council", None), ("JHA Council", "council"), ("Justice and Home Affairs Council", "council"),
    ("the EU Council", "council"), ("Council of the EU", "council"), ("Council of the European Union", "council"),
    ("European Council", "european-council"), ("EU Commission", "european-commission"),
    ("European Commission", "european-commission"), ("EP", "european-parliament"), ("CJEU", "cjeu"),
    ("Court of Justice", "cjeu"), ("ECJ", "cjeu"), ("Court of Justice of the EU", "cjeu"),
    ("Eurojust", "eurojust"), ("European Union Agency for Criminal Justice Cooperation", "eurojust"),
    ("EU Agency for Criminal Justice Cooperation", "eurojust"), ("europol", "europol"), ("Frontex", "frontex"),
    ("European Border and Coast Guard Agency", "frontex"), ("eu-LISA", "eu-lisa"), ("EU-LISA", "eu-lisa"),
    ("EMPACT", "empact"), ("European Multidisciplinary Platform Against Criminal Threats", "empact"),
    ("EU Drugs Agency", "euda"), ("EMCDDA", "emcdda"), ("ECB", "ecb"), ("ecb", None), ("Ecb", None),
    ("the Office", None), ("JITs Network", "jits-network"), ("Genocide Network", "genocide-network"),
    ("European Judicial Organised Crime Network", "ejocn"), ("AMLA", "amla"), ("NATO", "nato"),
    ("International Criminal Court", "icc"), ("Council of Europe", "council-of-europe"),
    ("EU–CELAC Coordination and Cooperation Mechanism on Drugs", "eu-celac-drugs-mechanism"),
    ("European Migrant Smuggling Centre", "emsc"), ("EU INTCEN", "eu-intcen"), ("ECOFIN", "council-ecofin"),
    ("Europol Europol", None), ("", None),
])
def test_organisation_by_name(ref: Reference, text: str, key: str | None) -> None:
    found = ref.organisation_by_name(text)
    assert (found.key if found else None) == key


def test_organisation_fields(ref: Reference) -> None:
    keys = [o.key for o in ref.organisations]
    assert len(keys) == len(set(keys)) and len(keys) >= 100
    assert {o.kind for o in ref.organisations} <= set(KINDS)
    institutions = {o.name for o in ref.organisations if o.kind == "Institution"}
    assert institutions == {"European Parliament", "European Council", "Council of the European Union",
                            "European Commission", "Court of Justice of the European Union",
                            "European Central Bank", "European Court of Auditors"}
    for key in ("eppo", "olaf", "eurojust", "europol", "frontex", "eu-lisa", "cepol", "euaa", "fra", "euda"):
        assert ref.organisation(key).kind == "Agency", key
    assert ref.organisation("empact").kind == "Initiative"
    assert ref.organisation("european-ports-alliance").kind == "Initiative"
    assert ref.organisation("ejn").kind == "Network"
    assert ref.organisation("council-jha").unit_of == "council"
    for o in ref.organisations:
        for target in (o.unit_of, o.replaced_by):
            assert target is None or ref.organisation(target) is not None


def test_no_surface_names_two_organisations(ref: Reference) -> None:
    owner: dict[tuple[bool, str], str] = {}
    for o in ref.organisations:
        for s in o.surfaces:
            k = (True, s) if is_acronym(s) else (False, _name_key(s))
            assert owner.setdefault(k, o.key) == o.key, (s, owner[k], o.key)
            assert ref.organisation_by_name(s) is o, s


def test_alias_patterns(ref: Reference) -> None:
    pats = ref.alias_patterns()
    lengths = [len(s) for s, _ in pats]
    assert lengths == sorted(lengths, reverse=True)
    surfaces = [s for s, _ in pats]
    assert len(surfaces) == len(set(surfaces))
    by_surface = dict(pats)
    assert by_surface["EPPO"].key == "eppo"
    assert by_surface["European Public Prosecutor’s Office"].key == "eppo"
    assert by_surface["EU Drugs Agency"].key == "euda"
    contextual = {s for s, _ in ref.contextual_aliases()}
    assert "the Office" in contextual and "the Commission" in contextual
    assert not contextual & set(surfaces)
    for s, o in pats:  # every gazetteer surface resolves back to its organisation
        assert ref.organisation_by_name(s) is o, s


# ----------------------------------------------------------------------------------------- topics

def test_topics(ref: Reference) -> None:
    assert 30 <= len(ref.topics) <= 60
    keys = [t.key for t in ref.topics]
    assert len(keys) == len(set(keys))
    for key in ("organised-crime", "drug-trafficking", "terrorism", "e-evidence", "eppo", "money-laundering",
                "migrant-smuggling", "cybercrime", "core-international-crimes"):
        assert ref.topic(key) is not None, key
    for t in ref.topics:
        assert t.keywords and all(k == k.lower() for k in t.keywords), t.key


# -------------------------------------------------------------------------------------------- RDF

def test_to_quads_round_trip(ref: Reference) -> None:
    minter = Minter("https://example.org/jha/")
    quads = ref.to_quads(minter)
    assert len(quads) == len(set(quads))
    assert {q.graph_name for q in quads} == {minter.reference_graph}
    store = pyoxigraph.Store()
    store.extend(quads)
    assert len(store) == len(quads)
    data = store.dump(format=pyoxigraph.RdfFormat.N_QUADS)
    again = pyoxigraph.Store()
    again.load(data, format=pyoxigraph.RdfFormat.N_QUADS)
    assert set(again) == set(store)

    pref = defaultdict(set)
    alt = defaultdict(set)
    for q in quads:
        if q.predicate == SKOS.prefLabel:
            pref[(q.subject, q.object.language)].add(q.object.value)
        if q.predicate == SKOS.altLabel:
            alt[q.subject].add(q.object.value)
    assert all(len(v) == 1 for v in pref.values())  # no subject with conflicting prefLabels
    for (s, _), labels in pref.items():
        assert not labels & alt[s], s  # SKOS: prefLabel and altLabel disjoint

    def ask(query: str) -> bool:
        return bool(store.query(query))

    rows = list(store.query("""PREFIX jha: <https://w3id.org/jha-graph/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?name ?start ?end WHERE { GRAPH ?g {
          ?p a jha:CouncilPresidency ; jha:country ?c ; jha:startDate ?start ; jha:endDate ?end ; jha:partOfTrio ?t .
          ?c skos:prefLabel ?name . ?t jha:hasPresidency ?p .
          FILTER(?start <= "2024-03-04"^^<http://www.w3.org/2001/XMLSchema#date> &&
                 ?end >= "2024-03-04"^^<http://www.w3.org/2001/XMLSchema#date>) } }"""))
    assert [(r["name"].value, r["start"].value, r["end"].value) for r in rows] == [
        ("Belgium", "2024-01-01", "2024-06-30")]
    assert ask(f"ASK {{ GRAPH ?g {{ <{minter.country('BE').value}> a <{JHA.MemberState.value}> ; "
               f"<{OWL.sameAs.value}> <http://www.wikidata.org/entity/Q31> }} }}")
    assert not ask(f"ASK {{ GRAPH ?g {{ <{minter.country('GB').value}> a <{JHA.MemberState.value}> }} }}")
    eppo = minter.organisation("eppo")
    assert set(store.quads_for_pattern(eppo, RDF.type, None)) and \
        next(store.quads_for_pattern(eppo, RDF.type, None)).object == JHA.Agency
    assert ask(f"ASK {{ GRAPH ?g {{ <{minter.topic('eppo').value}> <{SKOS.inScheme.value}> "
               f"<{minter.topic('jha-topics').value}> }} }}")
    assert ask(f"ASK {{ GRAPH ?g {{ <{minter.journal().value}> <http://purl.org/ontology/bibo/issn> \"1862-6947\" }} }}")


def test_default_reference_is_cached() -> None:
    assert default_reference() is default_reference()


# ------------------------------------------------------------------------------- malformed data

def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _error(directory: Path) -> ReferenceDataError:
    with pytest.raises(ReferenceDataError) as info:
        Reference.load(directory)
    return info.value


def test_copy_loads(data_copy: Path) -> None:
    assert len(Reference.load(data_copy).presidencies) == 146


def test_bad_date(data_copy: Path) -> None:
    _edit(data_copy / "presidencies.csv", "2024,1,BE,2024-01-01", "2024,1,BE,2024-01-32")
    err = _error(data_copy)
    assert "presidencies.csv" in str(err) and err.line is not None and "date" in str(err)


def test_overlapping_terms(data_copy: Path) -> None:
    _edit(data_copy / "presidencies.csv", "2024,2,HU,2024-07-01,2024-12-31", "2024,1,HU,2024-01-01,2024-06-30")
    err = _error(data_copy)
    assert "presidencies.csv" in str(err) and "overlaps" in str(err)


def test_term_not_a_half_year(data_copy: Path) -> None:
    _edit(data_copy / "presidencies.csv", "2024,2,HU,2024-07-01", "2024,2,HU,2024-08-01")
    assert "presidencies.csv" in str(_error(data_copy))


def test_unknown_country_in_presidencies(data_copy: Path) -> None:
    _edit(data_copy / "presidencies.csv", "2024,2,HU,", "2024,2,XX,")
    err = _error(data_copy)
    assert "presidencies.csv" in str(err) and "XX" in str(err)


def test_broken_trio(data_copy: Path) -> None:
    _edit(data_copy / "presidencies.csv", "2024-12-31,2023-2", "2024-12-31,")
    assert "trio" in str(_error(data_copy))


def test_duplicate_country(data_copy: Path) -> None:
    path = data_copy / "countries.csv"
    path.write_text(path.read_text(encoding="utf-8") + "BE,Belgique,,,,,,\n", encoding="utf-8")
    err = _error(data_copy)
    assert "countries.csv" in str(err) and "duplicate" in str(err)


def test_duplicate_organisation_key(data_copy: Path) -> None:
    _edit(data_copy / "organisations.yaml", "- key: olaf\n", "- key: eppo\n")
    err = _error(data_copy)
    assert "organisations.yaml" in str(err) and "eppo" in str(err) and "duplicate" in str(err)
    assert err.line is not None


def test_unknown_kind(data_copy: Path) -> None:
    _edit(data_copy / "organisations.yaml", "  kind: Network\n", "  kind: Club\n")
    err = _error(data_copy)
    assert "organisations.yaml" in str(err) and "Club" in str(err)


def test_alias_clash(data_copy: Path) -> None:
    _edit(data_copy / "organisations.yaml", "  aliases: [EU Anti-Fraud Office,", "  aliases: [EPPO, EU Anti-Fraud Office,")
    err = _error(data_copy)
    assert "organisations.yaml" in str(err) and "EPPO" in str(err)


def test_unknown_unit_of(data_copy: Path) -> None:
    _edit(data_copy / "organisations.yaml", "  unit_of: europol\n", "  unit_of: nowhere\n")
    assert "nowhere" in str(_error(data_copy))


def test_bad_yaml_and_missing_file(data_copy: Path) -> None:
    (data_copy / "topics.yaml").write_text("topics: [\n", encoding="utf-8")
    assert "topics.yaml" in str(_error(data_copy))
    (data_copy / "topics.yaml").unlink()
    assert "topics.yaml" in str(_error(data_copy))


def test_upper_case_keyword(data_copy: Path) -> None:
    _edit(data_copy / "topics.yaml", "keywords: [organised crime,", "keywords: [Organised crime,")
    err = _error(data_copy)
    assert "topics.yaml" in str(err) and "organised-crime" in str(err)
