"""Which files are post-mortems, and how a name becomes part of a URL or a file name:
one rule each, for the plugin and the command line."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NOT_WORD = re.compile(r"[\W_]+")


TEMPLATE = "_template.md"  # in the post-mortems folder: what `postmortems new` copies


def is_hidden(rel: str) -> bool:
    """Whether a path below the post-mortems folder has a part starting with ``_`` or ``.``
    (templates, drafts of the site itself): never a post-mortem, never published."""
    return any(part.startswith(("_", ".")) for part in rel.split("/"))


def is_postmortem(rel: str) -> bool:
    """Whether a path below the post-mortems folder (``/``-separated) is a post-mortem: a
    Markdown file other than the folder's own ``index.md``, not hidden."""
    return rel.endswith(".md") and rel != "index.md" and not is_hidden(rel)


def slug(name: str, fallback: str, limit: int = 60) -> str:
    """A URL segment or file name from a name in any script: letters and digits kept
    (``支付`` stays ``支付``, ``Café`` becomes ``café``), every other run one ``-``. Depends
    on the name alone; a name with no letter or digit gets ``fallback`` and a digest of
    itself."""
    text = _NOT_WORD.sub("-", unicodedata.normalize("NFKC", name).casefold()).strip("-")
    if len(text) > limit:  # cut at a word's end where one is near, not in a word
        cut = text[: limit + 1].rfind("-")
        text = text[: cut if cut > limit // 2 else limit]
    text = text.rstrip("-")
    return text or f"{fallback}-{digest(name)}"


def digest(name: str) -> str:
    """Six hex digits that tell names apart, the same on every build."""
    return hashlib.blake2b(name.encode("utf-8"), digest_size=3).hexdigest()
