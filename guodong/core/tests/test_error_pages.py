"""Users meet Chinese error pages in the site's layout, never Django's English debug pages.

Debug is off unless a developer asks for it (`DEBUG=1 make run`), so a mistyped address shows
"没有这个页面" with a way back, not the project's URL patterns; a crash shows a Chinese 500 page,
not a traceback. The API keeps answering its errors in JSON.
"""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import path

from guodong import urls as project_urls
from guodong.accounts.models import User
from guodong.core import errors

ROOT = Path(__file__).resolve().parents[3]

# What Django's technical pages show, in English: none of it may reach a user.
DEBUG_MARKS = (
    "Using the URLconf",
    "Traceback",
    "Request Method",
    "Django settings",
    "CSRF verification failed",
)


def _raise_permission(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def _raise_suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a malformed request")


def _crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a view")


# This module is the URLconf of the tests below: the project's routes and handlers, plus views
# that fail on purpose.
urlpatterns = [
    path("broken/forbidden/", _raise_permission),
    path("broken/bad/", _raise_suspicious),
    path("broken/crash/", _crash),
    path("api/v1/broken/crash/", _crash),
    *project_urls.urlpatterns,
]
handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500

with_broken_views = override_settings(ROOT_URLCONF=__name__, DEBUG=False)


def _assert_chinese_error_page(html: str, heading: str) -> None:
    assert heading in html
    assert "返回首页" in html  # the way back
    for mark in DEBUG_MARKS:
        assert mark not in html
    assert "api/v1/" not in html and "<class " not in html


def test_missing_page_is_chinese_and_shows_no_url_patterns(city_staff: User) -> None:
    client = Client()
    client.force_login(city_staff)
    with override_settings(DEBUG=False):
        response = client.get("/registry/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    _assert_chinese_error_page(html, "没有这个页面或记录")
    # Django's debug 404 lists every pattern: "holdings/<int:pk>/ [name='holding_detail']".
    assert "int:pk" not in html and "[name=" not in html


def test_missing_record_of_a_page_is_chinese_for_a_visitor(db: None) -> None:
    with override_settings(DEBUG=False):
        response = Client().get("/no-such-page/")
    assert response.status_code == 404
    _assert_chinese_error_page(response.content.decode(), "没有这个页面或记录")


def test_api_errors_stay_json(city_staff: User) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(city_staff)
    with with_broken_views:
        missing = client.get("/api/v1/no-such-endpoint/")
        crash = client.get("/api/v1/broken/crash/")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "没有这个页面或记录。"}
    assert crash.status_code == 500
    assert "服务器" in crash.json()["detail"]


def test_forbidden_page_is_chinese(reporter: User) -> None:
    client = Client()
    client.force_login(reporter)
    with with_broken_views:
        response = client.get("/broken/forbidden/")
    assert response.status_code == 403
    _assert_chinese_error_page(response.content.decode(), "您的角色无权执行此操作")


def test_bad_request_page_is_chinese(city_staff: User) -> None:
    client = Client()
    client.force_login(city_staff)
    with with_broken_views:
        response = client.get("/broken/bad/")
    assert response.status_code == 400
    html = response.content.decode()
    _assert_chinese_error_page(html, "无法处理这个请求")
    assert "malformed" not in html


def test_crash_shows_chinese_server_error_page_without_traceback(city_staff: User) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(city_staff)
    with with_broken_views:
        response = client.get("/broken/crash/")
    assert response.status_code == 500
    html = response.content.decode()
    _assert_chinese_error_page(html, "服务器暂时无法完成这个请求")
    assert "RuntimeError" not in html and "a bug in a view" not in html


def test_server_error_page_needs_no_database() -> None:
    """No `db` fixture: any query while rendering would fail this test. The page is what
    users see when the database itself is down."""
    request = RequestFactory().get("/anything/")
    response = errors.server_error(request)
    assert response.status_code == 500
    _assert_chinese_error_page(response.content.decode(), "服务器暂时无法完成这个请求")


def test_expired_form_is_a_chinese_403_with_a_way_back(db: None) -> None:
    client = Client(enforce_csrf_checks=True)
    with override_settings(DEBUG=False):
        response = client.post("/login/", {"username": "reporter", "password": "x"})
    assert response.status_code == 403
    _assert_chinese_error_page(response.content.decode(), "表单已过期")


def test_debug_is_off_unless_asked_for() -> None:
    """The settings, read fresh with GUODONG_DEBUG unset, leave debug off."""
    env = {k: v for k, v in os.environ.items() if k not in ("GUODONG_DEBUG", "GUODONG_ENV")}
    code = "import guodong.settings as s; print(s.DEBUG, '127.0.0.1' in s.ALLOWED_HOSTS)"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "True"]
    env["GUODONG_DEBUG"] = "1"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["True", "True"]


def _runserver_args() -> list[str]:
    """The arguments `make run` gives runserver, read from the Makefile's run target."""
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^DEBUG \?= \$\(or \$\(GUODONG_DEBUG\),0\)$", makefile, re.M)
    line = next(line for line in makefile.splitlines() if "manage.py runserver" in line)
    assert "GUODONG_DEBUG=$(DEBUG)" in line
    return shlex.split(line.split("manage.py runserver", 1)[1])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_make_run_serves_chinese_404_and_static_files(tmp_path: Path) -> None:
    """Start the server as `make run` does (its flags read from the Makefile), with
    GUODONG_DEBUG unset, on a free port; a missing page is the Chinese 404 and the stylesheet
    is still served."""
    port = _free_port()
    args = [a.replace("$(PORT)", str(port)) for a in _runserver_args()]
    assert "--insecure" in args
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("GUODONG_DEBUG", "GUODONG_ENV", "DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env["GUODONG_VAR_DIR"] = str(tmp_path)  # its own SQLite file and secret key
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):  # wait until it listens (or fails to start)
            if server.poll() is not None:
                pytest.fail(f"runserver exited: {server.stderr.read() if server.stderr else ''}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        status, html = _get(f"{base}/no-such-page/")
        assert status == 404
        _assert_chinese_error_page(html, "没有这个页面或记录")
        status, css = _get(f"{base}/static/css/guodong.css")
        assert status == 200 and "bg-guodong" in css
    finally:
        server.terminate()
        server.wait(timeout=20)
