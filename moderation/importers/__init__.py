"""Importers: other comment systems' exports read into records, and written onto a site."""
