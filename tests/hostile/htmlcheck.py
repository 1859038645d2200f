"""Is this HTML safe? A small DOM from the stdlib parser, and the checks the suite runs.

Attributes are checked everywhere on the page (an escaping bug in any template
shows up as an attribute or element that should not exist); inside user-content
containers only the renderer's allowlist may appear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from forum.text import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "param",
    "source",
    "track",
    "wbr",
    "keygen",
    "frame",
    "isindex",
    "basefont",
    "bgsound",
}
# Never in a page from member content; the site itself uses none of them in <body>.
FORBIDDEN_TAGS = {
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "svg",
    "math",
    "base",
    "meta",
    "link",
    "style",
    "img",
    "image",
    "video",
    "audio",
    "source",
    "track",
    "template",
    "noscript",
    "xmp",
    "plaintext",
    "isindex",
    "marquee",
    "bgsound",
    "param",
    "portal",
    "layer",
    "ilayer",
    "xml",
    "import",
    "set",
    "animate",
    "handler",
    "listener",
    "picture",
    "canvas",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "srcset",
    "lowsrc",
    "dynsrc",
    "cite",
    "codebase",
    "manifest",
    "ping",
    "icon",
    "longdesc",
    "usemap",
    "archive",
    "classid",
    "profile",
    "datasrc",
    "from",
    "to",
    "values",
    "by",
    "folder",
}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:", "mocha:", "jar:", "feed:")
# Classes whose content comes from members (Markdown rendered by forum.text).
MARKDOWN_CONTAINERS = ("post__body", "guidelines__body", "search-result__snippet")
# Containers of member text with their own, narrower allowlist: a search snippet is
# escaped plain text whose matching words are wrapped in a bare <mark>.
CONTAINER_TAGS = {"search-result__snippet": frozenset({"mark"})}
SECTION_ID = re.compile(r"section-\d{1,2}")
_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]+")


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root
        self.duplicate_attributes: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = [name for name, _ in attrs]
        if len(names) != len(set(names)):
            self.duplicate_attributes.append(f"<{tag}> repeats an attribute: {names}")
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.current = self.current.parent or self.root

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html: str) -> Node:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    builder.root.duplicate_attributes = builder.duplicate_attributes  # type: ignore[attr-defined]
    return builder.root


def bad_url(value: str | None) -> bool:
    squeezed = _CONTROL.sub("", value or "").lower()
    return squeezed.startswith(BAD_SCHEMES)


def _in_head(node: Node) -> bool:
    return any(a.tag == "head" for a in node.ancestors())


def _in_markdown(node: Node) -> bool:
    return any(a.classes & set(MARKDOWN_CONTAINERS) for a in node.ancestors())


def _allowed_tags(node: Node) -> frozenset[str]:
    for ancestor in node.ancestors():
        for cls in ancestor.classes & CONTAINER_TAGS.keys():
            return CONTAINER_TAGS[cls]
    return ALLOWED_TAGS


def problems(html: str | bytes, *, fragment: bool = False) -> list[str]:
    """Everything unsafe in a page (or, with fragment=True, in rendered member HTML)."""
    if isinstance(html, bytes):
        html = html.decode("utf-8")
    root = parse(html)
    found = list(root.duplicate_attributes)
    for node in root.iter():
        where = "" if fragment else (" in member content" if _in_markdown(node) else "")
        for name, value in node.attrs.items():
            if name.startswith("on"):
                found.append(f"<{node.tag} {name}=...>{where}")
            elif name == "style":
                found.append(f"<{node.tag} style=...>{where}")
            elif (name in URL_ATTRIBUTES or name.endswith(":href")) and bad_url(value):
                found.append(f"<{node.tag} {name}={value!r}>{where}")
        if fragment or _in_markdown(node):
            if node.tag not in (ALLOWED_TAGS if fragment else _allowed_tags(node)):
                found.append(f"<{node.tag}> is not allowed in member content")
            extra = set(node.attrs) - set(ALLOWED_ATTRIBUTES.get(node.tag, ()))
            if node.tag == "h3" and SECTION_ID.fullmatch(node.attrs.get("id") or ""):
                extra.discard("id")  # forum.moderation.guidelines' anchor, added after bleach
            if extra:
                found.append(f"<{node.tag}> has attributes {sorted(extra)} in member content")
            if node.tag == "form":
                found.append("<form> in member content")
            continue
        if node.tag in ("meta", "link") and _in_head(node):
            continue
        if node.tag == "script":
            src = node.attrs.get("src") or ""
            if src.startswith("/static/") and not node.text().strip():
                continue  # the site's own script file
            found.append(f"<script src={src!r}>{node.text()[:60]!r}")
        elif node.tag == "img" and (node.attrs.get("src") or "").startswith("/static/"):
            continue  # the site's own logo; member content can't point at /static/ files
        elif node.tag in FORBIDDEN_TAGS:
            found.append(f"<{node.tag}> in the page")
        elif node.tag == "form":
            action = node.attrs.get("action")
            if action is not None and not (action.startswith("/") and not action.startswith("//")):
                found.append(f"<form action={action!r}> leaves the site")
    return found


def find(html: str | bytes, tag: str | None = None, cls: str | None = None, **attrs) -> list[Node]:
    """Elements by tag, class and exact attribute values."""
    if isinstance(html, bytes):
        html = html.decode("utf-8")
    return [
        n
        for n in parse(html).iter()
        if (tag is None or n.tag == tag)
        and (cls is None or cls in n.classes)
        and all(n.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())
    ]


def textarea_value(html: str | bytes, name: str) -> str | None:
    """A textarea's text as a browser loads it (one newline right after the tag is dropped)."""
    nodes = find(html, "textarea", name=name)
    if not nodes:
        return None
    raw = "".join(c for c in nodes[0].children if isinstance(c, str))
    if any(isinstance(c, Node) for c in nodes[0].children):
        return None  # markup inside a textarea: the text was not escaped
    for newline in ("\r\n", "\n"):
        if raw.startswith(newline):
            return raw[len(newline) :]
    return raw


def input_value(html: str | bytes, name: str) -> str | None:
    nodes = find(html, "input", name=name)
    return nodes[0].attrs.get("value") if nodes else None


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str]  # name -> default value
    text_fields: list[str]  # names a member can type into (text, hidden, textarea, select...)


def forms(html: str | bytes, page_url: str) -> list[Form]:
    """The forms on a page, with the values a browser would send by default."""
    found = []
    for node in find(html, "form"):
        fields: dict[str, str] = {}
        typed: list[str] = []
        for element in node.iter():
            name = element.attrs.get("name")
            if not name:
                continue
            kind = (element.attrs.get("type") or "text").lower()
            if element.tag == "input" and kind in ("checkbox", "radio"):
                if "checked" in element.attrs:
                    fields[name] = element.attrs.get("value") or "on"
                typed.append(name)
            elif element.tag == "input" and kind not in (
                "submit",
                "button",
                "image",
                "file",
                "reset",
            ):
                fields[name] = element.attrs.get("value") or ""
                typed.append(name)
            elif element.tag == "textarea":
                fields[name] = element.text().removeprefix("\r\n").removeprefix("\n")
                typed.append(name)
            elif element.tag == "select":
                options = [o for o in element.iter() if o.tag == "option"]
                chosen = [o for o in options if "selected" in o.attrs] or options[:1]
                if chosen:
                    fields[name] = chosen[0].attrs.get("value", chosen[0].text())
                typed.append(name)
        found.append(
            Form(
                node.attrs.get("action") or page_url,
                (node.attrs.get("method") or "get").lower(),
                fields,
                typed,
            )
        )
    return found
