"""Reading eucrim news articles, in either of the two formats, into an ``ArticleText``.

WEB format (text saved from an eucrim.eu news page)::

    Title of the news item
    15 October 2025 (updated 1 month ago) // Preprint Issue 3/2025
    Some_Image_File.jpg Cornelia Riehle LL.M.

    Body paragraphs, '- ' list items ...
    News Guide            <- page footer, dropped with all that follows

PRINT format (markdown converted from the PDF issue)::

    # Title
    ## News
    **Author Name**
    Body paragraphs ... a sentence that is cut by
    ### AUTHOR / **Name** / affiliation / --- / Published in 2024, Vol. 19(1) eucrim pp 30 – 31 / ISSN ...
    the side block and goes on here.
    ## About eucrim       <- footer, dropped with all that follows

The side block is removed and the sentence it interrupts joined again; link artefacts of the
conversion ('[eucri](#)m', '[link text](#)') become their text; whitespace is normalised (no-break
spaces, soft hyphens, zero-width characters, ligatures, hyphenation at line breaks).
"""
from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..extract.dates import find_dates
from ..extract.model import ArticleText, Block
from ..namespaces import slugify

__all__ = ["ArticleError", "read_article", "parse_article", "decode_article", "clean_inline",
           "person_name", "DEFAULT_MAX_BYTES"]

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_TITLE_CHARS = 300


class ArticleError(ValueError):
    """An article file that cannot be read as an article; the message names the file and the problem."""

    def __init__(self, file: str | Path, problem: str) -> None:
        self.file = str(file)
        self.problem = problem
        super().__init__(f"{self.file}: {problem}")


# ---------------------------------------------------------------------------------------------
# bytes -> text

def _size(n: int) -> str:
    return f"{n} bytes" + (f" ({n / 1024 / 1024:.1f} MB)" if n >= 1024 * 1024 else "")


def decode_article(raw: bytes, file: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The text of an article file: checked (size, binary, UTF-8), BOM removed, line ends '\\n'."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    raw = bytes(raw)
    if len(raw) > max_bytes:
        raise ArticleError(file, f"is too large: {_size(len(raw))}, the limit is {_size(max_bytes)}")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ArticleError(file, "is UTF-16 encoded (byte order mark); expected UTF-8 text")
    bom = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    body = raw[bom:]
    if not body.strip():
        raise ArticleError(file, "is empty" if not body else "contains only whitespace")
    if b"\x00" in body:
        nul = body.index(b"\0") + bom
        raise ArticleError(file, f"is binary, not text (NUL byte at byte offset {nul})")
    # counted per distinct byte (character) rather than in a Python loop over the whole text
    controls = sum(body.count(b) for b in set(body) if (b < 32 and b not in (9, 10, 11, 12, 13)) or b == 127)
    if controls > max(2, len(body) // 20):
        raise ArticleError(file, f"is binary, not text ({controls} control bytes in {len(body)})")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        bad = body[e.start]
        raise ArticleError(file, f"is not valid UTF-8: byte 0x{bad:02x} at byte offset {e.start + bom} "
                                 f"({e.reason})") from None
    odd = sum(text.count(ch) for ch in set(text)
              if unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") and ch not in "\t\n\r\f\v")
    if odd > max(2, len(text) // 20):
        raise ArticleError(file, f"is binary, not text ({odd} control or unassigned characters in {len(text)})")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not any(ch.isalnum() for ch in text):
        raise ArticleError(file, "has no recognisable title or text (no letters or digits)")
    return text


def read_article(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ArticleText:
    """Reads and parses one article file; raises ArticleError for anything that is not an article."""
    p = Path(path)
    try:
        if not p.is_file():
            raise ArticleError(p, "does not exist" if not p.exists() else "is not a regular file")
        size = p.stat().st_size
        if size > max_bytes:
            raise ArticleError(p, f"is too large: {_size(size)}, the limit is {_size(max_bytes)}")
        raw = p.read_bytes()
    except OSError as e:
        raise ArticleError(p, f"cannot be read: {e.strerror or e}") from None
    return parse_article(raw, str(p), max_bytes=max_bytes)


# ---------------------------------------------------------------------------------------------
# characters and inline markup

_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\v\f]")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
              "\ufb05": "st", "\ufb06": "st"}


def _normalise_chars(text: str) -> str:
    # a soft hyphen at a line end joins the two parts of the word
    text = re.sub(r"\u00ad[ \t]*\n[ \t]*", "", text)
    text = _INVISIBLE.sub("", text)
    text = _SPACES.sub(" ", text)
    for k, v in _LIGATURES.items():
        text = text.replace(k, v)
    return text


_IMAGE = re.compile(r"!\[[^\]\n]{0,500}\]\([^)\n]{0,1000}\)")
_LINK = re.compile(r"\[([^\[\]\n]{0,500})\]\([^()\n]{0,300}\)")
_AUTOLINK = re.compile(r"<((?:https?://|mailto:|www\.)[^<>\s]{1,1000})>")
_TAG = re.compile(r"</?(?:br|sup|sub|span|em|strong|i|b|u|a|p|div|small|mark)\b[^<>\n]{0,200}>", re.I)
_BOLD = re.compile(r"\*\*(?=\S)([^\n]{1,300}?)(?<=\S)\*\*|__(?=\S)([^\n]{1,300}?)(?<=\S)__")
_ITALIC = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]{1,300}?)(?<=[^\s*])\*(?![\w*])"
                     r"|(?<![\w_])_(?=[^\s_])([^_\n]{1,300}?)(?<=[^\s_])_(?![\w_])")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<])")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_SPLIT_EUCRIM = re.compile(r"\b(?:e ucrim|eu crim|euc rim|eucr im|eucri m)\b")


def clean_inline(text: str) -> str:
    """Inline markdown and conversion artefacts to plain text: '[eucri](#)m' -> 'eucrim'."""
    # each pattern only where the character it starts with occurs: most lines have no markup at all
    if "](" in text:
        text = _IMAGE.sub("", text)
        for _ in range(3):  # nested or adjacent links
            new = _LINK.sub(lambda m: m.group(1), text)
            if new == text:
                break
            text = new
    if "<" in text:
        text = _AUTOLINK.sub(lambda m: m.group(1).removeprefix("mailto:"), text)
        text = _TAG.sub(lambda m: " " if m.group(0).lower().startswith("<br") else "", text)
    if "*" in text or "_" in text:
        text = _BOLD.sub(lambda m: m.group(1) or m.group(2), text)
        text = _ITALIC.sub(lambda m: m.group(1) or m.group(2), text)
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    if "&" in text and _ENTITY.search(text):  # '&amp;', '&nbsp;', '&rarr;' in text saved from web pages
        text = _normalise_chars(html.unescape(text))
    if " " in text:
        text = _SPLIT_EUCRIM.sub("eucrim", text)
        if "  " in text:
            text = _SPACES2.sub(" ", text)
    return text.strip()


_SPACES2 = re.compile(r" {2,}")


# ---------------------------------------------------------------------------------------------
# person names

_PREFIX_TITLES = {"dr", "prof", "professor", "pd", "priv.-doz", "privdoz", "mag", "mr", "mrs", "ms", "mx",
                  "sir", "dame", "judge", "hon", "dipl.-jur", "dipl-jur", "dipl.-kfm", "ass", "iur", "jur",
                  "h.c", "hc", "assoc", "asst", "ing", "ra", "me", "avv", "lic", "dott", "dres", "drs",
                  "univ.-prof", "univ-prof", "apl", "em", "emer"}
_SUFFIX_TITLES = {"ll.m", "llm", "ll.m.(eur)", "ll.b", "llb", "ph.d", "phd", "m.a", "b.a", "m.sc", "msc",
                  "b.sc", "bsc", "mle", "m.jur", "mjur", "mba", "m.phil", "mphil", "d.phil", "dphil",
                  "esq", "mlaw", "m.e.s", "mes", "ma", "ba", "llm.eur", "d.e.a", "dea", "dess", "d.e.s.s",
                  "m.iur", "miur", "mag.iur", "dr.iur", "dr.jur", "jd", "j.d", "maitre", "maître"}
_CASED_SUFFIXES = {"ma", "ba", "mes", "me", "ra", "em", "ing", "jd"}  # only as written in capitals/dots
_PARTICLES = {"von", "van", "de", "der", "den", "da", "di", "du", "la", "le", "del", "della", "dos", "das",
              "do", "ten", "ter", "zu", "y", "e", "al", "el", "bin", "ben", "af", "av", "vom", "zur", "op"}
_NOT_NAME_WORDS = {"the", "of", "and", "for", "on", "in", "news", "council", "commission", "european",
                   "union", "presidency", "update", "report", "key", "figures", "news", "guide", "author",
                   "authors", "published", "issue", "programme", "conclusions", "eu", "eucrim", "spotlight",
                   "institution", "department", "position", "senior", "researcher", "head", "section",
                   "criminal", "law", "max", "planck", "institute", "academy", "introduction", "background",
                   "summary", "outlook", "results", "overview", "priorities", "agenda", "strategy"}
_IMAGE_FILE = re.compile(r"\S{0,200}\.(?:jpe?g|png|gif|webp|svg|tiff?|bmp|heic|avif)(?=\s|$)", re.I)
_FILE_JUNK = {"kopie", "copy", "sw", "bw", "neu", "new", "final", "web", "crop", "cropped", "zuschnitt",
              "foto", "photo", "img", "image", "portrait", "bild", "klein", "small", "large", "thumb",
              "thumbnail", "cut", "edit", "edited", "version", "black", "white", "color", "colour",
              "hires", "lowres", "square", "profile", "pic", "picture", "s/w", "farbe", "quer", "hoch"}


def _title_key(token: str) -> str:
    return token.strip(",;()").rstrip(".").lower()


def _is_title(token: str, prefix: bool) -> bool:
    key = _title_key(token)
    if not key:
        return False
    if key in _CASED_SUFFIXES and not (token.isupper() or "." in token):
        return False  # 'Ma' is a name; 'MA' or 'M.A.' a degree
    return key in (_PREFIX_TITLES if prefix else (_SUFFIX_TITLES | _PREFIX_TITLES))


def _name_like(tokens: list[str]) -> bool:
    if not 2 <= len(tokens) <= 6:
        return False
    if any(re.search(r"[\d_@/\\#|<>{}=+*]", t) for t in tokens):
        return False
    if sum(1 for t in tokens if t.lower() in _NOT_NAME_WORDS) >= 1 and not any(
            t[:1].isupper() and t.lower() not in _NOT_NAME_WORDS for t in tokens[1:]):
        return False
    if sum(1 for t in tokens if t.lower() in _NOT_NAME_WORDS) >= 2:
        return False
    for t in tokens:
        if t.lower() in _PARTICLES:
            continue
        if not re.fullmatch(r"[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’.\-]*|[A-Z]\.|(?:[A-Z]\.-?){2,}|[a-zà-ÿ]['’][A-ZÀ-Þ][\w'’\-]*", t):
            return False
    return tokens[-1][:1].isupper()


def _strip_titles(tokens: list[str]) -> list[str]:
    while tokens and _is_title(tokens[0], True):
        tokens = tokens[1:]
    while tokens and _is_title(tokens[-1], False):
        tokens = tokens[:-1]
    return [t.strip(",;") for t in tokens if t.strip(",;")]


def person_name(text: str) -> str | None:
    """A person's name without academic titles ('Dr. Anna Pingen' -> 'Anna Pingen'), or None.

    Several names ('A and B', 'A, B') are joined with ' and '.
    """
    text = clean_inline(text)
    text = re.sub(r"^(?:by|von|par)\s+", "", text.strip(), flags=re.I)
    text = re.sub(r"\([^()]{0,40}\)", " ", text)  # '(Cantab)', '(LSE)'
    # degrees written with spaces between their parts
    text = re.sub(r"\bLL\.\s?M\.?(?:\s?\(Eur\))?", " LL.M. ", text)
    text = re.sub(r"\bPh\.\s?D\.?", " Ph.D. ", text)
    text = re.sub(r"\bDr\.\s?(?:iur|jur|rer\.\s?pol|phil|h\.\s?c)\.?", " Dr. ", text)
    parts = re.split(r"\s*(?:;|&|\band\b|\bund\b|\bet\b)\s*|,\s*(?=(?:Dr\.?|Prof\.?)?\s*[A-ZÀ-Þ][a-zà-ÿ]+\s+[A-ZÀ-Þ])",
                     text)
    names: list[str] = []
    for part in parts:
        tokens = [t for t in re.split(r"[\s,]+", part) if t]
        tokens = [t for t in tokens if not _is_title(t, False) or t[:1].isupper() and not _is_title(t, True)
                  and _title_key(t) not in _SUFFIX_TITLES]
        tokens = _strip_titles(tokens)
        if _name_like(tokens):
            names.append(" ".join(tokens))
    return " and ".join(names) if names else None


def _author_from_web_line(line: str) -> str | None:
    """The author of a web page's author line: 'Riehle_Cornelia_Neu_SW.jpg Cornelia Riehle LL.M.'."""
    line = clean_inline(line)
    if not line or len(line) > 200:
        return None
    pieces = _IMAGE_FILE.split(line)
    names: list[str] = []
    for piece in pieces:
        tokens = piece.split()
        # a prefix title starts the name: 'Pingen Kopie Dr. Anna Pingen'
        for i, t in enumerate(tokens):
            if i > 0 and _title_key(t) in ("dr", "prof", "professor"):
                tokens = tokens[i:]
                break
        while tokens and (re.search(r"[\d_]", tokens[0]) or tokens[0].lower().strip(".-") in _FILE_JUNK):
            tokens = tokens[1:]
        core = _strip_titles(list(tokens))
        # an image label that repeats the surname: 'Pingen Kopie Anna Pingen'
        if len(core) >= 3 and core[0] in core[1:] and core[0] == core[-1]:
            rest = core[1:]
            while rest and (rest[0].lower().strip(".-") in _FILE_JUNK or re.search(r"[\d_]", rest[0])):
                rest = rest[1:]
            if len(rest) >= 2:
                tokens = rest
        name = person_name(" ".join(tokens))
        if name:
            names.append(name)
    return " and ".join(dict.fromkeys(names)) if names else None


# ---------------------------------------------------------------------------------------------
# blocks

_HR = re.compile(r"^\s{0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^\s*(?:[-*+\u2022\u25aa\u25e6\u00b7\u2023\u2013\u2014\u25cf\u25a0\u2043]|\d{1,2}[.)]|[a-z][.)])\s+(?=\S)")


@dataclass
class _Unit:
    kind: str  # 'hr' | 'heading' | 'paragraph' | 'list-item'
    lines: list[str] = field(default_factory=list)
    level: int = 0

    @property
    def raw(self) -> str:
        return "\n".join(self.lines)


def _units(lines: list[str]) -> list[_Unit]:
    units: list[_Unit] = []
    current: _Unit | None = None
    for line in lines:
        if not line.strip():
            current = None
            continue
        if _HR.match(line):
            units.append(_Unit("hr", [line]))
            current = None
            continue
        h = _HEADING.match(line)
        if h:
            text = h.group(2).rstrip()
            bare = text.rstrip("#")
            if bare != text and (not bare or bare[-1].isspace()):
                text = bare  # closing '#'s: '## News ##'
            units.append(_Unit("heading", [text.strip()], level=len(h.group(1))))
            current = None
            continue
        b = _BULLET.match(line)
        if b:
            current = _Unit("list-item", [line[b.end():]])
            units.append(current)
            continue
        if current is not None:
            current.lines.append(line)
        else:
            current = _Unit("paragraph", [line])
            units.append(current)
    return units


_HYPHEN_PREFIXES = {"anti", "non", "cross", "co", "self", "pre", "post", "inter", "multi", "counter", "cyber",
                    "ex", "semi", "sub", "super", "well", "e", "high", "low", "long", "short", "full", "so",
                    "pan", "mid", "over", "under", "re", "de", "un", "all", "half", "law", "euro", "extra",
                    "intra", "micro", "macro", "socio", "quasi", "vice", "top", "off", "on", "twenty",
                    "thirty", "forty", "fifty", "one", "two", "three", "four", "five", "six", "seven",
                    "eight", "nine", "ten", "first", "second", "third", "follow", "start", "end", "day",
                    "year", "state", "member", "money", "drug", "risk", "case", "data", "cost", "time",
                    "decision", "user", "child", "in", "out", "up", "down", "back", "front", "cut", "set"}


class _Joiner:
    """Joins the lines of a paragraph, undoing hyphenation at line breaks where it is safe."""

    def __init__(self, text: str) -> None:
        self.words = {w.lower() for w in re.findall(r"[^\W\d_]+", text)}
        # anchored at a word start and possessive: unanchored, every letter of a long word was tried as a
        # start, each scanning to the word's end (quadratic: a 60 kB word took 30 s)
        self.hyphenated = {w.lower() for w in re.findall(r"(?<![^\W\d_])[^\W\d_]++-[^\W\d_]+", text)}

    def join(self, lines: list[str]) -> str:
        parts: list[str] = []
        for line in lines:
            line = line.strip()
            if not line:
                continue
            if not parts:
                parts.append(line)
                continue
            prev = parts[-1]
            m = _HYPHEN_END.search(prev[-60:])
            n = _WORD_START.match(line)
            if m and n:
                left, right = m.group(1), n.group(1)
                if right[0].islower() and not any(c.isupper() for c in left[1:]) \
                        and f"{left}-{right}".lower() not in self.hyphenated \
                        and (f"{left}{right}".lower() in self.words or left.lower() not in _HYPHEN_PREFIXES):
                    parts[-1] = prev[:-1]  # 'crimi-' + 'nal' -> 'criminal'
                parts.append(line)  # else 'cross-' + 'border' -> 'cross-border'
            else:
                parts.append(" ")
                parts.append(line)
        return "".join(parts)


_HYPHEN_END = re.compile(r"(?<![^\W\d_])([^\W\d_]+)[-\u2010\u2011]$")
_WORD_START = re.compile(r"([^\W\d_]+)")


_TERMINAL = re.compile(r"[.!?:;\u2026][\"'\u201d\u2019)\]]*$")


def _plain_heading(text: str) -> bool:
    """A one-line paragraph that reads as a subheading ('Key figures', '(1) Anticipating threats')."""
    if "\n" in text or len(text) > 90 or not re.search(r"[^\W\d_]", text):
        return False
    words = text.split()
    if len(words) > 12 or re.search(r"[\u2192]|-->", text):
        return False
    if not re.match(r"[A-ZÀ-Þ0-9(\"\u201c]", text):
        return False
    if text.endswith(":"):
        return len(words) <= 2
    return not re.search(r"[.;,!?\u2026][\"'\u201d\u2019)\]]*$", text)


def _finish_blocks(blocks: list[Block], join_points: list[int], joiner: _Joiner) -> list[Block]:
    """Joins the sentence a removed side block interrupted; classifies one-line subheadings."""
    for k in sorted(set(join_points), reverse=True):
        if not 0 < k < len(blocks):
            continue
        prev, nxt = blocks[k - 1], blocks[k]
        if prev.kind not in ("paragraph", "list-item") or nxt.kind != "paragraph":
            continue
        if _TERMINAL.search(prev.text):
            continue
        if not (nxt.text[:1].islower() or re.search(r"[\w,\-\u2010\u2013]$", prev.text)):
            continue
        prev.text = joiner.join([prev.text, nxt.text])
        del blocks[k]
    for i, b in enumerate(blocks):
        if b.kind == "paragraph" and i + 1 < len(blocks) and _plain_heading(b.text):
            b.kind = "heading"
    return [b for b in blocks if b.text]


def _block(unit: _Unit, joiner: _Joiner) -> Block | None:
    text = clean_inline(joiner.join(unit.lines))
    if not text:
        return None
    kind = "heading" if unit.kind == "heading" else unit.kind
    return Block(text=text, kind=kind)


# ---------------------------------------------------------------------------------------------
# metadata helpers

_PUBLISHED = re.compile(r"^Published\s+in\b\s*(?:$|\d{4}\b|printed\b|Issue\b|eucrim\b|Vol\b)", re.I)
_ISSN = re.compile(r"^(?:e-?)?ISSN\b", re.I)
_VOL = re.compile(r"\b((?:19|20)\d{2})\s*,\s*Vol(?:ume)?\.?\s*(\d{1,3})\s*\(\s*(\d{1,2}(?:\s*[-\u2013/]\s*\d{1,2})?)\s*\)",
                  re.I)
_ISSUE_WORD = re.compile(r"\bIssue\s+(\d{1,2}(?:\s*[-\u2013]\s*\d{1,2})?)\s*/\s*((?:19|20)\d{2})\b", re.I)
_PRINT_PAGES = re.compile(r"\b(?:pp?|pages?|S)\.?\s*(\d{1,4})(?:\s*[-\u2010-\u2015\u2212]\s*(\d{1,4}))?(?!\d)")
_FOOTER_HEADING = re.compile(r"^(?:About\s+(?:eucrim|the\s+journal)|Imprint|Impressum|Legal\s+notice)\b", re.I)
_SIDE_HEADING = re.compile(r"^(?:about\s+the\s+)?authors?\s*:?$", re.I)
_COFUNDED = re.compile(r"^(?:Co-?\s?funded\s+by|Co-?\s?financed\s+by)\b", re.I)
_WEB_FOOTER = re.compile(r"^(?:News\s+Guide|Authors?|About\s+the\s+authors?|Related\s+(?:news|content|articles)|"
                         r"Share(?:\s+this(?:\s+page)?)?|Tags|Print(?:\s+page)?|Newsletter|Further\s+reading)\s*:?$",
                         re.I)


def _issue_from(text: str) -> tuple[str | None, int | None]:
    m = _VOL.search(text)
    if m:
        n = re.sub(r"\s+", "", m.group(3)).replace("\u2013", "-")
        return f"{n}/{m.group(1)}", int(m.group(2))
    m = _ISSUE_WORD.search(text)
    if m:
        n = re.sub(r"\s+", "", m.group(1)).replace("\u2013", "-")
        return f"{n}/{m.group(2)}", None
    return None, None


def _pages_from(text: str) -> str | None:
    m = _PRINT_PAGES.search(text)
    if not m:
        return None
    return f"{m.group(1)}-{m.group(2)}" if m.group(2) and m.group(2) != m.group(1) else m.group(1)


def _check_title(title: str, file: str) -> str:
    if not title or not re.search(r"[^\W\d_]", title):
        raise ArticleError(file, "has no recognisable title (no first line with words)")
    if len(title) > MAX_TITLE_CHARS:
        raise ArticleError(file, f"has no recognisable title (the first line has {len(title)} characters, "
                                 f"more than {MAX_TITLE_CHARS}: not an article's title)")
    return title


# ---------------------------------------------------------------------------------------------
# the two formats

def _is_print(lines: list[str]) -> bool:
    nonempty = [ln for ln in lines if ln.strip()]
    if any(re.match(r"^\s{0,3}#{1,2}\s+\S", ln) for ln in nonempty[:6]):
        return True
    # no markdown title, but the furniture of the printed issue
    return any(re.match(r"^\s{0,3}#{1,6}\s+(?:About\s+eucrim|AUTHORS?)\s*$", ln) for ln in nonempty) or (
        any(re.match(r"^ISSN\b", ln) for ln in nonempty)
        and any(re.match(r"^Published\s+in\s*(?:\d{4}\b.*)?$", ln.strip()) for ln in nonempty))


def _parse_print(lines: list[str], file: str, joiner: _Joiner) -> dict:
    units = _units(lines)
    t = next((i for i, u in enumerate(units) if u.kind == "heading" and u.level == 1), None)
    if t is None:  # no '# Title': the first heading or line that is not the section label
        t = next((i for i, u in enumerate(units[:4]) if u.kind != "hr"
                  and not re.fullmatch(r"News|Spotlight|Articles?|Reports?|Editorial",
                                       clean_inline(u.raw).strip(" *_:"), re.I)), None)
        if t is None:
            raise ArticleError(file, "has no recognisable title")
    title = _check_title(clean_inline(joiner.join(units[t].lines)), file)
    i = t + 1
    # the section heading of the issue ('## News')
    if i < len(units) and units[i].kind == "heading" and units[i].level >= 2 \
            and len(units[i].raw.split()) <= 5 and not _SIDE_HEADING.match(clean_inline(units[i].raw)):
        i += 1
    author = None
    if i < len(units) and units[i].kind == "paragraph" and len(units[i].lines) == 1:
        line = units[i].lines[0].strip()
        bold = re.fullmatch(r"\*\*(.+?)\*\*|__(.+?)__", line)
        if bold or len(line.split()) <= 8:
            author = person_name(line)
            if author:
                i += 1
    blocks: list[Block] = []
    joins: list[int] = []
    issue = pages = None
    volume = None
    side_author = None

    def published(u: _Unit) -> bool:
        return u.kind == "paragraph" and bool(_PUBLISHED.match(clean_inline(u.lines[0]))) and len(u.raw) < 300

    def issn(u: _Unit) -> bool:
        return u.kind == "paragraph" and bool(_ISSN.match(clean_inline(u.lines[0]))) and len(u.raw) < 200

    def read_published(u: _Unit) -> None:
        nonlocal issue, pages, volume
        text = clean_inline(" ".join(ln.strip() for ln in u.lines))
        iss, vol = _issue_from(text)
        if iss and issue is None:
            issue, volume = iss, vol
            pages = _pages_from(text[_VOL.search(text).end():] if _VOL.search(text) else text)

    while i < len(units):
        u = units[i]
        text0 = clean_inline(u.lines[0]) if u.lines else ""
        if u.kind == "heading" and _FOOTER_HEADING.match(clean_inline(u.raw)):
            break
        if u.kind == "paragraph" and _COFUNDED.match(text0):
            break
        if u.kind == "heading" and _SIDE_HEADING.match(clean_inline(u.raw)):
            # the AUTHOR side block: name, affiliation, then the 'Published in' part
            j = i + 1
            seen_pub = False
            affiliations = 0
            while j < len(units):
                v = units[j]
                vt = clean_inline(v.lines[0]) if v.lines else ""
                if v.kind == "hr":
                    j += 1
                elif published(v):
                    read_published(v)
                    seen_pub = True
                    j += 1
                elif issn(v):
                    seen_pub = True
                    j += 1
                elif seen_pub:
                    break
                elif v.kind == "paragraph" and re.fullmatch(r"\*\*(.+?)\*\*|__(.+?)__", v.raw.strip()):
                    side_author = side_author or person_name(v.raw)
                    j += 1
                elif v.kind == "paragraph" and affiliations < 2 and all(
                        len(ln.strip()) <= 80 and not _TERMINAL.search(ln.strip()) for ln in v.lines) \
                        and not vt[:1].islower():
                    affiliations += 1
                    j += 1
                else:
                    break
            joins.append(len(blocks))
            i = j
            continue
        if published(u) or issn(u):
            j = i
            while j < len(units) and (units[j].kind == "hr" or published(units[j]) or issn(units[j])):
                if published(units[j]):
                    read_published(units[j])
                j += 1
            joins.append(len(blocks))
            i = j
            continue
        if u.kind == "hr":
            i += 1
            continue
        if u.kind == "heading" and u.level == 1 and not blocks and clean_inline(u.raw) == title:
            i += 1
            continue
        b = _block(u, joiner)
        if b is not None:
            blocks.append(b)
        i += 1
    blocks = _finish_blocks(blocks, joins, joiner)
    return {"format": "print", "title": title, "author": author or side_author, "issue": issue,
            "pages": pages, "volume": volume, "date": None, "blocks": blocks}


def _dateline(line: str):
    """The date mention a dateline starts with, if the line is one."""
    s = line.strip()
    if len(s) > 200:
        return None
    ds = find_dates(s[:60])
    if ds and ds[0].start == 0 and ds[0].precision == "day" and ds[0].value_end is None:
        rest = s[ds[0].end:].strip()
        if not rest or rest.startswith(("(", "//", "/", "|", "-", "\u2013", "\u2014", "·", "\u2022", ",")):
            return ds[0]
    return None


def _parse_web(lines: list[str], file: str, joiner: _Joiner) -> dict:
    idx = [i for i, ln in enumerate(lines) if ln.strip()]
    if not idx:
        raise ArticleError(file, "has no recognisable title")
    date_at = None
    for k in range(1, min(5, len(idx))):
        if _dateline(lines[idx[k]]):
            date_at = k
            break
    if date_at is not None:
        title_line = idx[date_at - 1]
        d = _dateline(lines[idx[date_at]])
        date = d.value_start
        dateline = lines[idx[date_at]]
        issue, _ = _issue_from(dateline)
        after = idx[date_at]
    else:
        title_line = idx[0]
        date = issue = None
        after = idx[0]
    title = _check_title(clean_inline(lines[title_line].strip()), file)
    # the author line directly after the dateline (or the title)
    author = None
    k = after + 1
    while k < len(lines) and not lines[k].strip() and k <= after + 1:
        k += 1
    if k < len(lines) and lines[k].strip():
        cand = lines[k].strip()
        has_image = len(cand) <= 300 and bool(_IMAGE_FILE.search(cand))
        if has_image or (len(cand) <= 80 and not _TERMINAL.search(cand.rstrip("."))):
            author = _author_from_web_line(cand)
            if author or has_image:
                after = k
    body_lines = []
    for ln in lines[after + 1:]:
        if _WEB_FOOTER.match(ln.strip()):
            break
        body_lines.append(ln)
    blocks = [b for b in (_block(u, joiner) for u in _units(body_lines) if u.kind != "hr") if b]
    blocks = _finish_blocks(blocks, [], joiner)
    return {"format": "web", "title": title, "author": author, "issue": issue, "pages": None, "volume": None,
            "date": date, "blocks": blocks}


def parse_article(raw: bytes, file: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ArticleText:
    """Parses the bytes of an article file (``file`` names it in errors and gives the slug)."""
    text = decode_article(raw, file, max_bytes=max_bytes)
    text = _normalise_chars(text)
    lines = [ln.rstrip() for ln in text.split("\n")]
    joiner = _Joiner(text)
    meta = _parse_print(lines, file, joiner) if _is_print(lines) else _parse_web(lines, file, joiner)
    blocks = meta["blocks"]
    if not any(re.search(r"[^\W\d_]{2,}", b.text) for b in blocks):
        raise ArticleError(file, "has no body text after the title")
    name = Path(str(file)).name
    stem = Path(name).stem or name
    return ArticleText(file=name, slug=slugify(stem), format=meta["format"], title=meta["title"],
                       date=meta["date"], author=meta["author"], issue=meta["issue"], pages=meta["pages"],
                       volume=meta["volume"], blocks=blocks, source=text,
                       sha256=hashlib.sha256(bytes(raw) if not isinstance(raw, str) else raw.encode()).hexdigest())
