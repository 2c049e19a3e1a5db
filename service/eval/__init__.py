"""Measuring the service: PAN and SemEval formats and harnesses, the quality measures of
copy flags and stories, and readers of public corpora. Imported only by ``scripts/`` and
the tests, never by the running service."""
