"""Article files (web or print format) read into metadata and clean body blocks.

>>> a = parse_article(b"A Title\\n4 March 2024\\n\\nThe body.", "a-title.md")
>>> (a.format, a.title, a.date, a.slug, a.body)
('web', 'A Title', '2024-03-04', 'a-title', 'The body.')
"""
from __future__ import annotations

from .reader import (DEFAULT_MAX_BYTES, ArticleError, clean_inline, decode_article, parse_article,
                     person_name, read_article)

__all__ = ["ArticleError", "read_article", "parse_article", "decode_article", "clean_inline", "person_name",
           "DEFAULT_MAX_BYTES"]
