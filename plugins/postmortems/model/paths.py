"""Which files are post-mortems: the one rule for the plugin, the command line and the
pre-commit hook's documentation."""

from __future__ import annotations


def is_hidden(rel: str) -> bool:
    """Whether a path below the post-mortems folder has a part starting with ``_`` or ``.``
    (templates, drafts of the site itself): never a post-mortem, never published."""
    return any(part.startswith(("_", ".")) for part in rel.split("/"))


def is_postmortem(rel: str) -> bool:
    """Whether a path below the post-mortems folder (``/``-separated) is a post-mortem: a
    Markdown file other than the folder's own ``index.md``, not hidden."""
    return rel.endswith(".md") and rel != "index.md" and not is_hidden(rel)
