"""Synthetic eucrim-style news articles for the benchmarks, in both formats of ``../shared/corpus``.

    python -m bench.generate OUT_DIR --n 10000 [--seed 1]

Every article is drawn from the reference data (``data/reference``): a presidency in office on its
date (from the calendar), JHA Council and informal meetings, conclusions, strategies, regulations,
directives, reports and proposals, the agencies and bodies involved, topics by their keywords, and
cross-references to other articles of the same corpus (by issue and page, by news date, and
'separate news item' by topic), so that the links resolve.  About half are in the web format (title,
dateline, photo and author line), half in the print format (``# title``, ``## News``, an author
side block that may interrupt a sentence, 'Published in ..., Vol. ..' with pages, the footer), some
with the PDF conversion artefacts ('[eucri](#)m').

Deterministic: article ``i`` depends only on ``(seed, i)``, so the first 1,000 articles of the
10,000-article corpus are the 1,000-article corpus, and two runs write the same bytes.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jha_graph.reference import MONTHS, Reference, default_reference

FIRST_DAY = dt.date(2006, 1, 1)
DAYS = (dt.date(2025, 12, 31) - FIRST_DAY).days
AUTHORS = ["Thomas Wahl", "Cornelia Riehle LL.M.", "Dr. Anna Pingen", "Nicolai von Maltitz",
           "Dr. Petra Lehmann", "Laura Fischer", "Marco Rossi", "Sofia Andersson"]
PHOTOS = {"Thomas Wahl": "2018-Max_Planck_Herr_Wahl_1355_black white_Zuschnitt.jpg",
          "Cornelia Riehle LL.M.": "Riehle_Cornelia_Neu_SW.jpg", "Dr. Anna Pingen": "Pingen Kopie"}
CITIES_FORMAL = ["Brussels", "Luxembourg"]
AGENCY_KEYS = ["eurojust", "europol", "frontex", "eppo", "olaf", "eu-lisa", "cepol", "euaa", "fra", "euda",
               "emcdda", "enisa", "amla", "edps", "edpb"]
BODY_KEYS = ["european-parliament", "european-commission", "council", "cjeu", "european-council", "coreper", "cosi",
             "ep-libe", "dg-home", "dg-just", "eca"]
DOC_KINDS = ["conclusions", "strategy", "action plan", "regulation", "directive", "report", "proposal",
             "recommendation", "communication", "declaration", "roadmap", "programme", "resolution"]
SUBJECTS = ["the fight against {kw}", "the prevention of {kw}", "{kw} in the digital age", "tackling {kw}",
            "strengthening cooperation against {kw}", "the future of EU action on {kw}", "combating {kw}",
            "the role of the agencies in countering {kw}", "improving the response to {kw}"]
FILLER = [
    "The text calls on the Member States to step up their efforts and to make full use of the existing instruments.",
    "Practitioners had long pointed to gaps in the current framework, in particular as regards cross-border cases.",
    "The measures are to be evaluated after three years, and a report on their implementation will follow.",
    "Several Member States expressed reservations, notably on the scope of the new obligations and on costs.",
    "Stakeholders welcomed the initiative but asked for more safeguards for the rights of the persons concerned.",
    "The ministers also exchanged views on the state of play of ongoing legislative files.",
    "Implementation at national level remains uneven, and the exchange of best practices is to be intensified.",
    "Financial support will be made available under the Internal Security Fund and the Justice Programme.",
    "The document builds on earlier work and sets out priorities for the coming years.",
    "Cooperation with third countries and international organisations is seen as a key element.",
    "Statistics show an increase in the number of cases over the past years, with large regional differences.",
    "The next steps include a mapping exercise and an assessment of the need for further legislation.",
]
LIST_ITEMS = ["Improving the exchange of information between the competent authorities",
              "Strengthening the capacities of the national authorities", "Ensuring adequate training of practitioners",
              "Developing common standards and guidelines", "Enhancing cooperation with the private sector",
              "Making better use of the EU agencies and networks", "Reinforcing the protection of victims",
              "Promoting research and innovation", "Increasing the use of joint investigation teams"]


@dataclass(frozen=True)
class Meta:
    """What other articles can cite of article ``i``: format, dateline, issue, pages, title, topic."""

    i: int
    format: str          # web | print
    date: dt.date        # the news date (web dateline); print articles carry no dateline
    issue: tuple[int, int]
    pages: tuple[int, int]
    printed: bool        # a web article that says which printed issue it is in
    topic_key: str
    keyword: str
    doc_kind: str
    subject: str
    slug: str


def _rng(seed: int, i: int, salt: str = "") -> random.Random:
    return random.Random(f"{seed}:{i}:{salt}")


def _a(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def _day(d: dt.date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-")


@lru_cache(maxsize=1)
def _ref() -> Reference:
    return default_reference()


@lru_cache(maxsize=200_000)
def meta(seed: int, i: int) -> Meta:
    ref = _ref()
    r = _rng(seed, i, "meta")
    date = FIRST_DAY + dt.timedelta(days=(i * 7919 + r.randrange(60)) % DAYS)
    issue = (min(4, (date.month - 1) // 3 + 1), date.year)
    first = r.randrange(1, 300)
    pages = (first, first + r.choice((0, 0, 1, 1, 2)))
    topic = r.choice(ref.topics)
    keyword = r.choice(sorted(topic.keywords) or [topic.label.lower()])
    doc_kind = r.choice(DOC_KINDS)
    subject = r.choice(SUBJECTS).format(kw=keyword)
    title = f"{doc_kind.title()} on {subject[0].upper()}{subject[1:]}"
    return Meta(i=i, format="web" if r.random() < 0.5 else "print", date=date, issue=issue, pages=pages,
                printed=r.random() < 0.3, topic_key=topic.key, keyword=keyword, doc_kind=doc_kind,
                subject=subject, slug=f"a{i:06d}-{_slugify(title)}")


def _title(m: Meta, r: random.Random) -> str:
    forms = [f"Council Adopts {m.doc_kind.title()} on {m.subject[0].upper()}{m.subject[1:]}",
             f"Commission Presents {m.doc_kind.title()} on {m.subject[0].upper()}{m.subject[1:]}",
             f"New {m.doc_kind.title()} on {m.subject[0].upper()}{m.subject[1:]}",
             f"{m.doc_kind.title()} on {m.subject[0].upper()}{m.subject[1:]} Published"]
    return r.choice(forms)


def _crossref(seed: int, i: int, r: random.Random) -> str:
    """A marker citing an earlier article of the corpus (or a related link when there is none)."""
    if i == 0:
        return "(→ related link)"
    for _ in range(6):
        j = r.randrange(max(0, i - 500), i)
        t = meta(seed, j)
        kind = r.random()
        if kind < 0.4 and (t.format == "print" or t.printed):
            n, y = t.issue
            pages = f"{t.pages[0]}" if t.pages[0] == t.pages[1] else f"{t.pages[0]}-{t.pages[1]}"
            return r.choice([f"(→ eucrim {n}/{y}, {pages})", f"(see eucrim {n}/{y}, p. {t.pages[0]})",
                             f"(→eucrim {n}/{y}, {pages})"])
        if kind < 0.7 and t.format == "web":
            return f"(→ eucrim news of {_day(t.date)})"
    return r.choice(["(→ separate news item)", "(→ separate news item)", "(→ related link)"])


def _separate_item(seed: int, i: int, r: random.Random) -> str:
    """A sentence about an earlier article, citing it by topic only, as 'separate news item'."""
    j = r.randrange(max(0, i - 500), i)
    t = meta(seed, j)
    return r.choice([f"The {t.doc_kind} on {t.subject} is reported on elsewhere (→ separate news item).",
                     f"A {t.doc_kind} on {t.keyword} was also put forward in this context (→ separate news item).",
                     f"This follows the {t.doc_kind} on {t.subject} (→ separate news item)."])


def _sentences(seed: int, i: int, m: Meta, r: random.Random) -> list[list[str]]:
    """Paragraphs of sentences about one event, its documents and its actors."""
    ref = _ref()
    event = m.date - dt.timedelta(days=r.randrange(3, 40))
    pres = ref.presidency_on(event)
    demonym = pres.country.demonym if pres else "Belgian"
    country = pres.country.name if pres else "Belgium"
    agency = ref.organisation(r.choice(AGENCY_KEYS))
    other = ref.organisation(r.choice(AGENCY_KEYS))
    body = ref.organisation(r.choice(BODY_KEYS))
    agency_name = r.choice([n for n in (agency.name, agency.acronym) if n])
    topic2 = r.choice(ref.topics)
    kw2 = r.choice(sorted(topic2.keywords) or [topic2.label.lower()])
    day2 = event + dt.timedelta(days=1)
    paragraphs: list[list[str]] = []

    kind = r.randrange(5)
    if kind == 0:
        when = (f"{event.day}/{day2.day} {MONTHS[event.month - 1]} {event.year}" if day2.month == event.month
                else _day(event))
        lead = (f"At the Justice and Home Affairs (JHA) Council meeting on {when} in {r.choice(CITIES_FORMAL)}, "
                f"the ministers adopted {m.doc_kind} on {m.subject} {_crossref(seed, i, r)}.")
    elif kind == 1:
        lead = (f"On {_day(event)}, the Commission presented {_a(m.doc_kind)} {m.doc_kind} on {m.subject}. It was announced in "
                f"the work programme and follows calls by the European Parliament and the Council.")
    elif kind == 2:
        lead = (f"At the informal meeting of justice and home affairs ministers on {_day(event)} in "
                f"{pres.country.name if pres else 'Brussels'}, the {demonym} Council Presidency put {m.subject} "
                f"on the agenda {_crossref(seed, i, r)}.")
    elif kind == 3:
        number = r.randrange(100, 3000)
        lead = (f"On {_day(event)}, Regulation (EU) {event.year}/{number} of the European Parliament and of the "
                f"Council on {m.subject} was published in the Official Journal of the EU.")
    else:
        lead = (f"On {_day(event)}, {agency_name} published its annual report {event.year - 1}, which gives an "
                f"overview of its work on {m.keyword} and {kw2}.")
    paragraphs.append([lead, r.choice(FILLER),
                       f"The {demonym} Council Presidency had made {m.keyword} one of its priorities for the "
                       f"{'first' if event.month <= 6 else 'second'} half of {event.year} {_crossref(seed, i, r)}."])

    second = [f"{agency_name} and {other.name} are invited to support the Member States in {m.subject}.",
              r.choice(FILLER)]
    if r.random() < 0.5:
        second.append(f"The {body.name} is to report back by {MONTHS[r.randrange(12)]} {event.year + 1}.")
    if r.random() < 0.4:
        second.append(f"This ties in with the EU Strategy to tackle {kw2}, which the Commission presented in "
                      f"{MONTHS[r.randrange(12)]} {event.year - 1} {_crossref(seed, i, r)}.")
    if i > 0 and r.random() < 0.5:  # about as often as in the development corpus (1 marker in 5)
        second.append(_separate_item(seed, i, r))
    paragraphs.append(second)

    third = [f"The {m.doc_kind} sets out {r.randrange(3, 12)} priorities and complements Directive (EU) "
             f"{event.year - r.randrange(1, 6)}/{r.randrange(100, 2000)} on {kw2}.",
             f"According to the {body.name}, the new rules will also strengthen the role of {other.name} and "
             f"improve the follow-up of cases involving {m.keyword}.", r.choice(FILLER)]
    if r.random() < 0.5:
        third.append(f"On {_day(event + dt.timedelta(days=r.randrange(5, 60)))}, the Council adopted a "
                     f"recommendation on {kw2}, which the {demonym} Presidency had prepared.")
    paragraphs.append(third)
    if r.random() < 0.5:
        paragraphs.append([f"{country} took over the Presidency of the Council of the EU on 1 "
                           f"{'January' if event.month <= 6 else 'July'} {event.year}.",
                           r.choice(FILLER)])
    if r.random() < 0.6:
        paragraphs.append(["The main points include:"] + [f"- {x};" for x in r.sample(LIST_ITEMS, r.randrange(2, 5))])
    closing = [r.choice(FILLER), f"Further work on {kw2} is expected in the coming months {_crossref(seed, i, r)}."]
    if r.random() < 0.3:
        closing.append(f"The Council conclusions on {kw2} of {_day(event - dt.timedelta(days=r.randrange(200, 900)))} "
                       f"remain the reference for this work.")
    paragraphs.append(closing)
    return paragraphs


def _paragraph_text(sents: list[str]) -> str:
    if sents and sents[0] == "The main points include:":
        return sents[0] + "\n\n" + "\n".join(sents[1:])
    return " ".join(sents)


def article(seed: int, i: int) -> tuple[str, str]:
    """(file name, text) of article ``i``."""
    m = meta(seed, i)
    r = _rng(seed, i, "text")
    title = _title(m, r)
    author = r.choice(AUTHORS)
    paragraphs = [_paragraph_text(p) for p in _sentences(seed, i, m, r)]
    if m.format == "web":
        dateline = _day(m.date)
        if r.random() < 0.3:
            dateline += f" (updated {r.randrange(1, 11)} months ago)"
        if m.printed:
            n, y = m.issue
            dateline += f" // Published in printed Issue {n}/{y} p {m.pages[0]}"
        photo = PHOTOS.get(author, author.split()[-1] + "_photo.jpg")
        text = f"{title}\n{dateline}\n{photo} {author}\n\n" + "\n\n".join(paragraphs) + "\n"
        return f"{m.slug}.md", text
    n, y = m.issue
    eucrim = "[eucri](#)m" if r.random() < 0.5 else "eucrim"
    pages = f"pp {m.pages[0]} –  \n{m.pages[1]}" if m.pages[1] != m.pages[0] else f"p {m.pages[0]}"
    side = (f"### AUTHOR\n\n**{author}**\n\nSenior Researcher  \nMax Planck Institute for the  \n"
            f"Study of Crime, Security and  \nLaw\n\n---\n\nPublished in  \n{y}, Vol. {y - 2005}({n}) {eucrim} "
            f"{pages}\n\nISSN: 1862-6947\n\n\n\n")
    body = [p.replace("eucrim", eucrim) if eucrim != "eucrim" else p for p in paragraphs]
    # the side block interrupts a sentence of a middle paragraph, as the PDF conversion does
    k = r.randrange(1, len(body))
    words = body[k].split(" ")
    cut = r.randrange(len(words) // 3, max(len(words) // 3 + 1, 2 * len(words) // 3))
    if "\n" not in body[k] and r.random() < 0.6:
        body[k] = " ".join(words[:cut]) + "\n\n" + side + " ".join(words[cut:])
    else:
        body.append(side.rstrip("\n") + "\n")
    head = f"\n\n# {title}\n\n## News\n\n" + (f"**{author}**\n\n" if r.random() < 0.6 else "")
    footer = ("\n\n---\n\n## About eucrim\n\neucrim keeps its readers up to date on developments in European "
              "criminal law and in the protection of the Union's financial interests.\n")
    return f"{m.slug}.md", head + "\n\n".join(body) + footer


def generate(out: str | Path, n: int, seed: int = 1) -> list[Path]:
    """Write articles 0..n-1 into ``out`` (files that already hold the same bytes are left alone)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        name, text = article(seed, i)
        p = out / name
        data = text.encode("utf-8")
        if not p.exists() or p.stat().st_size != len(data) or p.read_bytes() != data:
            p.write_bytes(data)
        paths.append(p)
    return paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    paths = generate(args.out, args.n, args.seed)
    print(f"{len(paths)} articles in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
