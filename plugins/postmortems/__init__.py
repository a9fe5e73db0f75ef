"""Post-mortems as code: read, validate, index and chart incident post-mortems.

The core (reader, schema, catalog, metrics) is plain Python that knows nothing of
MkDocs, so the command line and the tests use it without a site build; the MkDocs
plugin in :mod:`postmortems.plugin` is thin glue around it.
"""

__version__ = "0.1.0"
