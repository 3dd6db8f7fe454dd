"""Readers: derivation files, the safe expression parser and CSV data. User text is data."""
