"""Users, roles, sign-in security and API tokens."""

import hashlib
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from conftest import client_for
from guodong.accounts.choices import Role
from guodong.accounts.models import User
from guodong.accounts.services import create_user, update_user
from guodong.demo.seed import DEMO_PASSWORD
from guodong.orgs.models import Organization

pytestmark = pytest.mark.django_db


def _org(name):
    return Organization.objects.get(name=name)


def test_passwords_are_hashed_with_argon2(city_staff):
    assert city_staff.password.startswith("argon2")


def test_sign_in_lands_on_the_chinese_home_page():
    client = Client()
    response = client.post(
        "/login/", {"username": "nanhu_staff", "password": DEMO_PASSWORD}, follow=True
    )
    page = response.content.decode()
    assert "管辖范围：南湖区" in page
    assert "现行行政区划" in page


def test_english_is_available(nanhu_staff):
    client = client_for(nanhu_staff)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Jurisdiction: 南湖区" in client.get("/").content.decode()


def test_repeated_failures_lock_the_account():
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "auditor", "password": "wrong"})
    response = client.post("/login/", {"username": "auditor", "password": DEMO_PASSWORD})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    token = client.post(
        "/api/v1/auth/token/",
        {"username": "auditor", "password": DEMO_PASSWORD},
        content_type="application/json",
    )
    assert token.status_code == 429
    assert "登录失败次数过多" in token.json()["detail"]


def test_token_auth_for_the_api():
    client = Client()
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "nanhu_staff", "password": DEMO_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    token = response.json()["token"]
    api = Client(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/organizations/").status_code == 200
    bad = client.post(
        "/api/v1/auth/token/",
        {"username": "nanhu_staff", "password": "nope"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "non_field_errors" in bad.json()
    missing = client.post("/api/v1/auth/token/", {}, content_type="application/json")
    assert set(missing.json()) == {"username", "password"}


def test_admin_creates_a_user_below_and_it_is_logged(admin_user):
    user = create_user(
        admin_user,
        {
            "username": "daqiao_staff",
            "display_name": "周大桥",
            "role": Role.STAFF,
            "organization": _org("大桥镇国防动员工作站"),
        },
        password="Str0ng-Passw0rd!",
    )
    assert user.jurisdiction_path == _org("大桥镇国防动员工作站").division.path
    from guodong.core.models import Event

    event = Event.objects.get(object_type="accounts.user", object_id=str(user.pk))
    assert event.after is not None and "password" not in event.after


def test_a_user_without_an_organization_is_refused(admin_user):
    with pytest.raises(ValidationError) as error:
        create_user(
            admin_user, {"username": "floating", "role": Role.STAFF}, password="Str0ng-Passw0rd!"
        )
    assert "organization" in error.value.message_dict
    response = client_for(admin_user).post(
        "/api/v1/users/",
        {"username": "floating", "role": "staff", "password": "Str0ng-Passw0rd!"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "organization" in response.json()
    assert not User.objects.filter(username="floating").exists()


def test_weak_password_is_refused_with_the_field_named(admin_user):
    response = client_for(admin_user).post(
        "/api/v1/users/",
        {
            "username": "weak",
            "role": "staff",
            "password": "123",
            "organization": _org("南湖区国防动员办公室").pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "password" in response.json()


def test_only_administrators_manage_users(city_staff):
    with pytest.raises(PermissionDenied):
        create_user(
            city_staff,
            {"username": "x1", "role": Role.STAFF, "organization": _org("南湖区国防动员办公室")},
            password="Str0ng-Passw0rd!",
        )
    assert client_for(city_staff).get("/users/add/").status_code == 403


def test_admin_cannot_raise_themselves_or_a_peer(admin_user):
    with pytest.raises(PermissionDenied):
        update_user(admin_user, admin_user, {"role": Role.STAFF})
    with pytest.raises(ValidationError):
        create_user(
            admin_user,
            {
                "username": "admin2",
                "role": Role.ADMIN,
                "organization": _org("嘉兴市国防动员办公室"),
            },
            password="Str0ng-Passw0rd!",
        )
    assert not User.objects.filter(username="admin2").exists()


def test_district_admin_cannot_manage_another_district(admin_user):
    district_admin = create_user(
        admin_user,
        {
            "username": "nanhu_admin",
            "role": Role.ADMIN,
            "organization": _org("南湖区国防动员办公室"),
        },
        password="Str0ng-Passw0rd!",
    )
    xiuzhou = User.objects.get(username="xiuzhou_staff")
    response = client_for(district_admin).patch(
        f"/api/v1/users/{xiuzhou.pk}/", {"role": "auditor"}, content_type="application/json"
    )
    assert response.status_code == 404
    with pytest.raises(ValidationError):
        create_user(
            district_admin,
            {"username": "x2", "role": Role.STAFF, "organization": _org("秀洲区国防动员办公室")},
            password="Str0ng-Passw0rd!",
        )


def test_user_form_shows_chinese_errors(admin_user):
    response = client_for(admin_user).post("/users/add/", {"username": "", "role": "staff"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "该字段是必填项" in page


def test_deploy_check_is_clean_in_production_settings(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "GUODONG_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "guodong.settings",
        "GUODONG_VAR_DIR": str(tmp_path),
        "GUODONG_ALLOWED_HOSTS": "guodong.example.cn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "secret_key").exists(), "the key is generated into the local var dir"
    # No demo in production: its commands (which create users with a known password) are gone.
    demo = subprocess.run(
        [sys.executable, "manage.py", "load_demo"],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )
    assert demo.returncode != 0
    assert "Unknown command: 'load_demo'" in demo.stderr


def test_an_issued_api_token_is_logged_by_its_hash_never_its_key(reporter):
    from guodong.core.models import Event

    response = Client().post(
        "/api/v1/auth/token/", {"username": "reporter", "password": DEMO_PASSWORD}
    )
    key = response.json()["token"]
    event = Event.objects.get(action="user.issue_token", object_id=str(reporter.pk))
    assert event.after is not None
    assert event.after["token_sha256"] == hashlib.sha256(key.encode()).hexdigest()
    assert key not in json.dumps(event.after)
    Client().post("/api/v1/auth/token/", {"username": "reporter", "password": DEMO_PASSWORD})
    assert Event.objects.filter(action="user.issue_token").count() == 1, "issued once"
