"""The audit: which claims still fail, ranked, and reported.

- :mod:`provenance.audit.query`: what a finding is, and the priority score that ranks findings
  (category, certainty, evidence status and repetition; the table is in its docstring);
- :mod:`provenance.audit.formats`: the reports (text, JSON, CSV, Markdown, SARIF);
- :mod:`provenance.audit.worker`: the worker processes of a large JSON audit (standard library
  only, so this package imports nothing at its top).
"""
