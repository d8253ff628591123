"""The last gate of a report page: only known-harmless HTML, and a policy that runs nothing.

Everything a report prints from data (titles, partner names, labels, commentary, file
names) is escaped where it is inserted (:func:`pipeline.report.format.text` for Markdown,
:func:`pipeline.report.format.html_text` for HTML). This module is the defence behind
that, for an insertion point that was missed:

* :func:`sanitise` keeps only the elements and attributes of :data:`ELEMENTS` and
  :data:`ATTRIBUTES`; elements that can run code, load or submit anything
  (:data:`DROPPED`: ``script``, ``iframe``, ``object``, ``form``, ``svg``, a ``style``
  or ``meta`` outside the page's head...) go with their content, other unknown
  elements give way to their text; links may go to the page itself, files beside it,
  ``http(s)`` and ``mailto``; images only to embedded ``data:image/...`` (or files
  beside the page); a ``style`` attribute never loads anything (no ``url(``).
* :data:`CSP`, a Content-Security-Policy that every page and ``index.html`` carry in a
  ``<meta>``: no script, no frame, no form target and nothing from a network, so a
  payload that got through would still not run or load (images embedded as ``data:``
  URLs and the page's own inline styles still work).

A clean report passes unchanged: the allow-lists hold every element and attribute the
report templates and sections write (checked on the example's reports).
"""

from __future__ import annotations

import re

#: The page's Content-Security-Policy: nothing runs, nothing is fetched from a network.
CSP = "default-src 'none'; img-src data: 'self'; style-src 'unsafe-inline' 'self'; font-src data: 'self'; base-uri 'none'; form-action 'none'"
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'

#: Elements a report page may hold (text, tables, lists, headings, images, the page frame).
ELEMENTS = frozenset(
    "html head body title meta style main nav header footer section article aside div span p br hr "
    "h1 h2 h3 h4 h5 h6 a b strong i em u s small sub sup mark code kbd pre samp var abbr cite q dfn time "
    "blockquote ul ol li dl dt dd table caption thead tbody tfoot tr th td col colgroup "
    "img figure figcaption details summary del ins wbr".split()
)
#: Elements removed with everything inside them: they run code, load, embed or submit.
DROPPED = frozenset(
    "script noscript iframe frame frameset object embed applet param form input button textarea select option "
    "optgroup label fieldset legend datalist output link base svg math template audio video source track canvas "
    "portal dialog slot marquee xmp plaintext noembed noframes listing".split()
)
#: Attributes any element may carry, and those of particular elements.
COMMON = frozenset({"class", "id", "title", "lang", "dir", "role", "style", "data-mime-type", "hidden"})
ATTRIBUTES = {
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "headers", "align", "valign"},
    "th": {"colspan", "rowspan", "headers", "scope", "align", "valign"},
    "col": {"span", "width"},
    "colgroup": {"span", "width"},
    "table": {"border", "summary"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "meta": {"charset", "name", "content", "http-equiv"},
    "style": {"type", "media"},
    "time": {"datetime"},
    "details": {"open"},
    "q": {"cite"},
    "blockquote": {"cite"},
}
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*)\s*:")
_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,", re.IGNORECASE)
_UNSAFE_STYLE = re.compile(r"url\s*\(|expression\s*\(|@import|javascript:|\\|behavior\s*:|-moz-binding", re.IGNORECASE)
#: ``<meta>`` of the head that stay: the character set, the viewport and the policy.
_HEAD_META = {"viewport", "content-security-policy"}


def _link_ok(url: str) -> bool:
    """A link to this page, a file beside it, http(s) or mail: nothing that runs."""
    url = "".join(ch for ch in url if ch.isprintable() and not ch.isspace())
    scheme = _SCHEME.match(url)
    if scheme is None:
        return not url.startswith("//")  # a relative path or #anchor; not a network path
    return scheme.group(1).lower() in ("http", "https", "mailto")


def _image_ok(url: str) -> bool:
    """An embedded image, or a file beside the page (no network, no script)."""
    url = url.strip()
    if _DATA_IMAGE.match(url):
        return True
    return _SCHEME.match(url) is None and not url.startswith("//")


def _attribute_ok(tag, name: str, value) -> bool:
    name = name.lower()
    if name.startswith("on"):
        return False
    if name not in COMMON and name not in ATTRIBUTES.get(tag.name, ()) and not name.startswith("aria-"):
        return False
    text = " ".join(value) if isinstance(value, list) else str(value)
    if name == "href":
        return _link_ok(text)
    if name == "src":
        return _image_ok(text)
    if name in ("cite",):
        return _link_ok(text)
    if name == "style":
        return _UNSAFE_STYLE.search(text) is None
    return True


def _in_head(tag) -> bool:
    return any(p.name == "head" for p in tag.parents)


def sanitise(soup) -> list[str]:
    """Remove from a parsed page (BeautifulSoup) every element and attribute outside the
    allow-lists, in place. Returns what was removed (``"<iframe>"``, ``"img@onerror"``),
    so a test can tell whether escaping at the insertion points missed anything."""
    from bs4 import Comment, Declaration, Doctype, ProcessingInstruction

    removed: list[str] = []
    for node in list(soup.descendants):
        if isinstance(node, (ProcessingInstruction, Declaration)) and not isinstance(node, Doctype):
            node.extract()
            removed.append("<?...>")
        elif isinstance(node, Comment) and re.search(r"[<>]", str(node)):  # a comment that could close early
            node.extract()
            removed.append("<!--...-->")
    for tag in list(soup.find_all(True)):
        if getattr(tag, "decomposed", False):  # inside an element removed before
            continue
        name = (tag.name or "").lower()
        if name in DROPPED or ":" in name:
            removed.append(f"<{name}>")
            tag.decompose()
            continue
        if name in ("style", "title") and not _in_head(tag):
            removed.append(f"<{name}>")
            tag.decompose()
            continue
        if name == "meta":
            kind = str(tag.get("name") or tag.get("http-equiv") or "").lower()
            if not _in_head(tag) or (kind not in _HEAD_META and "charset" not in tag.attrs):
                removed.append("<meta>")
                tag.decompose()
                continue
        if name not in ELEMENTS:
            removed.append(f"<{name}>")
            tag.unwrap()
            continue
        for attr, value in list(tag.attrs.items()):
            if not _attribute_ok(tag, attr, value):
                removed.append(f"{name}@{attr}")
                del tag[attr]
    return removed


def add_policy(soup) -> None:
    """Put :data:`CSP` first in the page's head (after the character set), once."""
    head = soup.head
    if head is None:
        return
    for meta in head.find_all("meta"):
        if str(meta.get("http-equiv", "")).lower() == "content-security-policy":
            meta.decompose()
    policy = soup.new_tag("meta", attrs={"http-equiv": "Content-Security-Policy", "content": CSP})
    charset = head.find("meta", attrs={"charset": True})
    if charset is not None:
        charset.insert_after(policy)
    else:
        head.insert(0, policy)
