"""Editing in the browser, over a real ``kb serve``: signing in and out, CSRF, bad fields, stale forms.

Each test talks HTTP to the server on 127.0.0.1 as a browser would (URL-encoded forms, cookies)
and reads the store file afterwards to see what was, or was not, written.
"""

from __future__ import annotations

import html
import re
import shutil

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.deps import Tokens
from api.sessions import COOKIE, Sessions
from kb.store.sqlite import SQLiteStore
from tests.api.conftest import AUTH, READ_TOKEN, TOKENS, WRITE_TOKEN
from tests.api.server import kb_serve

NEED = "need:demo-mk-document-fraud"


@pytest.fixture(scope="module")
def served(seeded_file, tmp_path_factory):
    folder = tmp_path_factory.mktemp("forms")
    path = folder / "kb.sqlite"
    shutil.copy(seeded_file, path)
    log = folder / "server.log"
    with kb_serve(path, env={"KB_API_TOKENS": TOKENS}, log=log) as base:
        yield base, path, log


@pytest.fixture
def base(served):
    return served[0]


@pytest.fixture
def stored(served):
    with SQLiteStore(served[1]) as store:
        yield store


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page)
    assert found, f"no hidden field {name}"
    return html.unescape(found.group(1))


def sign_in(client: httpx.Client, token: str = WRITE_TOKEN) -> httpx.Response:
    form = client.get("/signin")
    return client.post("/signin", data={"csrf": hidden(form.text, "csrf"), "token": token, "next": "/"})


@pytest.fixture
def browser(base):
    with httpx.Client(base_url=base, follow_redirects=False, headers={"Accept": "text/html"}) as client:
        yield client


@pytest.fixture
def editor(browser):
    assert sign_in(browser).status_code == 303
    return browser


def csrf_of(client: httpx.Client, path: str) -> tuple[str, str]:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return hidden(page.text, "csrf"), page.text


def error_at(page: str, field: str) -> list[str]:
    return [
        html.unescape(m)
        for m in re.findall(rf'<p class="error" id="err-{re.escape(field)}">([^<]*)</p>', page)
    ]


# -- signing in and out ---------------------------------------------------------------------------
def test_signing_in_with_a_write_token_sets_an_httponly_samesite_session_cookie(browser):
    response = sign_in(browser)
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(COOKIE + "="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=" in cookie
    assert "Secure" not in cookie  # plain HTTP on loopback
    assert WRITE_TOKEN not in cookie


def test_signing_in_with_an_unknown_token_is_refused_and_makes_no_session(browser):
    response = sign_in(browser, token="not-a-token")
    assert response.status_code == 401
    assert "the token is not known to this server" in response.text
    assert COOKIE not in browser.cookies
    assert browser.get("/edit/new/need").status_code == 303


def test_without_a_session_the_forms_and_edit_links_are_not_shown(browser):
    response = browser.get("/edit/new/need")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/signin?next=")
    page = browser.get(f"/needs/{NEED}").text
    assert "/edit/" not in page and "New need" not in page and "Sign in" in page


def test_a_signed_in_page_shows_edit_links(editor):
    page = editor.get(f"/needs/{NEED}").text
    assert f'href="/edit/node/{NEED}"' in page
    assert 'href="/edit/new/need"' in page and "Sign out" in page


def test_signing_out_ends_the_session(editor):
    csrf, _ = csrf_of(editor, "/edit/new/need")
    response = editor.post("/signout", data={"csrf": csrf})
    assert response.status_code == 303
    assert COOKIE not in editor.cookies
    assert editor.get("/edit/new/need").status_code == 303


def test_a_forged_session_cookie_is_no_session(browser, base):
    browser.cookies.set(COOKIE, "eyJuIjogImFsaWNlIn0.AAAA", domain="127.0.0.1")
    assert browser.get("/edit/new/need").status_code == 303


# -- CSRF -----------------------------------------------------------------------------------------
def test_a_form_without_its_csrf_token_is_refused_403_logged_and_nothing_stored(editor, stored, served):
    before = stored.counts()
    response = editor.post("/edit/new/need", data={"name": "No token", "sources": "x"})
    assert response.status_code == 403
    assert "CSRF token is missing or wrong" in response.text
    assert stored.counts() == before
    assert "csrf refused: POST /edit/new/need (missing token)" in served[2].read_text()


def test_a_form_with_a_wrong_csrf_token_is_refused_403(editor, stored):
    before = stored.counts()
    response = editor.post("/edit/new/need", data={"csrf": "guessed", "name": "Wrong token", "sources": "x"})
    assert response.status_code == 403
    assert stored.counts() == before


def test_a_form_sent_without_a_session_is_refused_403(browser, stored):
    before = stored.counts()
    response = browser.post("/edit/new/need", data={"csrf": "x", "name": "Anonymous", "sources": "x"})
    assert response.status_code == 403
    assert stored.counts() == before


# -- bad input ------------------------------------------------------------------------------------
def test_a_bad_field_shows_the_form_again_with_the_problem_at_it_the_values_kept_and_nothing_stored(
    editor, stored
):
    csrf, _ = csrf_of(editor, "/edit/new/need")
    before = stored.counts()
    sent = {"csrf": csrf, "name": "Drina <b>checks</b>", "priority": "high", "sources": "web form"}
    response = editor.post(
        "/edit/new/need", data={**sent, "required_amount": "-5", "required_currency": "EUR"}
    )
    assert response.status_code == 422
    assert error_at(response.text, "required_amount") == ["Input should be greater than or equal to 0"]
    assert error_at(response.text, "name") == []
    assert 'value="Drina &lt;b&gt;checks&lt;/b&gt;"' in response.text  # kept, and escaped
    assert 'value="-5"' in response.text
    assert "Nothing was stored" in response.text
    assert stored.counts() == before


def test_a_field_problem_is_said_in_the_words_of_the_json_api(editor, base):
    csrf, _ = csrf_of(editor, "/edit/new/need")
    response = editor.post(
        "/edit/new/need",
        data={"csrf": csrf, "name": "Bad currency", "sources": "x", "required_currency": "EURO"},
    )
    (shown,) = error_at(response.text, "required_currency")
    api = httpx.post(
        base + "/api/batch",
        json={
            "nodes": [
                {"type": "Need", "id": "need:x", "name": "x", "sources": ["x"], "required_currency": "EURO"}
            ]
        },
        headers=AUTH,
    )
    assert api.status_code == 422 and api.json()["detail"].endswith(f"required_currency': {shown}")


def test_a_form_for_a_new_record_whose_id_is_taken_is_refused_and_the_stored_one_kept(editor, stored):
    csrf, _ = csrf_of(editor, "/edit/new/need")
    response = editor.post(
        "/edit/new/need", data={"csrf": csrf, "id": NEED, "name": "Overwritten?", "sources": "x"}
    )
    assert response.status_code == 409
    assert "exists already" in html.unescape(response.text)
    assert stored.get(NEED)["name"] != "Overwritten?"


def test_a_stale_form_is_refused_and_never_overwrites_the_newer_version(editor, stored, base):
    csrf, page = csrf_of(editor, f"/edit/node/{NEED}")
    version = hidden(page, "version")
    newer = {**stored.get(NEED), "description": "changed over the API meanwhile"}
    assert httpx.post(base + "/api/batch", json={"nodes": [newer]}, headers=AUTH).status_code == 200
    sent = {
        "csrf": csrf,
        "version": version,
        "name": "From the stale form",
        "priority": "low",
        "sources": "x",
    }
    response = editor.post(f"/edit/node/{NEED}", data=sent)
    assert response.status_code == 409
    assert "changed by someone else since the form was opened" in html.unescape(response.text)
    kept = stored.get(NEED)
    assert kept["description"] == "changed over the API meanwhile" and kept["name"] != "From the stale form"


def test_a_need_made_through_its_form_is_stored_with_its_links_under_the_token_name(editor, stored):
    csrf, _ = csrf_of(editor, "/edit/new/need")
    sent = {
        "csrf": csrf,
        "name": "Forms test need",
        "priority": "high",
        "required_amount": "250000",
        "required_currency": "EUR",
        "start": "2025-01-01",
        "sources": "web form test",
        "link:STATED_BY": "country:rs",
    }
    response = editor.post("/edit/new/need", data=sent)
    assert response.status_code == 303 and response.headers["location"] == "/needs/need:forms-test-need"
    need = stored.get("need:forms-test-need")
    assert need["required_amount"] == 250000 and need["priority"] == "high"
    assert [e["target"] for e in stored.edges_of("need:forms-test-need") if e["type"] == "STATED_BY"] == [
        "country:rs"
    ]
    assert stored.write_log(limit=1)[0].actor == "token:alice"


def test_an_amount_edited_through_the_funding_form_is_stored(editor, stored):
    funds = next(e for chunk in stored.iter_edges() for e in chunk if e["type"] == "FUNDS" and "amount" in e)
    query = {"source": funds["source"], "target": funds["target"], "key": funds.get("key", "")}
    page = editor.get("/edit/link/FUNDS", params=query)
    assert page.status_code == 200
    sent = {
        "csrf": hidden(page.text, "csrf"),
        "version": hidden(page.text, "version"),
        "amount": "123456",
        "currency": funds.get("currency", "EUR"),
        "kind": funds.get("kind", "commitment"),
        "sources": "\n".join(funds["sources"]),
    }
    response = editor.post("/edit/link/FUNDS", params=query, data=sent)
    assert response.status_code == 303, response.text
    (after,) = [
        e
        for e in stored.edges_of(funds["target"])
        if e["type"] == "FUNDS" and e["source"] == funds["source"] and e.get("key", "") == query["key"]
    ]
    assert after["amount"] == 123456


# -- sessions, without a server -------------------------------------------------------------------
def test_session_cookies_are_secure_over_https(settings):
    with TestClient(create_app(settings), base_url="https://127.0.0.1") as client:
        form = client.get("/signin")
        response = client.post(
            "/signin",
            data={"csrf": hidden(form.text, "csrf"), "token": WRITE_TOKEN, "next": "/"},
            follow_redirects=False,
        )
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(COOKIE + "="))
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_a_read_token_cannot_sign_in(settings):
    settings = settings.model_copy(update={"api_read_tokens": SecretStr(f"reader:{READ_TOKEN}")})
    with TestClient(create_app(settings)) as client:
        form = client.get("/signin")
        response = client.post(
            "/signin", data={"csrf": hidden(form.text, "csrf"), "token": READ_TOKEN}, follow_redirects=False
        )
    assert response.status_code == 403 and COOKIE not in client.cookies


def test_an_expired_session_is_no_session(settings):
    sessions = Sessions(settings, Tokens(settings))
    sessions.seconds = -1
    value, _ = sessions.issue("alice")
    assert sessions.read(value) is None


def test_a_session_ends_when_its_token_is_no_longer_configured(settings):
    value, _ = Sessions(settings, Tokens(settings)).issue("alice")
    other = settings.model_copy(update={"api_tokens": SecretStr("bob:another-token-0123456789")})
    assert Sessions(other, Tokens(other)).read(value) is None
    assert Sessions(settings, Tokens(settings)).read(value) is not None


def test_unticking_a_need_in_a_project_form_removes_that_link_only(editor, stored):
    project = "project:demo-regional-online-terrorist-content"
    csrf, page = csrf_of(editor, f"/edit/node/{project}")
    node = stored.get(project)
    sent = {
        "csrf": csrf,
        "version": hidden(page, "version"),
        "name": node["name"],
        "status": node["status"],
        "sources": "\n".join(node["sources"]),
        "demo": "yes",
        "start": node.get("start", ""),
        "end": node.get("end", ""),
        "link:ADDRESSES": "need:demo-al-online-terrorist-content",
        "link:IN_PILLAR": [e["target"] for e in stored.edges_of(project) if e["type"] == "IN_PILLAR"],
        "link:TARGETS": [e["target"] for e in stored.edges_of(project) if e["type"] == "TARGETS"],
    }
    before = {(e["type"], e["target"]) for e in stored.edges_of(project) if e["source"] == project}
    response = editor.post(f"/edit/node/{project}", data=sent)
    assert response.status_code == 303, response.text
    after = {(e["type"], e["target"]) for e in stored.edges_of(project) if e["source"] == project}
    assert before - after == {("ADDRESSES", "need:demo-xk-online-terrorist-content")}
    assert after <= before


def test_signing_in_never_sends_the_browser_to_another_site(browser):
    form = browser.get("/signin", params={"next": "//elsewhere.example/"})
    sent = {"csrf": hidden(form.text, "csrf"), "token": WRITE_TOKEN, "next": hidden(form.text, "next")}
    response = browser.post("/signin", data={**sent, "next": "//elsewhere.example/"})
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_cookies_are_secure_behind_an_https_proxy_when_told(settings):
    """The proxy speaks HTTPS to the browser and HTTP to the server: ``KB_API_HTTPS`` says so."""
    settings = settings.model_copy(update={"api_https": True})
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        response = client.get("/signin")
    (cookie,) = response.headers.get_list("set-cookie")
    assert cookie.startswith("kb_signin=") and "Secure" in cookie and "HttpOnly" in cookie
    sessions = Sessions(settings, Tokens(settings))
    assert sessions.always_secure
