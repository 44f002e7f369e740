"""Login sessions: revocable, rotating, CSRF-checked and throttled (issue #16, F10).

CKAN 2.12 keeps the login in Flask-Login's ``_user_id`` inside the signed ``ckan`` cookie,
and the "remember me" cookie is Flask-Login's HMAC of that same id. With CKAN's plain user
id, neither cookie ever changed nor expired on the server: logout only deleted them in the
browser, a copy kept working, and every login issued the same remember token.

* Rotation and revocation use Flask-Login's "alternative token" pattern: each login stores
  a fresh random token's SHA-256 in the user's ``plugin_extras`` and puts
  ``<user id>.<token>`` into the session as Flask-Login's user id, so the remember cookie
  (which Flask-Login derives from it) is new on every login. ``identify_user`` (CKAN's
  IAuthenticator hook of its user loader) accepts a session or remember cookie only while
  its token is stored; logout removes the token of that browser, which revokes both its
  cookies everywhere. A plain user id (a cookie from before this module) is refused.
* Several devices: a steward may be logged in on a desktop and a phone at once (a second
  login must not throw away a half-filled form on the first). Each login adds a token; at
  most ``MAX_SESSIONS`` are kept (the oldest goes first), and none outlives
  ``REMEMBER_COOKIE_DURATION``, whatever the browser keeps.
* CSRF: CKAN exempts every request without a logged-in user from Flask-WTF's check (see
  security.py), the login form included; ``guard_login`` checks the token itself.
* Throttling: failed logins are counted in Redis per account and per client address for a
  fixed window (``ckanext.osnabrueck.login_*``); when a counter is full, the login form
  answers 429 without checking the password until the window ends. The window bounds how
  long anyone can keep an account locked.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import secrets
import time

from flask import current_app, g, make_response, request, session
from flask_wtf.csrf import CSRFError

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.redis import connect_to_redis

EXTRAS_KEY = "osnabrueck_session"  # in User.plugin_extras: {SHA-256 of a token: issued (epoch s)}
MAX_SESSIONS = 5
SEPARATOR = "."  # not allowed in user names, so CKAN's User.get never resolves "<id>.<token>"
FAILURES = "osnabrueck:login-failures"
MAX_REMEMBER_DIGITS = 12  # CKAN's login view turns "remember" into milliseconds; more overflows


# --- the session token ------------------------------------------------------------------------

def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _tokens(user: model.User) -> dict[str, float]:
    """The user's live tokens (digest → time issued), expired ones left out."""
    stored = (user.plugin_extras or {}).get(EXTRAS_KEY)
    if not isinstance(stored, dict):
        return {}  # none, or the single token of an older version: logged in again
    oldest = time.time() - _lifetime()
    return {digest: issued for digest, issued in stored.items() if issued >= oldest}


def _lifetime() -> float:
    """Seconds a login lasts at most: the remember cookie's duration (Flask-Login: a year)."""
    duration = current_app.config.get("REMEMBER_COOKIE_DURATION") or dt.timedelta(days=365)
    return duration.total_seconds() if isinstance(duration, dt.timedelta) else float(duration)


def _store(user: model.User, tokens: dict[str, float]) -> None:
    extras = {key: value for key, value in (user.plugin_extras or {}).items() if key != EXTRAS_KEY}
    user.plugin_extras = {**extras, EXTRAS_KEY: tokens} if tokens else extras
    model.Session.commit()


def issue(user: model.User) -> str:
    """A new session token for the user, beside the ones of other devices (the oldest beyond
    ``MAX_SESSIONS`` are revoked); returns the session's user id ``<user id>.<token>``."""
    token = secrets.token_urlsafe(32)
    tokens = {**_tokens(user), _digest(token): time.time()}
    _store(user, dict(sorted(tokens.items(), key=lambda item: item[1])[-MAX_SESSIONS:]))
    return f"{user.id}{SEPARATOR}{token}"


def revoke(user: model.User, token: str | None = None) -> None:
    """Revoke one session token, or (None) every one of the user's."""
    tokens = _tokens(user)
    remaining = {digest: issued for digest, issued in tokens.items() if token and digest != _digest(token)}
    if remaining != (user.plugin_extras or {}).get(EXTRAS_KEY):
        _store(user, remaining)


def _session_user(session_id: str) -> model.User | None:
    user_id, separator, token = session_id.partition(SEPARATOR)
    if not separator or not token:
        return None
    user = model.User.get(user_id)
    digest = _digest(token)
    if user is None or not any(hmac.compare_digest(digest, stored) for stored in _tokens(user)):
        return None
    g.osnabrueck_session_token = token  # the one a logout in this request revokes
    return user


def _forget() -> None:
    """Drop a refused login from the session, and the remember cookie from the browser."""
    session.pop("_user_id", None)
    session.pop("_fresh", None)
    if current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies:
        session["_remember"] = "clear"  # Flask-Login deletes the cookie after the request


def identify_user(session_id: str | None):
    """IAuthenticator.identify_user: the user of a session or remember cookie whose token is
    current; anonymous otherwise (CKAN's fallback would accept any stored user id)."""
    if not session_id:
        return None  # no session: CKAN's API-token lookup
    if SEPARATOR in session_id and request.headers.get(tk.config.get("apitoken_header_name")):
        return None  # CKAN prefers the API token; its fallback cannot resolve "<id>.<token>"
    user = _session_user(session_id)
    if user is None:
        _forget()
        return model.AnonymousUser()
    return user


def _on_logged_in(sender, user, **kwargs) -> None:
    """Flask-Login has just put the plain user id into the session; replace it by a fresh
    token (the remember cookie is written from it after the request)."""
    session["_user_id"] = issue(user)
    if "_remember_seconds" in session:  # the form's value, at most the configured duration
        session["_remember_seconds"] = min(session["_remember_seconds"],
                                           current_app.config["REMEMBER_COOKIE_DURATION"])
    _redis().delete(_account_key(user.name))


def _on_logged_out(sender, user, **kwargs) -> None:
    # A "logout" authenticated by an API token ends no browser session: it revokes nothing.
    token = g.get("osnabrueck_session_token")
    if isinstance(user, model.User) and token and not g.get("login_via_auth_header"):
        revoke(user, token)


# --- the login form: CSRF and throttling --------------------------------------------------------

def _login_page(message: str, status: int, headers: dict | None = None):
    tk.h.flash_error(message)
    return make_response(tk.render("user/login.html", {}), status, headers or {})


def guard_login():
    """IAuthenticator.login, before CKAN's login view checks a password: a response refuses
    the attempt, None lets CKAN go on."""
    if request.method != "POST":
        return None
    try:
        current_app.extensions["csrf"].protect()
    except CSRFError:
        return _login_page(tk._("The login form has expired or did not come from this site. "
                                "Please try again."), 400)
    remember = request.form.get("remember")
    if remember and not (remember.isdigit() and len(remember) <= MAX_REMEMBER_DIGITS):
        return _login_page(tk._("Invalid value for \"Remember me\"."), 400)
    wait = throttled(request.form.get("login") or "")
    if wait:
        minutes = max(1, math.ceil(wait / 60))
        message = tk.ungettext(  # formats %(num)s itself
            "Too many failed login attempts. Please try again in %(num)s minute.",
            "Too many failed login attempts. Please try again in %(num)s minutes.", minutes)
        return _login_page(message, 429, {"Retry-After": str(wait)})
    return None


def _redis():
    return connect_to_redis()


def _account_key(login: str) -> str:
    """One counter per account, whether it is named by user name or e-mail; a login that
    names no account has its own (the answer must not reveal which accounts exist)."""
    login = login.strip()
    user = (model.User.by_name(login) or model.User.by_email(login)) if login else None
    account = user.id if user else login.lower()
    return f"{FAILURES}:account:{hashlib.sha256(account.encode()).hexdigest()}"


def _ip_key() -> str:
    # REMOTE_ADDR: behind nginx, ProxyFix (docker/wsgi_proxied.py) puts the client there;
    # a client-sent X-Forwarded-For is never trusted here.
    return f"{FAILURES}:ip:{request.remote_addr or 'unknown'}"


def _limits(login: str) -> list[tuple[str, int]]:
    return [(_account_key(login), tk.config.get("ckanext.osnabrueck.login_failures_per_account")),
            (_ip_key(), tk.config.get("ckanext.osnabrueck.login_failures_per_ip"))]


def throttled(login: str) -> int:
    """Seconds until the login may be tried again; 0 if it may now."""
    redis = _redis()
    waits = [max(redis.ttl(key), 1) for key, limit in _limits(login) if int(redis.get(key) or 0) >= limit]
    return max(waits, default=0)


def _on_failed_login(login, **kwargs) -> None:
    """CKAN's failed_login signal (a wrong name, e-mail or password)."""
    window = tk.config.get("ckanext.osnabrueck.login_window_seconds")
    with _redis().pipeline() as pipe:  # MULTI: a counter never exists without its expiry
        for key, _limit in _limits(login or ""):
            pipe.set(key, 0, ex=window, nx=True)
            pipe.incr(key)
        pipe.execute()


def signal_subscriptions() -> dict:
    """ISignal."""
    return {tk.signals.user_logged_in: [_on_logged_in],
            tk.signals.user_logged_out: [_on_logged_out],
            tk.signals.failed_login: [_on_failed_login]}
