"""Strip HTML from chat content, the way a careful chat server would.

Chat content is hostile by nature. The demo server keeps the text of a
message and drops its markup: tags disappear, the contents of ``<script>`` and
``<style>`` elements disappear entirely, and entities stay exactly as written
(``&amp;`` stays ``&amp;``), so what a client sends is what others see, minus
the tags.
"""

from __future__ import annotations

from html.parser import HTMLParser

__all__ = ["strip_html"]

# Elements whose text is code, not content.
_HIDDEN = frozenset({"script", "style"})

# Private-use code points, candidates to stand in for "&" while parsing.
_PRIVATE_USE = (*range(0xE000, 0xF900), *range(0xF0000, 0xFFFFE))


class _TextCollector(HTMLParser):
    """An HTML parser that keeps the visible text and nothing else."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN and self._hidden_depth:
            self._hidden_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self.chunks.append(data)


def strip_html(text: str) -> str:
    """Return ``text`` without tags, comments, scripts or styles.

    >>> strip_html("<b>hi</b> there")
    'hi there'
    >>> strip_html("<script>alert(1)</script>ok")
    'ok'
    >>> strip_html("fish &amp; chips")
    'fish &amp; chips'
    """
    if "<" not in text:
        return text  # the common case: nothing to strip, nothing to parse
    # html.parser decodes entities, but they must stay as written. So "&" is
    # swapped for a code point absent from the text while parsing, then back.
    stand_in = _unused_code_point(text)
    parser = _TextCollector()
    parser.feed(text.replace("&", stand_in) if stand_in else text)
    parser.close()
    stripped = "".join(parser.chunks)
    return stripped.replace(stand_in, "&") if stand_in else stripped


def _unused_code_point(text: str) -> str:
    """Return a private-use character absent from ``text``, or "" if it holds them all."""
    if chr(_PRIVATE_USE[0]) not in text:
        return chr(_PRIVATE_USE[0])
    used = set(text)
    return next((chr(cp) for cp in _PRIVATE_USE if chr(cp) not in used), "")
