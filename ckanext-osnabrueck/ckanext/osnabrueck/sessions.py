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
  its token is the user's current one; logout and the next login replace it, which
  revokes both cookies everywhere. A plain user id (a cookie from before this module) is
  refused. Consequence: one login per account at a time.
* CSRF: CKAN exempts every request without a logged-in user from Flask-WTF's check (see
  security.py), the login form included; ``guard_login`` checks the token itself.
* Throttling: failed logins are counted in Redis per account and per client address for a
  fixed window (``ckanext.osnabrueck.login_*``); when a counter is full, the login form
  answers 429 without checking the password until the window ends. The window bounds how
  long anyone can keep an account locked.
"""
from __future__ import annotations

import hashlib
import hmac
import math
import secrets

from flask import current_app, g, make_response, request, session
from flask_wtf.csrf import CSRFError

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.redis import connect_to_redis

EXTRAS_KEY = "osnabrueck_session"  # in User.plugin_extras: SHA-256 of the current token
SEPARATOR = "."  # not allowed in user names, so CKAN's User.get never resolves "<id>.<token>"
FAILURES = "osnabrueck:login-failures"
MAX_REMEMBER_DIGITS = 12  # CKAN's login view turns "remember" into milliseconds; more overflows


# --- the session token ------------------------------------------------------------------------

def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(user: model.User) -> str:
    """A new session token for the user, replacing (revoking) the previous one; returns the
    session's user id ``<user id>.<token>``."""
    token = secrets.token_urlsafe(32)
    user.plugin_extras = {**(user.plugin_extras or {}), EXTRAS_KEY: _digest(token)}
    model.Session.commit()
    return f"{user.id}{SEPARATOR}{token}"


def revoke(user: model.User) -> None:
    extras = dict(user.plugin_extras or {})
    if extras.pop(EXTRAS_KEY, None) is not None:
        user.plugin_extras = extras
        model.Session.commit()


def _session_user(session_id: str) -> model.User | None:
    user_id, separator, token = session_id.partition(SEPARATOR)
    if not separator or not token:
        return None
    user = model.User.get(user_id)
    stored = (user.plugin_extras or {}).get(EXTRAS_KEY) if user else None
    return user if stored and hmac.compare_digest(stored, _digest(token)) else None


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
    if isinstance(user, model.User) and not g.get("login_via_auth_header"):
        revoke(user)


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
