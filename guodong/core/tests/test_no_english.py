"""No English reaches a user of the Chinese interface.

Every persona opens every HTML page it can reach without parameters and the detail pages of one
object it can see per registered route (the route registry of guodong/core/testing/routes.py);
the visible text, and the title / placeholder / aria-label / alt of elements and the value of
buttons, must hold no English word. Codes, URNs, units, product and standard names (EDXL-RM, CAP,
API, Excel, CSV, H3, …), usernames and the demo's own data are allowed.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db.models import QuerySet
from django.test import Client
from django.urls import NoReverseMatch, reverse

from conftest import _persona
from guodong.accounts.models import User
from guodong.core.testing.routes import DETAIL, LIST, PAGE, Route, registered
from guodong.divisions.models import Division

PERSONAS = ["city_staff", "nanhu_staff", "daqiao_grid", "reporter", "liaison", "auditor", "admin"]

# Names that stay as they are in a Chinese interface: standards, products, file formats, units.
ALLOWED = {
    "API", "CAP", "CSV", "EDXL", "EDXL-RM", "Excel", "H3", "ID", "JPEG", "JSON", "OpenAPI",
    "PDF", "PNG", "RM", "Token", "URN", "WebP", "WGS-84", "XML", "XLSX", "xlsx", "csv", "GB",
    "English",  # the language chooser names each language in itself
    "kg", "km", "m", "t", "kW", "kVA", "kWh", "h", "min",
    # The EDXL-RM message types the intake page asks for, by their standard names.
    "RequestResource", "RequisitionResource",
}  # fmt: skip
# Attributes whose text a user reads (or hears, from a screen reader).
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
BUTTON_VALUE = {"submit", "button", "reset"}
SKIPPED_ELEMENTS = {"script", "style", "template", "code", "pre"}
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.:/@+-]*")
# A command quoted for an administrator to type (`guodong audit checkpoint`) is code.
COMMAND = re.compile(r"`[^`]*`")
# Swagger UI is a third-party product page about the API itself.
SKIPPED_ROUTES = {"api_docs", "api_schema", "api-root"}


class VisibleText(HTMLParser):
    """The text a user sees or hears on a page, with the attribute it came from."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[tuple[str, str]] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in SKIPPED_ELEMENTS:
            self._skipping.append(tag)
        for name in READ_ATTRIBUTES:
            if values.get(name):
                self.parts.append((f"{tag}[{name}]", values[name] or ""))
        is_button = tag == "button" or (tag == "input" and values.get("type") in BUTTON_VALUE)
        if is_button and values.get("value"):
            self.parts.append((f"{tag}[value]", values["value"] or ""))

    def handle_endtag(self, tag: str) -> None:
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipping and data.strip():
            self.parts.append(("text", data.strip()))


def _is_english_word(token: str, names: set[str]) -> bool:
    token = token.rstrip(".:/-")
    if len(token) < 2 or token in ALLOWED or token in names:
        return False
    if any(ch.isdigit() for ch in token) or any(ch in token for ch in "._:/@+"):
        return False  # codes, URNs, file names, addresses, coordinates
    # Acronyms and type codes (EQP-PWR) are not words.
    return not token.replace("-", "").isupper()


def english_words(html: str, names: set[str]) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    found = []
    for where, text in parser.parts:
        words = [w for w in WORD.findall(COMMAND.sub("", text)) if _is_english_word(w, names)]
        if words:
            found.append(f"{where}: {' '.join(words)} — «{text[:80]}»")
    return found


def _demo_names() -> set[str]:
    """Usernames and the demo's own data in Latin letters: user pages show usernames, the
    division pages the pinyin initials one can search by (dqz for 大桥镇)."""
    names = set(User.objects.values_list("username", flat=True))
    names |= set(Division.objects.values_list("pinyin_initials", flat=True))
    return names


def _object_for(route: Route, user: User) -> Any:
    rows: QuerySet[Any] = route.visible_rows(user)
    if route.candidates is not None:
        rows = rows.filter(pk__in=route.candidates().values("pk"))
    return rows.order_by("pk").first()


def _urls(user: User) -> list[str]:
    urls = []
    for route in registered():
        if route.kind not in (LIST, PAGE, DETAIL) or route.name in SKIPPED_ROUTES:
            continue
        obj = None
        if route.kind == DETAIL:
            obj = _object_for(route, user)
            if obj is None:
                continue
        try:
            url = reverse(route.name, kwargs=route.url_kwargs(obj))
        except NoReverseMatch:
            continue
        if url.startswith("/api/"):
            continue
        urls.append(url + (f"?{route.query}" if route.query else ""))
    return sorted(set(urls))


@pytest.mark.parametrize("username", PERSONAS)
def test_no_english_word_on_any_page(username: str, dispatched_missions: list[Any]) -> None:
    user = _persona(username)
    client = Client()
    client.force_login(user)
    names = _demo_names()
    problems = []
    checked = 0
    for url in _urls(user):
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        checked += 1
        problems += [f"{url} {p}" for p in english_words(response.content.decode(), names)]
    assert checked >= 10, f"{username} reached only {checked} pages"
    assert not problems, f"English seen by {username}:\n" + "\n".join(problems)


def test_sign_in_page_has_no_english(db: None) -> None:
    html = Client().get(reverse("login")).content.decode()
    assert english_words(html, set()) == []


def test_the_check_sees_english() -> None:
    """The check itself: an English label, placeholder or button is caught; codes are not."""
    html = (
        '<label>Kind</label><input placeholder="Search"><button value="go" type="submit">'
        "提交</button><p>EDXL-RM CommitResource</p><p>EQP.PWR.GEN-M urn:x:1 30.7 km</p>"
        "<script>var english = 1;</script><p>运行 `guodong audit verify`</p>"
    )
    found = " ".join(english_words(html, set()))
    assert "Kind" in found and "Search" in found and "CommitResource" in found
    assert "EQP" not in found and "urn" not in found and "english" not in found
    assert "audit" not in found
