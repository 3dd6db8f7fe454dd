"""The catalog of derivations; :mod:`symbolic.catalog` loads the modules of this folder."""
