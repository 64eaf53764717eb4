"""What every portal page shares: language, sign-in, CSRF, headers, refusals as pages."""

from __future__ import annotations

import pytest

from socialcredit.service.parties import revoke_tokens
from tests.web.conftest import Portal


@pytest.mark.parametrize(
    ("accept", "chosen", "lang", "words"),
    [
        ("en-GB,en;q=0.9", None, "en", "Public credit information"),
        ("zh-CN,zh;q=0.9", None, "zh-CN", "公共信用信息"),
        ("fr-FR, de;q=0.5", None, "zh-CN", "公共信用信息"),
        ("zh-CN", "en", "en", "Public credit information"),
        ("en", "zh_CN", "zh-CN", "公共信用信息"),
    ],
)
def test_the_language_is_the_switch_else_accept_language_else_chinese(
    portal: Portal, accept: str, chosen: str | None, lang: str, words: str
) -> None:
    client = portal.reader().client
    if chosen:
        client.get(f"/language?to={chosen}&next=/")
    response = client.get("/", headers={"Accept-Language": accept})
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.text
    assert words in response.text


def test_the_switch_comes_back_to_the_same_page_and_never_elsewhere(portal: Portal) -> None:
    client = portal.reader().client
    assert client.get("/language?to=en&next=/lists").headers["location"] == "/lists"
    for target in ("//evil.example", "https://evil.example", "/\\evil", "javascript:alert(1)"):
        assert client.get("/language", params={"to": "en", "next": target}).headers["location"] == "/"


def test_every_page_carries_a_policy_that_forbids_inline_script(portal: Portal) -> None:
    response = portal.reader().get("/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "default-src 'none'" in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "<script" not in response.text and "style=" not in response.text
    assert "content-security-policy" not in portal.world.client.get("/v1/schemes").headers


def test_signing_in_keeps_the_token_in_an_httponly_strict_cookie(portal: Portal) -> None:
    reader = portal.reader()
    response = reader.post("/sign-in", {"token": portal.world.tokens["alice"]})
    assert response.status_code == 303 and response.headers["location"] == "/me"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("sc_session="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    out = reader.post("/sign-out")
    assert out.status_code == 303
    assert any(c.startswith('sc_session=""') or "Max-Age=0" in c for c in out.headers.get_list("set-cookie"))


@pytest.mark.parametrize(
    ("token", "status"),
    [("", 422), ("not-a-token", 401), ("x" * 500, 422)],
)
def test_a_bad_token_is_refused_on_the_page_and_logged(portal: Portal, token: str, status: int) -> None:
    reader = portal.reader()
    response = reader.post("/sign-in", {"token": token})
    assert response.status_code == status
    assert "sc_session" not in response.headers.get("set-cookie", "")
    assert "could not be signed in" in response.text


def test_a_form_without_its_csrf_value_is_refused_and_logged(portal: Portal) -> None:
    reader = portal.reader()
    reader.get("/")
    response = reader.client.post("/sign-in", data={"token": portal.world.tokens["alice"]})
    assert response.status_code == 403
    forged = reader.client.post("/sign-in", data={"token": portal.world.tokens["alice"], "csrf": "forged"})
    assert forged.status_code == 403
    refusals = portal.world.ok("operator", "GET", "/v1/operator/refusals")["items"]
    assert any(r["action"] == "form.csrf" for r in refusals)


def test_sign_in_attempts_are_limited_per_address(portal: Portal) -> None:
    reader = portal.reader()
    statuses = [reader.post("/sign-in", {"token": f"wrong-{i}"}).status_code for i in range(12)]
    assert statuses[:10] == [401] * 10
    assert statuses[-1] == 429
    limited = reader.post("/sign-in", {"token": portal.world.tokens["alice"]})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0


def test_a_revoked_token_signs_the_reader_out_at_once(portal: Portal) -> None:
    reader = portal.reader("alice")
    revoke_tokens(portal.world.store, party_code="alice")
    response = reader.get("/")
    assert "Sign in" in response.text
    assert any("sc_session" in c for c in response.headers.get_list("set-cookie"))


def test_unknown_pages_are_pages_and_the_api_keeps_json(portal: Portal) -> None:
    response = portal.reader().get("/no-such-page")
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    assert "Page not found" in response.text
    api = portal.world.client.get("/v1/no-such-thing")
    assert api.status_code == 404 and api.headers["content-type"].startswith("application/json")
