"""A small CSS inliner for our own email template: mail clients drop ``<style>``, so each
rule of ``<style data-inline>`` becomes a ``style`` attribute on the elements it matches.

Deliberately small: selectors are ``tag``, ``.class`` or ``tag.class`` (comma lists allowed);
a more specific rule wins over a less specific one, and an element's own ``style`` wins over
both. Anything else (``@media``, combinators) belongs in an ordinary ``<style>`` block, which
is left as it is.
"""

from __future__ import annotations

import re

_BLOCK = re.compile(r"<style data-inline>(.*?)</style>\s*", re.S)
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_SELECTOR = re.compile(r"^([a-z][a-z0-9]*)?(?:\.([A-Za-z0-9_-]+))?$")
_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)(\s[^<>]*?)?(/?)>")
_ATTR = re.compile(r'\s([a-zA-Z-]+)="([^"]*)"')

Rule = tuple[int, str | None, str | None, str]
"""(specificity, tag, class, declarations)."""


def parse_rules(css: str) -> list[Rule]:
    """The rules of ``css``, least specific first; ``ValueError`` on a selector we cannot do."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules: list[Rule] = []
    for selectors, body in _RULE.findall(css):
        declarations = "; ".join(d.strip() for d in body.split(";") if d.strip())
        for selector in selectors.split(","):
            m = _SELECTOR.match(selector.strip())
            if not m or not any(m.groups()):
                raise ValueError(f"inline CSS: unsupported selector {selector.strip()!r}")
            tag, cls = m.groups()
            rules.append(((cls is not None) * 10 + (tag is not None), tag, cls, declarations))
    return sorted(rules, key=lambda r: r[0])


def inline_css(html: str) -> str:
    """``html`` with its ``<style data-inline>`` rules moved onto the matching elements."""
    rules = [r for block in _BLOCK.findall(html) for r in parse_rules(block)]
    html = _BLOCK.sub("", html)

    def style(match: re.Match[str]) -> str:
        tag, attrs, close = match.group(1).lower(), match.group(2) or "", match.group(3)
        values = dict(_ATTR.findall(attrs))
        classes = set(values.get("class", "").split())
        found = [
            d for _, t, c, d in rules if (t is None or t == tag) and (c is None or c in classes)
        ]
        if not found:
            return match.group(0)
        own = values.get("style")
        merged = "; ".join([*found, *([own] if own else [])])
        attrs = re.sub(r'\sstyle="[^"]*"', "", attrs)
        return f'<{match.group(1)}{attrs} style="{merged}"{close}>'

    return _TAG.sub(style, html)
