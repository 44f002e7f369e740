"""F10 of issue #16: login sessions (ckanext/osnabrueck/sessions.py).

Logins go through the login form as a browser sends it (CSRF token from the page); the
cookies are then replayed by fresh test clients, as an attacker holding a copy would."""
from __future__ import annotations

import re
import time
from http.cookies import SimpleCookie

import pytest

from ckan.lib.redis import connect_to_redis
from ckan.tests import factories

from ckanext.osnabrueck import sessions

PASSWORD = "Richtig-Passwort-2026"
SESSION, REMEMBER = "ckan", "remember_token"
THROTTLED = "Zu viele fehlgeschlagene Anmeldeversuche. Bitte versuchen Sie es in"

pytestmark = pytest.mark.usefixtures("no_login_failures")


@pytest.fixture
def no_login_failures():
    redis = connect_to_redis()
    for key in redis.scan_iter(f"{sessions.FAILURES}:*"):
        redis.delete(key)


@pytest.fixture
def user(shared_db) -> dict:
    return factories.User(password=PASSWORD)


def _csrf_token(client) -> str:
    page = client.get("/user/login").get_data(as_text=True)
    return re.search(r'name="_csrf_token"\s+value="([^"]+)"', page).group(1)


def log_in_form(client, login: str, password: str = PASSWORD, remember: bool = True, csrf: bool = True,
                address: str = "127.0.0.1"):
    """POST of the login form; returns the response (302 after a successful login)."""
    form = {"login": login, "password": password}
    if csrf:
        form["_csrf_token"] = _csrf_token(client)
    if remember:
        form["remember"] = "2592000000"
    return client.post("/user/login", data=form, environ_base={"REMOTE_ADDR": address}, follow_redirects=False)


def set_cookies(response) -> dict[str, str]:
    """name → whole Set-Cookie header of a response."""
    return {SimpleCookie(header).popitem()[0]: header for header in response.headers.getlist("Set-Cookie")}


def cookie_value(response, name: str) -> str:
    return SimpleCookie(set_cookies(response)[name])[name].value


def logged_in_as(app, **cookies) -> str:
    """Whom a fresh browser holding only these cookies is logged in as ("" if anonymous)."""
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value, domain="test.ckan.net")
    page = client.get("/about").get_data(as_text=True)
    match = re.search(r'<span class="username">\s*([^<]*?)\s*</span>', page)
    return match.group(1) if match else ""


def test_login_with_remember_me_works_through_either_cookie(app, user):
    response = log_in_form(app.client, user["name"])
    assert response.status_code == 302
    display = user["display_name"]
    assert logged_in_as(app, ckan=cookie_value(response, SESSION)) == display
    assert logged_in_as(app, remember_token=cookie_value(response, REMEMBER)) == display


def test_logout_revokes_the_session_and_the_remember_cookie(app, user):
    response = log_in_form(app.client, user["name"])
    session, remember = cookie_value(response, SESSION), cookie_value(response, REMEMBER)
    assert logged_in_as(app, ckan=session) == user["display_name"]
    app.client.get("/user/_logout")
    assert logged_in_as(app, ckan=session) == ""
    assert logged_in_as(app, remember_token=remember) == ""
    assert logged_in_as(app, ckan=session, remember_token=remember) == ""
    # The old cookies reach no page that needs a login either.
    client = app.test_client()
    client.set_cookie(SESSION, session, domain="test.ckan.net")
    client.set_cookie(REMEMBER, remember, domain="test.ckan.net")
    assert client.get("/dashboard/datasets", follow_redirects=False).status_code in (302, 403)


def test_each_login_gets_its_own_token_and_logout_ends_only_that_one(app, user):
    """A steward on a desktop and a phone: the second login leaves the first working; the
    phone's logout revokes the phone's cookies, not the desktop's."""
    desktop = cookie_value(log_in_form(app.test_client(), user["name"]), REMEMBER)
    phone_client = app.test_client()
    phone = cookie_value(log_in_form(phone_client, user["name"]), REMEMBER)
    assert desktop != phone
    assert logged_in_as(app, remember_token=desktop) == logged_in_as(app, remember_token=phone) == user["display_name"]
    phone_client.get("/user/_logout")
    assert logged_in_as(app, remember_token=phone) == ""
    assert logged_in_as(app, remember_token=desktop) == user["display_name"]


def test_only_the_newest_logins_are_kept(app, user):
    tokens = [cookie_value(log_in_form(app.test_client(), user["name"]), REMEMBER)
              for _ in range(sessions.MAX_SESSIONS + 1)]
    assert logged_in_as(app, remember_token=tokens[0]) == ""
    assert logged_in_as(app, remember_token=tokens[1]) == user["display_name"]


def test_no_login_outlives_the_remember_duration(app, user, monkeypatch):
    remember = cookie_value(log_in_form(app.test_client(), user["name"]), REMEMBER)
    later = time.time() + app.flask_app.config["REMEMBER_COOKIE_DURATION"] + 60
    monkeypatch.setattr(sessions.time, "time", lambda: later)
    assert logged_in_as(app, remember_token=remember) == ""


def test_a_refused_remember_cookie_is_deleted(app, user):
    remember = cookie_value(log_in_form(app.test_client(), user["name"]), REMEMBER)
    log_in_form(app.test_client(), user["name"])
    for _ in range(sessions.MAX_SESSIONS):  # later logins push the first one out
        log_in_form(app.test_client(), user["name"])
    client = app.test_client()
    client.set_cookie(REMEMBER, remember, domain="test.ckan.net")
    deleted = set_cookies(client.get("/about", follow_redirects=False))[REMEMBER]
    assert re.search(r"(?i)expires=Thu, 01 Jan 1970|max-age=0", deleted)


def test_a_session_without_a_login_token_is_anonymous(app, user):
    """A cookie with CKAN's plain user id (every session before this fix) is refused."""
    app.set_session_user(user["id"])
    cookie = app.client.get_cookie(SESSION, domain="localhost")
    assert logged_in_as(app, ckan=cookie.value) == ""


def test_cookies_are_samesite_lax_and_not_secure_locally(app, user):
    cookies = set_cookies(log_in_form(app.client, user["name"]))
    for name in (SESSION, REMEMBER):
        assert re.search(r"(?i);\s*SameSite=Lax\b", cookies[name]), cookies[name]
        assert re.search(r"(?i);\s*HttpOnly\b", cookies[name]), cookies[name]
        assert not re.search(r"(?i);\s*Secure\b", cookies[name]), cookies[name]
    # Without "remember me", the session cookie ends with the browser.
    assert not re.search(r"(?i)expires=", set_cookies(log_in_form(app.test_client(), user["name"],
                                                                  remember=False))[SESSION])


@pytest.mark.ckan_config("SESSION_COOKIE_SECURE", True)
@pytest.mark.ckan_config("REMEMBER_COOKIE_SECURE", True)
def test_cookies_are_secure_with_the_production_setting(app, user):
    cookies = set_cookies(log_in_form(app.client, user["name"]))
    for name in (SESSION, REMEMBER):
        assert re.search(r"(?i);\s*Secure\b", cookies[name]), cookies[name]
        assert re.search(r"(?i);\s*SameSite=Lax\b", cookies[name]), cookies[name]


def test_remember_me_is_not_ticked_in_the_login_form(app):
    page = app.get("/user/login").body
    checkbox = re.search(r'<input[^>]*id="field-remember"[^>]*>', page).group(0)
    assert "checked" not in checkbox
    # CKAN's label and German translation, connected to the box
    assert re.search(r'<label[^>]*for="field-remember"[^>]*>\s*<input[^>]*id="field-remember"[^>]*>\s*Passwort merken',
                     page)


def test_login_without_a_csrf_token_is_refused(app, user):
    response = log_in_form(app.client, user["name"], csrf=False)
    assert response.status_code == 400
    assert SESSION not in set_cookies(response) or logged_in_as(app, ckan=cookie_value(response, SESSION)) == ""
    assert REMEMBER not in set_cookies(response)
    # The same browser can still log in with the form's token.
    assert log_in_form(app.client, user["name"]).status_code == 302


def test_login_with_a_wrong_csrf_token_is_refused(app, user):
    client = app.test_client()
    _csrf_token(client)
    response = client.post("/user/login", data={"login": user["name"], "password": PASSWORD,
                                                "_csrf_token": "falsch"})
    assert response.status_code == 400 and REMEMBER not in set_cookies(response)


def _fail(client, login: str, times: int, address: str = "127.0.0.1") -> None:
    for _ in range(times):
        response = log_in_form(client, login, password="falsch", address=address)
        assert response.status_code == 200, response.status_code  # CKAN's "Login failed" page


def test_the_sixth_wrong_password_of_an_account_is_throttled(app, user):
    _fail(app.client, user["name"], 5)
    response = log_in_form(app.client, user["name"])  # the right password, too late
    assert response.status_code == 429
    assert THROTTLED in response.get_data(as_text=True)
    assert REMEMBER not in set_cookies(response)
    assert int(response.headers["Retry-After"]) > 0
    # By e-mail it is the same account; from another address, too.
    assert log_in_form(app.test_client(), user["email"], address="192.0.2.7").status_code == 429


def test_a_successful_login_resets_the_account_counter(app, user):
    _fail(app.client, user["name"], 4)
    assert log_in_form(app.test_client(), user["name"]).status_code == 302
    _fail(app.test_client(), user["name"], 4)
    assert log_in_form(app.test_client(), user["name"]).status_code == 302


@pytest.mark.ckan_config("ckanext.osnabrueck.login_window_seconds", 2)
def test_the_throttle_lifts_after_the_window(app, user):
    _fail(app.client, user["name"], 5)
    assert log_in_form(app.client, user["name"]).status_code == 429
    time.sleep(2.5)
    assert log_in_form(app.client, user["name"]).status_code == 302


@pytest.mark.ckan_config("ckanext.osnabrueck.login_failures_per_ip", 6)
def test_many_accounts_from_one_address_are_throttled_at_the_ip_limit(app, user):
    for victim in ("anna", "bernd", "carla"):
        _fail(app.test_client(), victim, 2, address="198.51.100.9")
    response = log_in_form(app.test_client(), user["name"], address="198.51.100.9")
    assert response.status_code == 429 and THROTTLED in response.get_data(as_text=True)
    # Another address is not affected.
    assert log_in_form(app.test_client(), user["name"], address="198.51.100.10").status_code == 302


def test_a_bad_remember_value_is_a_400_not_a_500(app, user):
    client = app.test_client()
    for value in ("ja", "9" * 30):
        response = client.post("/user/login", data={"login": user["name"], "password": PASSWORD,
                                                    "remember": value, "_csrf_token": _csrf_token(client)})
        assert response.status_code == 400
