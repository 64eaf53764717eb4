"""The portal in a real browser: Debian's Chromium driven by Playwright (found by path: the registries here cannot
download Playwright's own browsers), over a demo city served by `socialcredit serve --demo-parties` in a process
of its own, as `make run` serves it.

Without Chromium (or axe-core) the browser tests are skipped, saying why; with SOCIALCREDIT_REQUIRE_BROWSER=1
(CI) they fail instead, so that CI cannot pass without running them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("SOCIALCREDIT_CHROMIUM", "/usr/bin/chromium"))
REQUIRED = os.environ.get("SOCIALCREDIT_REQUIRE_BROWSER") == "1"
ROOT = Path(__file__).resolve().parents[3]
AXE = Path(os.environ.get("SOCIALCREDIT_AXE_JS") or ROOT / ".cache/axe-core-4.14.1/node_modules/axe-core/axe.min.js")
SOCIALCREDIT = Path(sys.executable).with_name("socialcredit")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""As root, in a machine with no internet: without the background-networking flags Chromium keeps trying hosts."""
LOCALES = {"zh_CN": "zh-CN", "en": "en-GB"}
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

pytestmark = pytest.mark.browser


def need(condition: bool, why: str) -> None:
    """Skip (or, in CI, fail) when the browser tests cannot run here."""
    if not condition:
        if REQUIRED:
            pytest.fail(f"{why} (SOCIALCREDIT_REQUIRE_BROWSER=1)")
        pytest.skip(why)


@dataclass
class Demo:
    """A demo city served on loopback."""

    base: str
    data_dir: Path
    tokens: dict[str, str]

    def url(self, path: str) -> str:
        return self.base + path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def read_env(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("export "):
            line = line[len("export ") :]
        name, sep, value = line.partition("=")
        if sep:
            out[name.strip()] = value.strip().strip("'\"")
    return out


def serve_demo(folder: Path, residents: int = 300) -> Iterator[Demo]:
    """Build the demo city into ``folder`` and serve it with one party per role, until the generator resumes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALCREDIT_")}
    built = subprocess.run(
        [str(SOCIALCREDIT), "--data-dir", str(folder), "demo", "--residents", str(residents)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    port = free_port()
    log = (folder / "serve.log").open("w")
    process = subprocess.Popen(
        [str(SOCIALCREDIT), "--data-dir", str(folder), "serve", "--demo-parties", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            assert process.poll() is None, (folder / "serve.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the demo server did not come up"
            time.sleep(0.2)
        yield Demo(base, folder, read_env(folder / "demo-tokens.env"))
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    need(CHROMIUM.exists(), f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    need(AXE.exists(), f"no axe-core at {AXE} (scripts/test.sh installs it from the npm registry)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[Demo]:
    yield from serve_demo(tmp_path_factory.mktemp("demo"))


def new_tab(browser: Any, language: str) -> Any:
    """A fresh browser context (no cookies) reading in ``language``, and its page."""
    context = browser.new_context(locale=LOCALES[language], viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def axe_violations(page: Any, axe_source: str) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A and AA violations on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)  # through the DevTools protocol: the page's CSP does not apply to it
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.html)}));
        }""",
        WCAG_21_AA,
    )


def assert_accessible(page: Any, axe_source: str) -> None:
    violations = axe_violations(page, axe_source)
    assert violations == [], f"{page.url}: " + "; ".join(f"{v['id']} ({v['help']}): {v['nodes']}" for v in violations)


def sign_in(page: Any, demo: Demo, token: str) -> None:
    """Sign in through the page, by the keyboard."""
    page.goto(demo.url("/sign-in"))
    tab_to(page, "#token")
    page.keyboard.type(token)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def tab_to(page: Any, selector: str, limit: int = 80) -> None:
    """Move the focus with the Tab key alone until it is on ``selector``: the element is reachable by keyboard."""
    target = page.locator(selector).first
    target.wait_for(state="attached")
    handle = target.element_handle()
    for _ in range(limit):
        if page.evaluate("(el) => document.activeElement === el", handle):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} on {page.url} cannot be reached with the Tab key ({limit} presses)")
