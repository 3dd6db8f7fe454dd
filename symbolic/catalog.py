"""The catalog: every derivation the project ships, by id, built on demand.

The entries live in the ``derivations/`` folder of the source tree (installed as
``symbolic/derivations``). A Markdown document there (``cross-entropy-cost.md``) is one entry,
named by its file and titled by its front matter: its display-math chain, read by
:mod:`symbolic.readers.documents`, with the prose before each block as the rule of its steps.
Each Python module there defines ``ENTRIES``, a list of :class:`Entry`, and may set ``ORDER``
(default 100) to place its entries after the documents' (order 0) or before the others'.
Building is lazy because some derivations run a solver to produce their steps.

>>> "kl-vs-mle" in ids()
True
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path

from symbolic.kernel.derivation import Derivation

__all__ = ["Entry", "entries", "ids", "get", "UnknownDerivation", "catalog_dir"]


@dataclass(frozen=True)
class Entry:
    """A catalog id, its title, and how to build its derivation."""

    id: str
    title: str
    build: Callable[[], Derivation]


class UnknownDerivation(KeyError):
    """No catalog entry has this id."""


def catalog_dir() -> Path:
    """The folder holding the catalog modules, in a source tree or an installed package."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "derivations", here.parent / "derivations"):
        if (candidate / "__init__.py").is_file():
            return candidate
    raise FileNotFoundError("the derivations/ folder of the catalog is missing")


def _document(path: Path) -> Derivation:
    from symbolic.readers import documents

    return documents.catalog_derivation(documents.read(path), path.stem)


def _documents() -> list[Entry]:
    """The Markdown entries, by file name; reading the front matter gives the title."""
    from symbolic.readers import documents

    return [
        Entry(path.stem, documents.read(path).title, partial(_document, path))
        for path in sorted(catalog_dir().glob("*.md"))
    ]


@cache
def entries() -> tuple[Entry, ...]:
    """Every entry: the documents', then the modules' in the order of their ``ORDER``, their
    names and their lists."""
    modules = []
    for path in sorted(catalog_dir().glob("*.py")):
        if path.name.startswith("_"):
            continue
        name = f"symbolic._catalog.{path.stem}"
        module = sys.modules.get(name)
        if module is None:
            spec = importlib.util.spec_from_file_location(name, path)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
        modules.append(module)
    # A module's ORDER (default 100) puts the seed's derivations before the families'.
    modules.sort(key=lambda m: getattr(m, "ORDER", 100))
    found = _documents() + [e for m in modules for e in getattr(m, "ENTRIES", ())]
    seen: set[str] = set()
    for entry in found:
        if entry.id in seen:
            raise ValueError(f"duplicate catalog id {entry.id!r}")
        seen.add(entry.id)
    return tuple(found)


def ids() -> list[str]:
    """The catalog's ids."""
    return [e.id for e in entries()]


@cache
def get(derivation_id: str) -> Derivation:
    """Build the derivation with this id; :class:`UnknownDerivation` if there is none."""
    for entry in entries():
        if entry.id == derivation_id:
            return entry.build()
    raise UnknownDerivation(derivation_id)
