"""Headless Chromium and axe-core for the accessibility tests of the HTML editions.

Chromium is Debian's ``chromium`` (installed by ``.ci/run``); axe-core comes from the npm registry and
is vendored at install time into ``.cache/axe`` (``npm install --prefix .cache/axe axe-core@4``, run by
``.ci/run`` and ``make``), never fetched while the tests run. The audit inlines axe and a small runner
into a copy of the page, lets Chromium run it (``--dump-dom`` with a virtual time budget) and reads the
result the runner wrote into the DOM.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
)
RUNNER = """
<script>
axe.run(document, {resultTypes: ["violations"]}).then(function (r) {
  var out = document.createElement("pre");
  out.id = "axe-result";
  out.textContent = JSON.stringify(r.violations.map(function (v) {
    return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(function (n) { return n.target.join(" "); })};
  }));
  document.body.appendChild(out);
}).catch(function (e) {
  var out = document.createElement("pre");
  out.id = "axe-error";
  out.textContent = String(e);
  document.body.appendChild(out);
});
</script>
"""


def chromium() -> str | None:
    return shutil.which("chromium")


def _run(args: list[str], timeout: float = 90) -> subprocess.CompletedProcess[str]:
    exe = chromium()
    assert exe, "chromium がありません(.ci/run がインストールします)"
    with tempfile.TemporaryDirectory(prefix="bcpxl-chromium-") as profile:
        return subprocess.run(
            [exe, *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def axe_audit(page: Path, work: Path) -> list[dict[str, Any]]:
    """axe-core's violations for ``page`` (an HTML file) in headless Chromium."""
    html = page.read_text(encoding="utf-8")
    axe = AXE.read_text(encoding="utf-8").replace("</script", "<\\/script")
    injected = f"<script>{axe}</script>{RUNNER}"
    copy = work / f"audit-{page.stem}.html"
    copy.write_text(html.replace("</body>", injected + "</body>", 1), encoding="utf-8")
    proc = _run(["--virtual-time-budget=30000", "--dump-dom", copy.as_uri()])
    m = re.search(r'<pre id="axe-result">(.*?)</pre>', proc.stdout, re.S)
    if m is None:
        err = re.search(r'<pre id="axe-error">(.*?)</pre>', proc.stdout, re.S)
        raise AssertionError(f"axe did not finish: {err.group(1) if err else proc.stderr[-2000:]}")
    import html as html_mod

    result: list[dict[str, Any]] = json.loads(html_mod.unescape(m.group(1)))
    return result


def screenshot(page: Path, target: Path) -> Path:
    """A PNG screenshot of ``page`` (first screen, 1000×1400)."""
    _run(["--window-size=1000,1400", "--hide-scrollbars", f"--screenshot={target}", page.as_uri()])
    assert target.is_file(), f"no screenshot of {page}"
    return target
