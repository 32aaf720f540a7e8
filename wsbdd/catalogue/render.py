"""The step catalogue as Markdown and as one standalone HTML page (no links out, opens offline)."""

from __future__ import annotations

import html
import re

from wsbdd.catalogue import Entry, Section

__all__ = ["markdown", "html_page"]

INTRO = (
    "Every step a feature file can use, grouped by purpose. Words in braces are yours "
    "to fill in: {client} is a client's name (Alice), {conditions} is one or more checks "
    'such as $.type is "chat", {json} is a JSON object, [square brackets] are optional. '
    "Each example is taken from a feature that runs in CI."
)


def _anchor(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _md_entry(entry: Entry) -> list[str]:
    out = [f"### `{entry.text}`", "", f"*{entry.keywords}* — {entry.meaning or '(no description)'}"]
    if entry.also:
        out += ["", f"Also for a group: `{entry.also}`"]
    out.append("")
    if entry.example is not None:
        out += ["```gherkin", *entry.example.lines(), "```"]
        out.append(f"<sub>from {entry.example.file}:{entry.example.line}</sub>")
    else:
        out.append("*(No feature uses this step yet.)*")
    if entry.source not in ("built-in",):
        out += ["", f"<sub>defined in {entry.source}</sub>"]
    out.append("")
    return out


def markdown(sections: list[Section]) -> str:
    """The catalogue as a Markdown document."""
    out = ["# Steps", "", INTRO, ""]
    for section in sections:
        out.append(f"- [{section.title}](#{_anchor(section.title)}) ({len(section.entries)})")
    out.append("")
    for section in sections:
        out += [f"## {section.title}", ""]
        if section.intro:
            out += [section.intro, ""]
        for entry in section.entries:
            out += _md_entry(entry)
    return "\n".join(out).rstrip() + "\n"


_STYLE = """
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1d2330;
background:#f6f7fb}
header{background:#22304a;color:#fff;padding:20px 32px}header h1{margin:0 0 6px;font-size:24px}
header p{margin:0;max-width:70em;color:#d5def0}
main{padding:16px 32px 48px;max-width:1100px}
nav a{margin-right:14px;color:#22304a}
input{font:inherit;padding:6px 10px;width:24em;margin:12px 0;border:1px solid #b9c2d6;
border-radius:6px}
h2{margin:28px 0 4px;border-bottom:2px solid #d9deea;padding-bottom:4px}
.intro{color:#4b5568;margin:4px 0 12px}
.step{background:#fff;border:1px solid #dde2ee;border-radius:8px;padding:10px 14px;margin:10px 0}
.step code.text{font-size:15px;font-weight:600;color:#12306b}
.kw{display:inline-block;font-size:12px;background:#e8eefc;color:#22304a;border-radius:4px;
padding:0 6px;margin-right:8px}
.meaning{margin:4px 0}
pre{background:#f3f5fa;border-radius:6px;padding:8px 10px;margin:6px 0 2px;overflow-x:auto}
.src{font-size:12px;color:#6b7385}
.none{font-size:13px;color:#8a6d00}
"""

_SCRIPT = """
document.getElementById('q').addEventListener('input', function (e) {
  var words = e.target.value.toLowerCase().split(/\\s+/).filter(Boolean);
  document.querySelectorAll('.step').forEach(function (el) {
    var text = el.textContent.toLowerCase();
    el.style.display = words.every(function (w) { return text.indexOf(w) >= 0; }) ? '' : 'none';
  });
});
"""


def _html_entry(entry: Entry) -> str:
    esc = html.escape
    parts = [
        '<div class="step">',
        f'<span class="kw">{esc(entry.keywords)}</span><code class="text">{esc(entry.text)}</code>',
        f'<p class="meaning">{esc(entry.meaning or "(no description)")}</p>',
    ]
    if entry.also:
        parts.append(f'<p class="src">Also for a group: <code>{esc(entry.also)}</code></p>')
    if entry.example is not None:
        parts.append(f"<pre>{esc(chr(10).join(entry.example.lines()))}</pre>")
        where = f"{entry.example.file}:{entry.example.line}"
        parts.append(f'<div class="src">from {esc(where)}</div>')
    else:
        parts.append('<div class="none">No feature uses this step yet.</div>')
    if entry.source != "built-in":
        parts.append(f'<div class="src">defined in {esc(entry.source)}</div>')
    parts.append("</div>")
    return "\n".join(parts)


def html_page(sections: list[Section], title: str = "wsbdd steps") -> str:
    """The catalogue as one self-contained HTML page (inline style and script, all escaped)."""
    esc = html.escape
    nav = " ".join(
        f'<a href="#{_anchor(s.title)}">{esc(s.title)} ({len(s.entries)})</a>' for s in sections
    )
    body = []
    for section in sections:
        body.append(f'<h2 id="{_anchor(section.title)}">{esc(section.title)}</h2>')
        if section.intro:
            body.append(f'<p class="intro">{esc(section.intro)}</p>')
        body.extend(_html_entry(entry) for entry in section.entries)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{_STYLE}</style></head><body>"
        f"<header><h1>{esc(title)}</h1><p>{esc(INTRO)}</p></header><main>"
        f"<nav>{nav}</nav>"
        '<input id="q" type="search" placeholder="Find a step: receives, group, room…" '
        'aria-label="Find a step">'
        + "\n".join(body)
        + f"</main><script>{_SCRIPT}</script></body></html>\n"
    )
