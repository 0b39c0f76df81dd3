"""A long alternation of literal words as one regular expression that matches the same, faster.

Python's ``re`` tries the alternatives of ``(?:Europol|Eurojust|European ...)`` one by one at every
position of the text; with a few hundred names that is most of the extractor's time.  ``alternation``
writes the same set of words as a trie (``Euro(?:pol|just|pean ...)``), which rejects a position after
a character or two.

Same matches: at a position, the words that can match are prefixes of each other (they all match
the text there), and both forms try them longest first: the plain alternation because its words
are sorted longest first, the trie because each optional tail is greedy (a child is tried before the
word ending at its parent).  So even with backtracking into the alternation (when what follows it
fails), the words are tried in the same order.  Under ``re.IGNORECASE`` the trie is built from the
case-folded words (``fold=True``), so that words differing only in case share one path.

>>> import re
>>> words = ["EU", "Europol", "Eurojust", "European Union", "Euro"]
>>> trie = re.compile(rf"\\b(?:{alternation(words)})\\b")
>>> plain = re.compile(r"\\b(?:" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)) + r")\\b")
>>> text = "The European Union, Europol, Eurojust and the Euro area; EUR"
>>> [m.span() for m in trie.finditer(text)] == [m.span() for m in plain.finditer(text)]
True
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable

_END = ""  # key of "a word ends here" (no character is the empty string)


def alternation(words: Iterable[str], *, fold: bool = False,
                escape: Callable[[str], str] = re.escape) -> str:
    """A regex (no outer group) matching exactly what ``|``-joined, longest-first ``words`` would.

    ``escape`` writes one character (``re.escape`` by default; a caller may map a character to a
    class, e.g. ``'`` to ``['’]``); with ``fold`` the words are lower-cased first, for a pattern
    compiled with ``re.IGNORECASE``.
    """
    root: dict = {}
    for word in words:
        if not word:
            continue
        node = root
        for ch in (word.lower() if fold else word):
            node = node.setdefault(escape(ch), {})
        node[_END] = True
    return _write(root) if root else "(?!x)x"


def _write(node: dict) -> str:
    ends = _END in node
    children = [(ch, child) for ch, child in node.items() if ch != _END]
    if not children:
        return ""
    parts = [ch + _write(child) for ch, child in sorted(children)]
    body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
    if ends:  # the word that ends here is tried after every longer one
        return ("(?:" + body + ")?") if len(parts) == 1 and len(parts[0]) > 1 else body + "?"
    return body
