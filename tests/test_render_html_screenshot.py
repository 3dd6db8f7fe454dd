"""HTML pages as a browser shows them: headless Chromium renders three pages, the test reads back
whether KaTeX failed on a formula and whether the page is wider than the window, and keeps a
screenshot of each under build/screenshots/ (CI artifacts). Skipped where no Chromium is
installed (Debian: ``apt-get install chromium``)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from cheap_catalog import checked

from symbolic.outputs.render import to_html

BROWSER = next((b for b in ("chromium", "chromium-browser", "google-chrome")
                if shutil.which(b)), None)
pytestmark = pytest.mark.skipif(BROWSER is None, reason="no Chromium installed")
SHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"
WIDTH = 1000

# After KaTeX has run: the count of formulas it could not typeset, and how far the page (not a
# formula's own scrolling box) sticks out to the right of the window.
_PROBE = """
<script>
window.addEventListener("load", function () {
  var out = {errors: document.querySelectorAll(".katex-error").length,
             formulas: document.querySelectorAll(".katex").length,
             overflow: document.documentElement.scrollWidth - window.innerWidth};
  var probe = document.createElement("pre");
  probe.id = "probe";
  probe.textContent = JSON.stringify(out);
  document.body.appendChild(probe);
});
</script>
"""


def _browser(*args: str) -> str:
    done = subprocess.run(
        [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--window-size={WIDTH},1400", "--virtual-time-budget=10000", *args],
        capture_output=True, text=True, timeout=120,
    )
    return done.stdout


@pytest.mark.parametrize(("derivation_id", "lang"), [
    ("mle/normal", "en"), ("kl/normal", "ko"), ("mle/multivariate-normal", "en"),
])
def test_a_page_renders_without_katex_errors_or_horizontal_overflow(tmp_path, derivation_id,
                                                                     lang):
    page = to_html(checked(derivation_id), lang)
    path = tmp_path / "page.html"
    path.write_text(page.replace("</body>", _PROBE + "</body>"), encoding="utf-8")
    dom = _browser("--dump-dom", path.as_uri())
    start = dom.index('<pre id="probe">') + len('<pre id="probe">')
    found = json.loads(dom[start:dom.index("</pre>", start)])
    assert found["formulas"] > 0, "KaTeX did not run"
    assert found["errors"] == 0, found
    assert found["overflow"] <= 0, f"{derivation_id} ({lang}) is {found['overflow']} px too wide"
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / f"{derivation_id.replace('/', '-')}.{lang}.png"
    (tmp_path / "plain.html").write_text(page, encoding="utf-8")
    _browser(f"--screenshot={shot}", (tmp_path / "plain.html").as_uri())
    assert shot.exists() and shot.stat().st_size > 10_000
