"""The form-coverage gate: which URL names accept a POST, and which of them the browser really submitted.

Every tested form was once a form whose tests posted hand-built dicts; the forms themselves sent other field
names. So every POST endpoint must be submitted at least once from a page in Chromium. What "every POST
endpoint" means is found mechanically, from two independent sources, so that a new form cannot be missed:

1. the templates: every `<form method="post">` (and every `hx-post` / `formaction`). Its target is the
   `{% url 'name' %}` in its action; a form without an action posts to the page that rendered it, so its
   targets are the URL names whose views render that template (or a template that includes it);
2. the URL patterns: every class-based view that has a `post` method (and allows it), and every function
   view whose source reads `request.POST`, compares `request.method` with "POST" or is decorated with
   `require_POST` / `require_http_methods([... "POST" ...])`.

A URL name found by either source must be submitted by a browser test, unless it is listed in EXEMPT with
the reason why no page can submit it. The browser tests' POSTs are recorded by a listener on every browser
context (see conftest.py); the Django test client's posts never count.
"""

from __future__ import annotations

import inspect
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.views.generic import RedirectView

# URL name -> why no page of the portal can submit it (so no browser test can). Keep this short: a form
# staff can submit belongs in a browser test, not here.
EXEMPT: dict[str, str] = {}

FORM_TAG = re.compile(r"<form\b((?:[^>{]|\{\{.*?\}\}|\{%.*?%\}|\{)*)>", re.IGNORECASE | re.DOTALL)
POST_METHOD = re.compile(r"""\bmethod\s*=\s*["']?post\b""", re.IGNORECASE)
# An attribute's value may hold template tags with quotes of their own: action="{% url "name" %}".
_VALUE = r"""(?:"((?:\{%.*?%\}|\{\{.*?\}\}|[^"])*)"|'((?:\{%.*?%\}|\{\{.*?\}\}|[^'])*)')"""
ACTION = re.compile(r"(?<![-\w])action\s*=\s*" + _VALUE, re.IGNORECASE | re.DOTALL)
# Attributes that send a POST wherever they sit (a button's formaction inside a POST form, htmx posts).
POSTING_ATTRIBUTE = re.compile(r"(?<![-\w])(?:hx-post|formaction)\s*=\s*" + _VALUE, re.IGNORECASE | re.DOTALL)
URL_TAG = re.compile(r"""\{%\s*url\s+(["'])([^"']+)\1""")
INCLUDE_TAG = re.compile(r"""\{%\s*include\s+(["'])([^"']+)\1""")
TEMPLATE_LITERAL = re.compile(r"""["']([\w/.-]+\.html)["']""")
POST_IN_SOURCE = re.compile(
    r"""request\.POST\b|request\.method\s*[!=]=\s*["']POST["']|\brequire_POST\b"""
    r"""|require_http_methods\([^)]*["']POST["']"""
)


@dataclass
class PostTarget:
    """A URL name that accepts a POST, and where the evidence for it was found."""

    url_name: str
    templates: set[str] = field(default_factory=set)
    view: str = ""

    def where(self) -> str:
        if self.templates:
            return "form in " + ", ".join(sorted(self.templates))
        return f"no form in templates/ posts to it; its view {self.view} accepts POST"


def named_patterns(resolver=None, prefix: str = ""):
    """(URL name with its namespace, pattern) for every named URL pattern."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from named_patterns(pattern, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{prefix}{pattern.name}", pattern


def _view_label(callback) -> str:
    view = getattr(callback, "view_class", None) or inspect.unwrap(callback)
    return f"{view.__module__}.{view.__qualname__}"


def view_accepts_post(callback) -> bool:
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        allowed = getattr(callback, "view_initkwargs", {}).get(
            "http_method_names", view_class.http_method_names
        )
        # A RedirectView answers POST only by redirecting like GET: no form of ours sends data there.
        return ("post" in allowed and callable(getattr(view_class, "post", None))) and not issubclass(
            view_class, RedirectView
        )
    try:
        # getsource unwraps decorators but keeps their lines, so require_POST above the def is seen.
        source = inspect.getsource(callback)
    except (OSError, TypeError):
        return False
    return bool(POST_IN_SOURCE.search(source))


def class_methods_source(view_class) -> str:
    """The source of the methods a view class defines itself. inspect.getsource(class) parses the whole
    module with ast, which CPython 3.11.7 can fail with "AST constructor recursion depth mismatch" late in a
    long test session; the source of each function is read without ast."""
    parts = []
    for value in vars(view_class).values():
        if inspect.isfunction(value):
            try:
                parts.append(inspect.getsource(value))
            except (OSError, TypeError):
                continue
    return "\n".join(parts)


def templates_rendered_by(callback) -> set[str]:
    """Template names a view renders: a class view's template_name, or the literals in a function view."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        name = getattr(callback, "view_initkwargs", {}).get("template_name") or getattr(
            view_class, "template_name", None
        )
        found = {name} if name else set()
        found |= set(TEMPLATE_LITERAL.findall(class_methods_source(view_class)))
        return found
    try:
        return set(TEMPLATE_LITERAL.findall(inspect.getsource(callback)))
    except (OSError, TypeError):
        return set()


def template_files() -> dict[str, str]:
    """Template name -> its text, for the project's own templates (not Django's or third parties')."""
    texts = {}
    for directory in settings.TEMPLATES[0]["DIRS"]:
        root = Path(directory)
        for path in sorted(root.rglob("*.html")):
            texts[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8")
    return texts


@dataclass
class TemplateForms:
    # URL name -> templates holding a POST form whose action names it.
    named: dict[str, set[str]]
    # Templates holding a POST form without an action (it posts to the page that rendered it).
    self_posting: set[str]
    # (template, action) for POST forms whose target cannot be read (an action built from a variable).
    unreadable: list[tuple[str, str]]


def scan_templates(texts: dict[str, str]) -> TemplateForms:
    named: dict[str, set[str]] = defaultdict(set)
    self_posting: set[str] = set()
    unreadable: list[tuple[str, str]] = []
    for template, text in texts.items():
        for tag in FORM_TAG.finditer(text):
            attributes = tag.group(1)
            if not POST_METHOD.search(attributes):
                continue
            action = ACTION.search(attributes)
            target = (action.group(1) or action.group(2) or "").strip() if action else ""
            if target in ("", "."):
                self_posting.add(template)
            elif url := URL_TAG.search(target):
                named[url.group(2)].add(template)
            else:
                unreadable.append((template, target))
        for attribute in POSTING_ATTRIBUTE.finditer(text):
            if url := URL_TAG.search(attribute.group(1) or attribute.group(2) or ""):
                named[url.group(2)].add(template)
    return TemplateForms(named=dict(named), self_posting=self_posting, unreadable=unreadable)


def _including(texts: dict[str, str]) -> dict[str, set[str]]:
    """Template -> every template that includes it, directly or through other includes."""
    included_by: dict[str, set[str]] = defaultdict(set)
    for template, text in texts.items():
        for match in INCLUDE_TAG.finditer(text):
            included_by[match.group(2)].add(template)
    closure: dict[str, set[str]] = {}
    for template in texts:
        seen, todo = set(), [template]
        while todo:
            for parent in included_by.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        closure[template] = seen
    return closure


def discover_post_targets() -> dict[str, PostTarget]:
    """Every URL name that accepts a POST, with the templates holding its forms."""
    patterns = dict(named_patterns())
    texts = template_files()
    forms = scan_templates(texts)
    including = _including(texts)
    targets: dict[str, PostTarget] = {}

    def target(name: str) -> PostTarget:
        if name not in targets:
            pattern = patterns.get(name)
            targets[name] = PostTarget(name, view=_view_label(pattern.callback) if pattern else "?")
        return targets[name]

    for name, templates in forms.named.items():
        target(name).templates |= templates
    for name, pattern in patterns.items():
        rendered = templates_rendered_by(pattern.callback)
        for template in forms.self_posting:
            if rendered & ({template} | including[template]):
                target(name).templates.add(template)
        if view_accepts_post(pattern.callback):
            target(name)
    return targets


def unreadable_forms() -> list[tuple[str, str]]:
    return scan_templates(template_files()).unreadable


def required_url_names() -> dict[str, PostTarget]:
    return {name: found for name, found in discover_post_targets().items() if name not in EXEMPT}


def uncovered_report(posted: set[str]) -> list[str]:
    """One line per POST URL name no browser test submitted, naming where its form is."""
    required = required_url_names()
    return [f"{name}: {required[name].where()}" for name in sorted(set(required) - posted)]


def whole_directory_selected(
    *, test_files: set, selected_files: set, deselected: bool, collect_only: bool, stopped_early: bool
) -> bool:
    """True when every browser test file was collected and nothing deselected, run or stopped short."""
    return (
        bool(test_files)
        and test_files <= selected_files
        and not (deselected or collect_only or stopped_early)
    )
