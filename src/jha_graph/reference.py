"""Curated reference data: countries, Council presidencies, organisations and topics.

The files live in ``data/reference/`` (see its README): ``countries.csv``, ``presidencies.csv``,
``organisations.yaml`` and ``topics.yaml``.  :meth:`Reference.load` reads and checks them into
frozen dataclasses, answers look-ups (a country by code, name or demonym; the presidency in office
on a day; an organisation by any of its names) and writes everything into the reference graph.

>>> ref = default_reference()
>>> ref.country("Belgian").name
'Belgium'
>>> ref.presidency_on("2024-03-04").country.name
'Belgium'
>>> ref.organisation_by_name("EPPO").name
"European Public Prosecutor's Office"
"""
from __future__ import annotations

import bisect
import csv
import datetime as _dt
import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import yaml
from pyoxigraph import Literal, NamedNode, Quad

from jha_graph.namespaces import (
    BIBO, DCTERMS, JHA, ORG, OWL, RDF, RDFS, SKOS, XSD, Minter,
)

DEFAULT_DIRECTORY = Path(__file__).resolve().parents[2] / "data" / "reference"

KINDS = ("Institution", "Agency", "Network", "Initiative", "Other", "CouncilConfiguration")
KIND_CLASS = {
    "Institution": JHA.Institution,
    "Agency": JHA.Agency,
    "Network": JHA.Network,
    "Initiative": JHA.Initiative,
    "Other": JHA.OtherOrganisation,
    "CouncilConfiguration": JHA.CouncilConfiguration,
}
WIKIDATA = "http://www.wikidata.org/entity/"
EU_COUNTRY_AUTHORITY = "http://publications.europa.eu/resource/authority/country/"
EUROVOC = "http://eurovoc.europa.eu/"
JOURNAL_TITLE = "eucrim"
JOURNAL_ISSN = "1862-6947"
TOPIC_SCHEME_KEY = "jha-topics"

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_QID = re.compile(r"^Q[1-9][0-9]*$")


class ReferenceDataError(ValueError):
    """Malformed reference data; the message names the file and the line or entry.

    >>> str(ReferenceDataError("bad date", file="presidencies.csv", line=3))
    'presidencies.csv:3: bad date'
    """

    def __init__(self, message: str, file: str | Path | None = None, line: int | None = None,
                 entry: str | None = None) -> None:
        self.file = str(file) if file is not None else None
        self.line = line
        self.entry = entry
        where = self.file or "reference data"
        if line is not None:
            where += f":{line}"
        if entry is not None:
            where += f" [{entry}]"
        super().__init__(f"{where}: {message}")


# --------------------------------------------------------------------------------------- entities

@dataclass(frozen=True)
class Country:
    """A country of ``countries.csv``.

    >>> be = default_reference().country("BE")
    >>> be.name, be.demonym, be.is_member_state
    ('Belgium', 'Belgian', True)
    """

    code: str  # ISO 3166-1 alpha-2, upper case
    name: str
    demonyms: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    eu_member_from: int | None = None
    eu_member_until: int | None = None
    wikidata: str | None = None
    eu_authority: str | None = None

    @property
    def demonym(self) -> str:
        """The first (preferred) adjective form, else the name."""
        return self.demonyms[0] if self.demonyms else self.name

    @property
    def is_member_state(self) -> bool:
        """True for a current EU Member State (the UK is a former one)."""
        return self.eu_member_from is not None and self.eu_member_until is None

    def was_member_in(self, year: int) -> bool:
        """Whether the country was an EU (EEC) member for at least part of ``year``.

        >>> default_reference().country("United Kingdom").was_member_in(2019)
        True
        """
        if self.eu_member_from is None or year < self.eu_member_from:
            return False
        return self.eu_member_until is None or year <= self.eu_member_until


@dataclass(frozen=True)
class Presidency:
    """One rotating six-month presidency of the Council.

    >>> p = default_reference().presidency("BE", 2024, 1)
    >>> p.key, p.start.isoformat(), p.end.isoformat(), p.trio
    ('2024-1-be', '2024-01-01', '2024-06-30', '2023-2')
    >>> p.label
    'Belgian Presidency of the Council (January–June 2024)'
    """

    year: int
    half: int  # 1 = January-June, 2 = July-December
    country: Country
    start: _dt.date
    end: _dt.date
    trio: str | None = None  # id 'YYYY-H' of the trio's first presidency, from 2007

    @property
    def code(self) -> str:
        return self.country.code

    @property
    def key(self) -> str:
        return f"{self.year}-{self.half}-{self.code.lower()}"

    @property
    def label(self) -> str:
        return (f"{self.country.demonym} Presidency of the Council "
                f"({MONTHS[self.start.month - 1]}–{MONTHS[self.end.month - 1]} {self.year})")

    def contains(self, day: _dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Trio:
    """Three consecutive presidencies with a joint programme (since 2007).

    >>> t = default_reference().trios[0]
    >>> t.id, [p.code for p in t.presidencies]
    ('2007-1', ['DE', 'PT', 'SI'])
    >>> t.label
    'Trio Presidency Germany–Portugal–Slovenia (January 2007–June 2008)'
    """

    id: str  # 'YYYY-H' of its first presidency
    presidencies: tuple[Presidency, ...]

    @property
    def year(self) -> int:
        return self.presidencies[0].year

    @property
    def half(self) -> int:
        return self.presidencies[0].half

    @property
    def label(self) -> str:
        first, last = self.presidencies[0], self.presidencies[-1]
        names = "–".join(p.country.name for p in self.presidencies)
        return (f"Trio Presidency {names} ({MONTHS[first.start.month - 1]} {first.start.year}–"
                f"{MONTHS[last.end.month - 1]} {last.end.year})")


@dataclass(frozen=True)
class Organisation:
    """An organisation of ``organisations.yaml``.

    >>> o = default_reference().organisation("eppo")
    >>> o.name, o.acronym, o.kind
    ("European Public Prosecutor's Office", 'EPPO', 'Agency')
    """

    key: str
    name: str
    kind: str  # one of KINDS
    acronym: str | None = None
    aliases: tuple[str, ...] = ()
    contextual_aliases: tuple[str, ...] = ()
    wikidata: str | None = None
    unit_of: str | None = None
    replaced_by: str | None = None

    @property
    def surfaces(self) -> tuple[str, ...]:
        """Name, acronym and aliases: every non-contextual way a text names it."""
        out = [self.name] + ([self.acronym] if self.acronym else []) + list(self.aliases)
        return tuple(dict.fromkeys(out))

    @property
    def report_kind(self) -> str:
        """The kind as the competency questions report it (a configuration counts as 'Other')."""
        return "Other" if self.kind == "CouncilConfiguration" else self.kind


@dataclass(frozen=True)
class Topic:
    """A topic of the SKOS scheme ``topics.yaml``.

    >>> t = default_reference().topic("drug-trafficking")
    >>> t.label, "cocaine" in t.keywords
    ('Drug trafficking', True)
    """

    key: str
    label: str
    keywords: tuple[str, ...] = ()
    eurovoc: str | None = None


# ---------------------------------------------------------------------------- text normalisation

_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "´": "'", "`": "'", "“": '"', "”": '"',
                         "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "−": "-",
                         "\u00a0": " "})
_EU = re.compile(r"\beuropean union\b", re.IGNORECASE)
_THE = re.compile(r"^the\s+", re.IGNORECASE)


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return " ".join(text.split())


def is_acronym(surface: str) -> bool:
    """Whether a surface form is acronym-like and so matched case-sensitively.

    Acronym-like: no lower-case letter at all ('ECB', 'DG HOME', 'U.S.'), or a single word with
    two or more capitals ('eu-LISA', 'CoR', 'JITs').

    >>> [is_acronym(s) for s in ("ECB", "eu-LISA", "Europol", "JITs Network", "Coreper")]
    [True, True, False, False, False]
    """
    s = _clean(surface)
    if not any(c.isalpha() for c in s):
        return False
    if not any(c.islower() for c in s):
        return True
    return " " not in s and sum(c.isupper() for c in s) >= 2


def _name_key(text: str) -> str:
    """Case-insensitive key: quotes and dashes unified, 'the ' dropped, 'European Union' -> 'EU'."""
    s = _THE.sub("", _clean(text)).casefold()
    return _EU.sub("eu", s)


def _acronym_key(text: str) -> str:
    return _THE.sub("", _clean(text))


def _country_key(text: str) -> str:
    return _THE.sub("", _clean(text)).casefold()


def _eu_variants(surface: str) -> list[str]:
    """The surface with 'European Union' <-> 'EU' and ' <-> ’ swapped, for the gazetteer."""
    out = [surface]
    if not is_acronym(surface):
        if re.search(r"\bEuropean Union\b", surface):
            out.append(re.sub(r"\bEuropean Union\b", "EU", surface))
        if re.search(r"\bEU\b", surface):
            out.append(re.sub(r"\bEU\b", "European Union", surface))
    out += [s.replace("'", "’") for s in out if "'" in s]
    return out


# ----------------------------------------------------------------------------------------- loading

def _opt(value: Any) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _split(cell: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (cell or "").split("|") if p.strip())


def _read_csv(path: Path, required: Iterable[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows with their line numbers; '#' lines and blank lines are skipped."""
    if not path.is_file():
        raise ReferenceDataError("file not found", file=path)
    with path.open(encoding="utf-8", newline="") as fh:
        lines = [(n, line) for n, line in enumerate(fh, 1)
                 if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise ReferenceDataError("empty file", file=path)
    header_line, header = lines[0]
    reader = csv.reader([header])
    columns = [c.strip() for c in next(reader)]
    missing = [c for c in required if c not in columns]
    if missing:
        raise ReferenceDataError(f"missing column(s) {', '.join(missing)}", file=path, line=header_line)
    rows = []
    for n, line in lines[1:]:
        cells = next(csv.reader([line]))
        if len(cells) > len(columns):
            raise ReferenceDataError(f"{len(cells)} cells for {len(columns)} columns", file=path, line=n)
        cells += [""] * (len(columns) - len(cells))
        rows.append((n, {c: v.strip() for c, v in zip(columns, cells)}))
    return rows


class _LineLoader(yaml.SafeLoader):
    """A safe YAML loader that records each mapping's line as '__line__'."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_yaml(path: Path, list_key: str) -> tuple[dict, list[dict]]:
    if not path.is_file():
        raise ReferenceDataError("file not found", file=path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ReferenceDataError(f"not valid YAML: {getattr(exc, 'problem', exc)}", file=path,
                                 line=mark.line + 1 if mark else None) from exc
    if not isinstance(data, dict) or not isinstance(data.get(list_key), list):
        raise ReferenceDataError(f"expected a mapping with a list '{list_key}'", file=path)
    items = data[list_key]
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise ReferenceDataError(f"entry {i + 1} of '{list_key}' is not a mapping", file=path)
    return data, items


def _str_list(value: Any, path: Path, line: int, entry: str, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ReferenceDataError(f"'{field}' must be a list of non-empty strings", file=path, line=line,
                                 entry=entry)
    return tuple(dict.fromkeys(v.strip() for v in value))


def _year(value: str, path: Path, line: int, field: str) -> int | None:
    if not value:
        return None
    if not re.fullmatch(r"\d{4}", value):
        raise ReferenceDataError(f"{field} {value!r} is not a year", file=path, line=line)
    return int(value)


def _load_countries(path: Path) -> tuple[Country, ...]:
    rows = _read_csv(path, ("code", "name", "demonyms", "aliases", "eu_member_from", "eu_member_until",
                            "wikidata", "eu_authority"))
    countries: list[Country] = []
    seen: dict[str, tuple[str, int]] = {}  # lookup key -> (code, line)
    for n, row in rows:
        code = row["code"]
        if not re.fullmatch(r"[A-Z]{2}", code):
            raise ReferenceDataError(f"code {code!r} is not an upper-case ISO 3166-1 alpha-2 code", file=path,
                                     line=n)
        if not row["name"]:
            raise ReferenceDataError("empty name", file=path, line=n, entry=code)
        wikidata = _opt(row["wikidata"])
        if wikidata and not _QID.match(wikidata):
            raise ReferenceDataError(f"wikidata {wikidata!r} is not a Q-id", file=path, line=n, entry=code)
        authority = _opt(row["eu_authority"])
        if authority and not re.fullmatch(r"[A-Z]{3}", authority):
            raise ReferenceDataError(f"eu_authority {authority!r} is not a three-letter code", file=path,
                                     line=n, entry=code)
        start = _year(row["eu_member_from"], path, n, "eu_member_from")
        until = _year(row["eu_member_until"], path, n, "eu_member_until")
        if until is not None and (start is None or until < start):
            raise ReferenceDataError("eu_member_until without or before eu_member_from", file=path, line=n,
                                     entry=code)
        country = Country(code=code, name=row["name"], demonyms=_split(row["demonyms"]),
                          aliases=_split(row["aliases"]), eu_member_from=start, eu_member_until=until,
                          wikidata=wikidata, eu_authority=authority)
        if ("code:" + code) in seen:
            raise ReferenceDataError(f"duplicate code {code} (first on line {seen['code:' + code][1]})",
                                     file=path, line=n, entry=code)
        seen["code:" + code] = (code, n)
        for surface in dict.fromkeys((country.name,) + country.aliases + country.demonyms):
            key = _country_key(surface)
            other = seen.get(key)
            if other and other[0] != code:
                raise ReferenceDataError(f"{surface!r} also names {other[0]} (line {other[1]})", file=path,
                                         line=n, entry=code)
            seen[key] = (code, n)
        countries.append(country)
    return tuple(countries)


def _half_bounds(year: int, half: int) -> tuple[_dt.date, _dt.date]:
    if half == 1:
        return _dt.date(year, 1, 1), _dt.date(year, 6, 30)
    return _dt.date(year, 7, 1), _dt.date(year, 12, 31)


def _load_presidencies(path: Path, countries: dict[str, Country]) -> tuple[Presidency, ...]:
    rows = _read_csv(path, ("year", "half", "code", "start", "end", "trio"))
    items: list[tuple[int, Presidency]] = []
    for n, row in rows:
        if not re.fullmatch(r"\d{4}", row["year"]) or row["half"] not in ("1", "2"):
            raise ReferenceDataError(f"bad year/half {row['year']!r}/{row['half']!r}", file=path, line=n)
        year, half = int(row["year"]), int(row["half"])
        country = countries.get(row["code"])
        if country is None:
            raise ReferenceDataError(f"unknown country code {row['code']!r}", file=path, line=n)
        try:
            start = _dt.date.fromisoformat(row["start"])
            end = _dt.date.fromisoformat(row["end"])
        except ValueError as exc:
            raise ReferenceDataError(f"bad date: {exc}", file=path, line=n) from exc
        if end < start:
            raise ReferenceDataError(f"term ends ({end}) before it starts ({start})", file=path, line=n)
        if (start, end) != _half_bounds(year, half):
            lo, hi = _half_bounds(year, half)
            raise ReferenceDataError(f"term {start}..{end} is not half {half} of {year} ({lo}..{hi})",
                                     file=path, line=n)
        trio = _opt(row["trio"])
        if trio and not re.fullmatch(r"\d{4}-[12]", trio):
            raise ReferenceDataError(f"trio {trio!r} is not 'YYYY-H'", file=path, line=n)
        items.append((n, Presidency(year, half, country, start, end, trio)))
    items.sort(key=lambda it: it[1].start)
    for (n0, a), (n1, b) in zip(items, items[1:]):
        if b.start <= a.end:
            raise ReferenceDataError(f"term of {b.code} {b.year}/{b.half} overlaps {a.code} {a.year}/{a.half} "
                                     f"(line {n0})", file=path, line=n1)
    presidencies = tuple(p for _, p in items)
    # trios: three consecutive terms, named after the first
    groups: dict[str, list[int]] = {}
    for i, p in enumerate(presidencies):
        if p.trio:
            groups.setdefault(p.trio, []).append(i)
    line_of = {id(p): n for n, p in items}
    for trio, idx in groups.items():
        first = presidencies[idx[0]]
        where = dict(file=path, line=line_of[id(first)], entry=f"trio {trio}")
        if f"{first.year}-{first.half}" != trio:
            raise ReferenceDataError(f"trio id must be the year-half of its first presidency "
                                     f"({first.year}-{first.half})", **where)
        if len(idx) != 3:
            raise ReferenceDataError(f"a trio has 3 presidencies, this one {len(idx)}", **where)
        for i, j in zip(idx, idx[1:]):
            if j != i + 1 or presidencies[j].start != presidencies[i].end + _dt.timedelta(days=1):
                raise ReferenceDataError("the presidencies of a trio must be consecutive", **where)
    return presidencies


_ORG_FIELDS = {"key", "name", "acronym", "aliases", "contextual_aliases", "kind", "wikidata", "unit_of",
               "replaced_by", "__line__"}


def _load_organisations(path: Path) -> tuple[Organisation, ...]:
    _, items = _read_yaml(path, "organisations")
    orgs: list[Organisation] = []
    lines: dict[str, int] = {}
    for item in items:
        line = item.get("__line__")
        key = _opt(item.get("key"))
        if not key or not _SLUG.match(key):
            raise ReferenceDataError(f"key {key!r} is not a lower-case slug", file=path, line=line)
        unknown = set(item) - _ORG_FIELDS
        if unknown:
            raise ReferenceDataError(f"unknown field(s) {', '.join(sorted(unknown))}", file=path, line=line,
                                     entry=key)
        if key in lines:
            raise ReferenceDataError(f"duplicate key (first on line {lines[key]})", file=path, line=line,
                                     entry=key)
        lines[key] = line
        name = _opt(item.get("name"))
        if not name:
            raise ReferenceDataError("missing name", file=path, line=line, entry=key)
        kind = _opt(item.get("kind"))
        if kind not in KINDS:
            raise ReferenceDataError(f"unknown kind {kind!r} (one of {', '.join(KINDS)})", file=path, line=line,
                                     entry=key)
        wikidata = _opt(item.get("wikidata"))
        if wikidata and not _QID.match(wikidata):
            raise ReferenceDataError(f"wikidata {wikidata!r} is not a Q-id", file=path, line=line, entry=key)
        aliases = _str_list(item.get("aliases"), path, line, key, "aliases")
        acronym = _opt(item.get("acronym"))
        seen_forms = {_clean(acronym)} if acronym else set()
        seen_forms.add(_name_key(name))
        kept = []
        for a in aliases:  # drop repeats of the name, the acronym or an earlier alias
            form = _clean(a) if is_acronym(a) else _name_key(a)
            if form not in seen_forms and _clean(a) != _clean(name):
                seen_forms.add(form)
                kept.append(a)
        aliases = tuple(kept)
        orgs.append(Organisation(
            key=key, name=name, kind=kind, acronym=acronym, aliases=aliases,
            contextual_aliases=_str_list(item.get("contextual_aliases"), path, line, key, "contextual_aliases"),
            wikidata=wikidata, unit_of=_opt(item.get("unit_of")), replaced_by=_opt(item.get("replaced_by"))))
    for o in orgs:
        for field in ("unit_of", "replaced_by"):
            target = getattr(o, field)
            if target and (target not in lines or target == o.key):
                raise ReferenceDataError(f"{field} {target!r} is not another organisation's key", file=path,
                                         line=lines[o.key], entry=o.key)
    # every non-contextual surface form names one organisation only
    names: dict[str, str] = {}
    acronyms: dict[str, str] = {}
    for o in orgs:
        for surface in o.surfaces:
            index, k = (acronyms, _acronym_key(surface)) if is_acronym(surface) else (names, _name_key(surface))
            other = index.get(k)
            if other and other != o.key:
                raise ReferenceDataError(f"{surface!r} also names '{other}' (line {lines[other]})", file=path,
                                         line=lines[o.key], entry=o.key)
            index[k] = o.key
    return tuple(orgs)


def _load_topics(path: Path) -> tuple[dict, tuple[Topic, ...]]:
    data, items = _read_yaml(path, "topics")
    scheme = data.get("scheme") or {}
    topics: list[Topic] = []
    lines: dict[str, int] = {}
    for item in items:
        line = item.get("__line__")
        key = _opt(item.get("key"))
        if not key or not _SLUG.match(key):
            raise ReferenceDataError(f"key {key!r} is not a lower-case slug", file=path, line=line)
        unknown = set(item) - {"key", "label", "keywords", "eurovoc", "__line__"}
        if unknown:
            raise ReferenceDataError(f"unknown field(s) {', '.join(sorted(unknown))}", file=path, line=line,
                                     entry=key)
        if key in lines or key == TOPIC_SCHEME_KEY:
            raise ReferenceDataError(f"duplicate key (first on line {lines.get(key)})", file=path, line=line,
                                     entry=key)
        lines[key] = line
        label = _opt(item.get("label"))
        if not label:
            raise ReferenceDataError("missing label", file=path, line=line, entry=key)
        keywords = _str_list(item.get("keywords"), path, line, key, "keywords")
        upper = [k for k in keywords if k != k.lower()]
        if upper:
            raise ReferenceDataError(f"keywords must be lower case: {upper}", file=path, line=line, entry=key)
        eurovoc = _opt(item.get("eurovoc"))
        if eurovoc and not eurovoc.isdigit():
            raise ReferenceDataError(f"eurovoc {eurovoc!r} is not a EuroVoc concept number", file=path, line=line,
                                     entry=key)
        topics.append(Topic(key=key, label=label, keywords=keywords, eurovoc=eurovoc))
    return scheme, tuple(topics)


# ------------------------------------------------------------------------------------------ Reference

class Reference:
    """The loaded reference data with its look-ups.  Build it with :meth:`load`."""

    def __init__(self, countries: tuple[Country, ...], presidencies: tuple[Presidency, ...],
                 organisations: tuple[Organisation, ...], topics: tuple[Topic, ...],
                 topic_scheme_label: str = "Justice and Home Affairs topics",
                 directory: Path | None = None) -> None:
        self.directory = directory
        self.countries = countries
        self.presidencies = tuple(sorted(presidencies, key=lambda p: p.start))
        self.organisations = organisations
        self.topics = topics
        self.topic_scheme_label = topic_scheme_label
        self._country_codes = {c.code: c for c in countries}
        self._country_names: dict[str, Country] = {}
        for c in countries:
            for s in (c.name,) + c.aliases + c.demonyms:
                self._country_names.setdefault(_country_key(s), c)
        self._starts = [p.start for p in self.presidencies]
        self._by_term = {(p.code, p.year, p.half): p for p in self.presidencies}
        self._by_country: dict[str, list[Presidency]] = {}
        for p in self.presidencies:
            self._by_country.setdefault(p.code, []).append(p)
        trios: dict[str, list[Presidency]] = {}
        for p in self.presidencies:
            if p.trio:
                trios.setdefault(p.trio, []).append(p)
        self.trios: tuple[Trio, ...] = tuple(Trio(t, tuple(ps)) for t, ps in trios.items())
        self._trios = {t.id: t for t in self.trios}
        self._orgs = {o.key: o for o in organisations}
        self._org_names: dict[str, Organisation] = {}
        self._org_acronyms: dict[str, Organisation] = {}
        for o in organisations:
            for s in o.surfaces:
                if is_acronym(s):
                    self._org_acronyms.setdefault(_acronym_key(s), o)
                else:
                    self._org_names.setdefault(_name_key(s), o)
        self._topics = {t.key: t for t in topics}

    @classmethod
    def load(cls, directory: str | Path | None = None) -> "Reference":
        """Read and check the four files of ``directory`` (default: the project's data/reference).

        >>> ref = Reference.load()
        >>> len(ref.presidencies)
        146
        """
        d = Path(directory) if directory is not None else DEFAULT_DIRECTORY
        countries = _load_countries(d / "countries.csv")
        presidencies = _load_presidencies(d / "presidencies.csv", {c.code: c for c in countries})
        organisations = _load_organisations(d / "organisations.yaml")
        scheme, topics = _load_topics(d / "topics.yaml")
        return cls(countries, presidencies, organisations, topics,
                   topic_scheme_label=str(scheme.get("label") or "Justice and Home Affairs topics"), directory=d)

    # countries
    def country(self, text: str) -> Country | None:
        """A country by ISO code, name, alias or demonym, case-insensitively.

        >>> ref = default_reference()
        >>> [ref.country(s).code for s in ("Belgian", "Belgium", "be", "Czech Republic", "the Netherlands", "EL")]
        ['BE', 'BE', 'BE', 'CZ', 'NL', 'GR']
        >>> ref.country("Atlantis") is None
        True
        """
        if not text or not text.strip():
            return None
        s = text.strip()
        if len(s) == 2 and s.isalpha() and s.upper() in self._country_codes:
            return self._country_codes[s.upper()]
        return self._country_names.get(_country_key(s))

    # presidencies
    def presidency_on(self, day: _dt.date | str) -> Presidency | None:
        """The presidency in office on a day ('YYYY-MM-DD' or a date); a month 'YYYY-MM' works too,
        since no month spans two terms.  None outside 1958-2030 or for a bare year.

        >>> ref = default_reference()
        >>> ref.presidency_on("2023-10-13").country.name
        'Spain'
        >>> ref.presidency_on("2017-07").country.name
        'Estonia'
        >>> ref.presidency_on("2024") is None
        True
        """
        if isinstance(day, _dt.datetime):
            day = day.date()
        if isinstance(day, str):
            s = day.strip()
            if re.fullmatch(r"\d{4}", s):
                return None
            m = re.fullmatch(r"(\d{4})-(\d{2})", s)
            try:
                day = _dt.date(int(m.group(1)), int(m.group(2)), 1) if m else _dt.date.fromisoformat(s[:10])
            except ValueError as exc:
                raise ValueError(f"not a date: {s!r}") from exc
        if not isinstance(day, _dt.date):
            raise TypeError(f"expected a date or an ISO string, got {type(day).__name__}")
        i = bisect.bisect_right(self._starts, day) - 1
        if i >= 0 and self.presidencies[i].contains(day):
            return self.presidencies[i]
        return None

    def presidency(self, code: str, year: int, half: int) -> Presidency | None:
        """The presidency of a country (code, name or demonym) in a year's half.

        >>> default_reference().presidency("Hungarian", 2024, 2).start.isoformat()
        '2024-07-01'
        """
        c = self.country(code)
        return self._by_term.get((c.code, int(year), int(half))) if c else None

    def presidencies_of(self, code: str) -> list[Presidency]:
        """Every presidency a country held or will hold, in order.

        >>> [p.year for p in default_reference().presidencies_of("EE")]
        [2017]
        """
        c = self.country(code)
        return list(self._by_country.get(c.code, ())) if c else []

    def trio_of(self, presidency: Presidency) -> list[Presidency]:
        """The three presidencies of the trio the presidency belongs to ([] before 2007).

        >>> ref = default_reference()
        >>> [p.code for p in ref.trio_of(ref.presidency("BE", 2024, 1))]
        ['ES', 'BE', 'HU']
        """
        t = self._trios.get(presidency.trio or "")
        return list(t.presidencies) if t else []

    def trio(self, trio_id: str) -> Trio | None:
        return self._trios.get(trio_id)

    # organisations
    def organisation(self, key: str) -> Organisation | None:
        """An organisation by its key.

        >>> default_reference().organisation("olaf").name
        'European Anti-Fraud Office'
        """
        return self._orgs.get(key)

    def organisation_by_name(self, text: str) -> Organisation | None:
        """The organisation a name, acronym or alias denotes (exactly, not a substring).

        Names are matched case-insensitively, acronym-like forms (:func:`is_acronym`) case-sensitively;
        a leading 'the', ’ for ', and 'EU' for 'European Union' are tolerated.  Contextual aliases
        ('the Office') are not matched: see :meth:`contextual_aliases`.

        >>> ref = default_reference()
        >>> ref.organisation_by_name("the European Public Prosecutor’s Office").key
        'eppo'
        >>> ref.organisation_by_name("JHA Council").name
        'Council of the European Union'
        >>> ref.organisation_by_name("EU Drugs Agency").key
        'euda'
        >>> ref.organisation_by_name("ECB").key, ref.organisation_by_name("ecb")
        ('ecb', None)
        """
        if not text or not text.strip():
            return None
        return self._org_acronyms.get(_acronym_key(text)) or self._org_names.get(_name_key(text))

    def alias_patterns(self) -> list[tuple[str, Organisation]]:
        """Every (surface form, organisation) for a gazetteer, longest first; contextual aliases excluded.

        Surfaces for which :func:`is_acronym` is true must be matched case-sensitively.

        >>> pats = default_reference().alias_patterns()
        >>> len(pats[0][0]) >= len(pats[-1][0])
        True
        >>> ("EPPO", "eppo") in [(s, o.key) for s, o in pats]
        True
        """
        seen: dict[str, Organisation] = {}
        for o in self.organisations:
            for surface in o.surfaces:
                for variant in _eu_variants(surface):
                    seen.setdefault(variant, o)
        return sorted(seen.items(), key=lambda it: (-len(it[0]), it[0]))

    def contextual_aliases(self) -> list[tuple[str, Organisation]]:
        """(surface, organisation) pairs that name an organisation only in context, longest first;
        one surface may belong to several organisations ('the Office': EPPO, OLAF, ...).

        >>> sorted(o.key for s, o in default_reference().contextual_aliases() if s == "the Office")[:2]
        ['easo', 'eppo']
        """
        pairs = [(s, o) for o in self.organisations for s in o.contextual_aliases]
        return sorted(pairs, key=lambda it: (-len(it[0]), it[0], it[1].key))

    # topics
    def topic(self, key: str) -> Topic | None:
        return self._topics.get(key)

    # RDF
    def to_quads(self, minter: Minter) -> list[Quad]:
        """Everything, as docs/vocabulary.md says, in ``minter.reference_graph``.

        >>> from jha_graph.namespaces import Minter
        >>> quads = default_reference().to_quads(Minter("https://example.org/jha/"))
        >>> {q.graph_name.value for q in quads}
        {'https://example.org/jha/graph/reference'}
        """
        g = minter.reference_graph
        out: list[Quad] = []

        def add(s: NamedNode, p: NamedNode, o: NamedNode | Literal) -> None:
            out.append(Quad(s, p, o, g))

        def en(text: str) -> Literal:
            return Literal(text, language="en")

        for c in self.countries:
            s = minter.country(c.code)
            add(s, RDF.type, JHA.Country)
            if c.is_member_state:
                add(s, RDF.type, JHA.MemberState)
            add(s, SKOS.prefLabel, en(c.name))
            for a in c.aliases:
                add(s, SKOS.altLabel, en(a))
            add(s, SKOS.notation, Literal(c.code))
            for d in c.demonyms:
                add(s, JHA.demonym, en(d))
            if c.wikidata:
                add(s, OWL.sameAs, NamedNode(WIKIDATA + c.wikidata))
            if c.eu_authority:
                add(s, SKOS.exactMatch, NamedNode(EU_COUNTRY_AUTHORITY + c.eu_authority))

        for p in self.presidencies:
            s = minter.presidency(p.code, p.year, p.half)
            add(s, RDF.type, JHA.CouncilPresidency)
            add(s, JHA.country, minter.country(p.code))
            add(s, JHA.startDate, Literal(p.start.isoformat(), datatype=XSD.date))
            add(s, JHA.endDate, Literal(p.end.isoformat(), datatype=XSD.date))
            add(s, RDFS.label, en(p.label))
            if p.trio:
                add(s, JHA.partOfTrio, minter.trio(*_trio_parts(p.trio)))
        for t in self.trios:
            s = minter.trio(t.year, t.half)
            add(s, RDF.type, JHA.TrioPresidency)
            add(s, RDFS.label, en(t.label))
            for p in t.presidencies:
                add(s, JHA.hasPresidency, minter.presidency(p.code, p.year, p.half))

        for o in self.organisations:
            s = minter.organisation(o.key)
            add(s, RDF.type, KIND_CLASS[o.kind])
            add(s, SKOS.prefLabel, en(o.name))
            alt = list(o.surfaces[1:])
            # EU usage shortens 'European Union' to 'EU' in names ('EU Drugs Agency'): both are labels
            alt += [re.sub(r"\bEuropean Union\b", "EU", x) for x in o.surfaces if "European Union" in x]
            for a in dict.fromkeys(x for x in alt if x != o.name):
                add(s, SKOS.altLabel, en(a))
            if o.acronym:
                add(s, JHA.acronym, Literal(o.acronym))
            if o.wikidata:
                add(s, OWL.sameAs, NamedNode(WIKIDATA + o.wikidata))
            if o.unit_of:
                add(s, ORG.unitOf, minter.organisation(o.unit_of))

        scheme = minter.topic(TOPIC_SCHEME_KEY)
        add(scheme, RDF.type, SKOS.ConceptScheme)
        add(scheme, SKOS.prefLabel, en(self.topic_scheme_label))
        for t in self.topics:
            s = minter.topic(t.key)
            add(s, RDF.type, SKOS.Concept)
            add(s, SKOS.inScheme, scheme)
            add(s, SKOS.prefLabel, en(t.label))
            if t.eurovoc:
                add(s, SKOS.exactMatch, NamedNode(EUROVOC + t.eurovoc))

        j = minter.journal()
        add(j, RDF.type, BIBO.Periodical)
        add(j, DCTERMS["title"], Literal(JOURNAL_TITLE))
        add(j, BIBO.issn, Literal(JOURNAL_ISSN))
        return list(dict.fromkeys(out))


def _trio_parts(trio_id: str) -> tuple[int, int]:
    year, half = trio_id.split("-")
    return int(year), int(half)


@functools.lru_cache(maxsize=1)
def default_reference() -> Reference:
    """The project's reference data, loaded once per process."""
    return Reference.load()
