"""docs/: generated from the catalog, current, and linked.

The whole-catalog comparison (`symbolic docs --check`) runs in CI, where it checks every entry
once; here the seed's pages and the shared pages are regenerated and compared, and the index is
checked against the catalog's ids without running the kernel.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from symbolic.catalog import ids
from symbolic.outputs import docs
from symbolic.outputs.notebook import cleared, example_notebook, has_outputs

DOCS = Path(__file__).resolve().parent.parent / "docs"
SEED = ("cross-entropy-cost", "kl-vs-mle")


def _committed(rel: str) -> str:
    path = DOCS / rel
    if not path.exists():
        pytest.fail(f"docs/{rel} is missing: run `symbolic docs`")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("derivation_id", SEED)
def test_the_seed_pages_are_current(checked_seed, derivation_id):
    for rel, text in docs.entry_pages(checked_seed[derivation_id]).items():
        assert _committed(rel) == text, f"docs/{rel} is stale: run `symbolic docs`"


def test_tutorial_guide_and_notebook_are_current(checked_seed):
    summaries = [docs.Summary.of(c) for c in checked_seed.values()]
    pages = docs.shared_pages(summaries, checked_seed)
    for rel in ("tutorial.md", "ko/tutorial.md", "writing-derivations.md"):
        assert _committed(rel) == pages[rel], f"docs/{rel} is stale: run `symbolic docs`"
    # The notebook is committed run: its cells are the generated ones, with their outputs.
    committed = _committed("example.ipynb")
    assert cleared(committed) == cleared(pages["example.ipynb"]), "run `symbolic docs`"
    assert has_outputs(committed), "docs/example.ipynb was not run: run `symbolic docs`"


def test_the_committed_notebook_shows_an_output_under_every_code_cell():
    nb = json.loads(_committed("example.ipynb"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code and all(c["outputs"] for c in code)
    assert all(c["execution_count"] for c in code)
    kinds = [o["output_type"] for c in code for o in c["outputs"]]
    assert "error" not in kinds
    data = [o.get("data", {}) for c in code for o in c["outputs"]]
    assert any("image/png" in d for d in data)
    assert any("text/markdown" in d or "text/latex" in d for d in data)


def test_a_notebook_is_stale_until_it_is_run(tmp_path):
    source = example_notebook()
    (tmp_path / "example.ipynb").write_text(source, encoding="utf-8")
    assert docs.stale(tmp_path, {"example.ipynb": source}) == ["example.ipynb"]
    (tmp_path / "example.ipynb").write_text(_committed("example.ipynb"), encoding="utf-8")
    assert docs.stale(tmp_path, {"example.ipynb": source}) == []


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_index_lists_every_entry_and_every_page_exists(lang):
    index = _committed("index.md" if lang == "en" else f"{lang}/index.md")
    for derivation_id in ids():
        assert f"[`{derivation_id}`]" in index, f"{derivation_id} is not in the index"
        assert (DOCS / docs.page_path(derivation_id, lang)).exists()


def test_every_relative_link_resolves():
    for page in DOCS.rglob("*.md"):
        for target in re.findall(r"\]\(([^)#]+)\)", page.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            assert (page.parent / target).resolve().exists(), f"{page}: broken link {target}"


def test_hand_written_pages_are_linked_not_overwritten():
    index = _committed("index.md")
    for name in ("mle.md", "kl.md", "performance.md", "derivation-files.md"):
        page = DOCS / name
        if page.exists():
            assert not page.read_text(encoding="utf-8").startswith(docs.GENERATED)
            assert f"]({name})" in index


def test_the_tutorial_follows_the_seed_and_states_the_caveat():
    tutorial = _committed("tutorial.md")
    order = [tutorial.index(s) for s in ("likelihood", "cross-entropy", "KL divergence")]
    assert order == sorted(order)
    assert "not absolutely continuous" in tutorial and "+∞" in tutorial
    korean = _committed("ko/tutorial.md")
    for term in ("cross-entropy", "negative log-likelihood", "empirical distribution", "절대연속"):
        assert term in korean


def test_stale_finds_changed_and_leftover_pages(tmp_path):
    pages = {"index.md": docs.GENERATED + "\nnew\n"}
    (tmp_path / "index.md").write_text(docs.GENERATED + "\nold\n", encoding="utf-8")
    (tmp_path / "gone.md").write_text(docs.GENERATED + "\n", encoding="utf-8")
    (tmp_path / "mine.md").write_text("# hand-written\n", encoding="utf-8")
    assert docs.stale(tmp_path, pages) == ["index.md", "gone.md"]


def test_the_notebook_is_valid_nbformat():
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.reads(example_notebook(), as_version=4)
    nbformat.validate(nb)
    assert json.loads(example_notebook())["metadata"]["kernelspec"]["name"] == "python3"


def test_the_guides_code_prints_what_the_guide_says(tmp_path):
    guide = _committed("writing-derivations.md")
    code = re.findall(r"```python\n(.*?)```", guide, re.S)
    printed = re.findall(r"prints\n\n```\n(.*?)```", guide, re.S)
    assert len(code) == len(printed) == 2
    # The snippets run as a reader would run them: the second one after the first.
    script = tmp_path / "guide.py"
    script.write_text(code[0] + code[1], encoding="utf-8")
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=True
    ).stdout
    assert out == printed[0] + printed[1]


def test_docs_command_writes_then_checks(monkeypatch, capsys, tmp_path):
    from symbolic import cli

    # The whole catalog is CI's job; the command's logic is the same for one entry.
    monkeypatch.setattr(cli, "ids", lambda: ["kl-vs-mle"])
    out = tmp_path / "docs"
    assert cli.main(["docs", "--out", str(out)]) == 0
    assert (out / "derivations" / "kl-vs-mle.md").exists() and (
        out / "img" / "kl-vs-mle.png"
    ).exists()
    assert cli.main(["docs", "--out", str(out), "--check"]) == 0
    (out / "tutorial.md").write_text("edited\n", encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["docs", "--out", str(out), "--check"]) == 1
    assert "stale: " in capsys.readouterr().err
