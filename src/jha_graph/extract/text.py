"""The article body as sentences with offsets, and the reference date the article speaks from."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .model import ArticleText, Evidence
from .sentences import MAX_SENTENCE, split_sentences


@dataclass(frozen=True)
class Sentence:
    text: str
    offset: int  # in ArticleText.body
    block: int  # index of the block it stands in
    kind: str  # the block's kind: paragraph | heading | list-item

    def evidence(self) -> Evidence:
        return Evidence(self.text, self.offset)


def sentences(article: ArticleText) -> list[Sentence]:
    out: list[Sentence] = []
    offset = 0
    for i, block in enumerate(article.blocks):
        if block.kind == "heading" and len(block.text) <= MAX_SENTENCE:
            out.append(Sentence(block.text, offset, i, block.kind))
        else:
            for off, s in split_sentences(block.text):
                out.append(Sentence(s, offset + off, i, block.kind))
        offset += len(block.text) + 2
    return out


_YEAR = re.compile(r"\b(19[5-9]\d|20[0-3]\d)\b")


def reference_year(article: ArticleText) -> int | None:
    """The year the article speaks from: its dateline, its issue, else the latest year it names."""
    if article.date:
        return int(article.date[:4])
    if article.issue:
        return int(article.issue.split("/")[1])
    years = [int(y) for y in _YEAR.findall(article.body)]
    return max(years) if years else None
