"""Extraction: a source read, parsed by format, split into statements and classified."""
