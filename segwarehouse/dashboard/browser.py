"""The dashboard in a real browser: a `streamlit run` server and Debian's chromium driven by
selenium (chromium-driver). Used by the browser smoke test and by the README's screenshots:

    python -m segwarehouse.dashboard.browser [--serving-dir serving] [--out docs/images]

A Streamlit page is drawn by JavaScript over a websocket after the HTML arrives, so a bare
`chromium --headless --screenshot` captures a blank page: wait for the page's title and for
every chart to be drawn first."""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from segwarehouse.dashboard import texts
from segwarehouse.dashboard.data import SERVING_DIR_ENV

APP = Path(__file__).resolve().with_name("app.py")
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SYSTEM_DEPS = "Debian's chromium and chromium-driver (make system-deps)"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def serve(serving_dir: Path, port: int | None = None, timeout: float = 60) -> Iterator[str]:
    """`streamlit run` of the dashboard on the published folder; yields its URL once it
    answers its health check, and stops it afterwards."""
    port = port or free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.headless", "true", "--server.port", str(port),
        "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer",
    ]  # fmt: skip
    env = {**os.environ, SERVING_DIR_ENV: str(serving_dir)}
    url = f"http://127.0.0.1:{port}"
    # its output to a file, not a pipe: a full pipe would block the server
    with tempfile.TemporaryFile("w+") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_healthy(server, url, log, timeout)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_healthy(server: subprocess.Popen, url: str, log: IO[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if server.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"streamlit exited ({server.returncode}): {log.read()[-2000:]}")
        health = f"{url}/_stcore/health"
        with contextlib.suppress(OSError), urllib.request.urlopen(health, timeout=2) as answer:
            if answer.status == 200:
                return
        if time.monotonic() > deadline:
            raise TimeoutError(f"streamlit did not answer on {url} within {timeout} s")
        time.sleep(0.2)


@contextlib.contextmanager
def chromium(width: int = 1400, height: int = 1000) -> Iterator[WebDriver]:
    """Headless Debian chromium through its own chromedriver (never one downloaded by
    selenium-manager)."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        raise FileNotFoundError(f"{', '.join(missing)} not found: install {SYSTEM_DEPS}")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={width},{height}",
        "--hide-scrollbars",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


_STATE = """
const main = document.querySelector('[data-testid="stMainBlockContainer"]');
const charts = Array.from(document.querySelectorAll('[data-testid="stVegaLiteChart"]'));
const running = document.querySelector('[data-testid="stStatusWidget"]') !== null;
const drawn = charts.every(c => c.querySelector('canvas, svg'));
return running || !drawn ? null : [main ? main.scrollHeight : 0, charts.length];
"""


def open_page(
    driver: WebDriver, url: str, page: texts.Page, timeout: float = 60, charts: int = 0
) -> None:
    """Open a dashboard page and wait until its title shows and it is drawn: the script has
    finished, at least `charts` charts are there, every chart is drawn, and the page has kept
    its height and its number of charts for a second (Streamlit sends the elements one by one;
    on a loaded machine a query can pause it longer than that)."""
    # the default page is served at the root (its url_path is not a route of its own)
    driver.get(f"{url}/{'' if page == texts.PAGES[0] else page.slug}")
    wait = WebDriverWait(driver, timeout, poll_frequency=0.2)
    wait.until(
        lambda d: any(h.text.strip() == page.title for h in d.find_elements(By.TAG_NAME, "h1"))
    )
    seen: list[object] = []

    def settled(d: WebDriver) -> bool:
        seen.append(d.execute_script(_STATE))
        state = seen[-1]
        return (
            len(seen) >= 5
            and state is not None
            and state[1] >= charts
            and all(s == state for s in seen[-5:])
        )

    wait.until(settled)


def errors(driver: WebDriver) -> list[str]:
    """Text of the exceptions a page shows (none on a working page)."""
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]')]


def screenshot(driver: WebDriver, path: Path, width: int = 1400) -> Path:
    """The whole page (the window grown to the height of the page's content) as PNG."""
    height = driver.execute_script(
        "const main = document.querySelector('[data-testid=\"stMain\"]');"
        "return Math.max(main ? main.scrollHeight : 0, document.body.scrollHeight);"
    )
    driver.set_window_size(width, min(int(height) + 40, 8000))
    time.sleep(0.5)  # the charts redraw to the new size
    path.parent.mkdir(parents=True, exist_ok=True)
    if not driver.save_screenshot(str(path)):
        raise RuntimeError(f"chromium could not write {path}")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Screenshots of every dashboard page.")
    parser.add_argument(
        "--serving-dir", type=Path, default=Path(os.environ.get(SERVING_DIR_ENV, "serving"))
    )
    parser.add_argument("--out", type=Path, default=Path("docs/images"))
    args = parser.parse_args(argv)
    with serve(args.serving_dir.resolve()) as url, chromium() as driver:
        for page in texts.PAGES:
            open_page(driver, url, page)
            if errors(driver):
                print(f"{page.slug}: {errors(driver)}", file=sys.stderr)
                return 1
            path = screenshot(driver, args.out / f"dashboard-{page.slug}.png")
            driver.set_window_size(1400, 1000)
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
