import re
from .test_sessions import PASSWORD, _csrf_token, user  # noqa

def test_dbg(app, user, shared_db):
    c = app.client
    t = _csrf_token(c)
    print("TOKEN", t[:20], c.get_cookie("ckan", domain="test.ckan.net"), [ck.domain for ck in c._cookies.values()] if hasattr(c, "_cookies") else None)
    r = c.post("/user/login", data={"login": user["name"], "password": PASSWORD, "_csrf_token": t})
    body = r.get_data(as_text=True)
    print("STATUS", r.status_code, r.headers.getlist("Set-Cookie"))
    i = body.find('class="flash-messages"'); print(body[i-200:i+800])
