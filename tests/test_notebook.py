"""The example notebook of docs/ runs in a real Jupyter kernel and shows LaTeX."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "example.ipynb"


def test_the_example_notebook_runs_and_displays_latex(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # The notebook writes its picture next to itself: run it in a scratch folder.
    nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    latex = [o["data"]["text/latex"] for o in outputs if "text/latex" in o.get("data", {})]
    assert any("D_{KL}" in x for x in latex)
    assert any(r"\begin{aligned}" in x and "proved" in x for x in latex)
    texts = "".join(o.get("text", "") for o in outputs)
    assert "증명됨" in texts
    assert any("image/png" in o.get("data", {}) for o in outputs)
    assert (tmp_path / "kl-vs-mle.png").exists()
