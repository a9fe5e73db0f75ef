"""Post-mortems as code: read, validate, index and chart incident post-mortems.

The folders are layers (ARCHITECTURE.md): ``model``, ``fast``,
``read``, ``catalog`` and ``render`` know nothing of MkDocs and serve the command line
(``cli``) as well as the MkDocs plugin (``adapter``).
"""

__version__ = "0.2.0"
