"""The example notebook of ``docs/``, written as nbformat 4 JSON, and run to keep its outputs.

The notebook's cells are generated like the rest of ``docs/`` (so they cannot drift from the
API); :func:`execute` runs them in a Jupyter kernel (nbclient) so that the committed notebook
shows its outputs to a reader on the web, and :func:`cleared` strips them again for comparing
sources. ``python -m symbolic.outputs.notebook docs/example.ipynb`` runs the file in place.
Derivations, checked derivations and checked steps
display as LaTeX there through the ``_repr_latex_`` hooks of :mod:`symbolic.outputs.render`; the
measures through sympy's own.

>>> import json
>>> nb = json.loads(example_notebook())
>>> nb["nbformat"], nb["cells"][0]["cell_type"]
(4, 'markdown')
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

__all__ = ["example_notebook", "CELLS", "execute", "cleared", "has_outputs"]

CELLS: list[tuple[str, str]] = [
    (
        "markdown",
        "# symbolic: the seed's derivations in a notebook\n"
        "\n"
        "The measures of the post are sympy expressions and display in its notation. A "
        "derivation is a chain of steps; `check` hands each step to the kernel, which proves it "
        "symbolically or finds numeric evidence, and refutes a wrong one with a counterexample.",
    ),
    (
        "code",
        "from symbolic import KL, CrossEntropy, Entropy, check, get, p_data, p_model\n"
        "\n"
        "KL(p_data, p_model)",
    ),
    ("code", "CrossEntropy(p_data, p_model) - Entropy(p_data)"),
    ("markdown", "A derivation of the catalog, before the kernel has seen it:"),
    ("code", 'derivation = get("kl-vs-mle")\nderivation'),
    ("markdown", "Checked, with every step's rule and verdict:"),
    ("code", "checked = check(derivation)\nchecked"),
    ("code", "checked.steps[4]"),
    ("code", "checked.status"),
    ("markdown", "The same in Korean, as text:"),
    ("code", 'from symbolic import to_text\n\nprint(to_text(checked, lang="ko"))'),
    (
        "markdown",
        "## A derivation of your own\n"
        "\n"
        "A wrong step (a sign dropped) is refuted, and the counterexample says where.",
    ),
    (
        "code",
        "from symbolic import NLL, Derivation, N, Relation, Step\n"
        "\n"
        "wrong = Derivation(\n"
        '    id="wrong-sign",\n'
        '    title="A step with the wrong sign",\n'
        "    start=NLL() / N,\n"
        '    steps=(Step(Relation.EQ, -CrossEntropy(p_data, p_model), "a careless sign"),),\n'
        ")\n"
        "refuted = check(wrong)\n"
        "refuted.steps[0]",
    ),
    (
        "markdown",
        "## The picture\n"
        "\n"
        "NLL(θ)/N and D_KL(p̂_data ‖ p_θ) on a small data set: a constant H(p̂_data) apart, with "
        "the same minimizer.",
    ),
    (
        "code",
        "from IPython.display import Image\n"
        "\n"
        "from symbolic.outputs.plots import save\n"
        "\n"
        'Image(filename=str(save("kl-vs-mle", "kl-vs-mle.png")))',
    ),
]
"""The cells, in order: (cell type, source)."""


def _cell(kind: str, source: str) -> dict[str, object]:
    lines = source.splitlines(keepends=True)
    if kind == "markdown":
        return {"cell_type": "markdown", "metadata": {}, "source": lines}
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": [],
        "source": lines,
    }


def example_notebook() -> str:
    """The notebook's JSON, outputs cleared, in the layout Jupyter itself writes."""
    nb = {
        "cells": [_cell(kind, source) for kind, source in CELLS],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    # nbformat 4.5 wants cell ids; stable ones keep the file identical between generations.
    for k, cell in enumerate(nb["cells"]):
        cell["id"] = f"cell-{k}"
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def execute(source: str, timeout: float = 600) -> str:
    """The notebook ``source`` (JSON) run top to bottom in a fresh Python kernel, with its
    outputs, in the same layout as :func:`example_notebook`. Files the cells write (the
    picture) go to a scratch folder. Needs nbclient and ipykernel (the ``dev`` extra)."""
    import nbclient
    import nbformat

    nb = nbformat.reads(source, as_version=4)
    with tempfile.TemporaryDirectory() as folder:
        nbclient.NotebookClient(
            nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": folder}}
        ).execute()
    for cell in nb.cells:
        # Timings and kernel state change on every run; the outputs are what a reader needs.
        cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)
    # nbformat's own writer: sources as lists of lines, the layout Jupyter writes.
    return nbformat.writes(nb) + "\n"


def cleared(source: str) -> str:
    """The notebook with every output and execution count removed, laid out as
    :func:`example_notebook` writes it: equal for two runs of the same cells."""
    nb = json.loads(source)
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        cell["metadata"] = {}
        if isinstance(cell["source"], list):
            cell["source"] = "".join(cell["source"])
    # The kernel fills in its language's version and editor mode; the cells are what count.
    meta = nb.get("metadata", {})
    nb["metadata"] = {"kernelspec": meta.get("kernelspec"),
                      "language_info": {"name": meta.get("language_info", {}).get("name")}}
    return json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def has_outputs(source: str) -> bool:
    """Whether every code cell of the notebook has an output and none is an error."""
    cells = [c for c in json.loads(source)["cells"] if c["cell_type"] == "code"]
    return all(c["outputs"] and all(o["output_type"] != "error" for o in c["outputs"])
               for c in cells)


def main(paths: list[str]) -> int:
    """Run each notebook file in place, keeping its outputs."""
    for name in paths:
        path = Path(name)
        path.write_text(execute(path.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
