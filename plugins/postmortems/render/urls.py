"""Where every page of a site lives: one map, made once a build and handed to every page.

The paths here are the one rule for where the generated pages go; a path becomes a URL by
the site's own rule (MkDocs' ``use_directory_urls``), which whoever builds the site gives.
Pages never write a URL of their own: they ask this map, and make it relative with
``href``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

from postmortems.catalog.records import PostMortem

ASSETS = "assets/postmortems/"  # the plugin's own CSS and JavaScript
PLOTLY = ASSETS + "plotly.min.js"
DASHBOARD = "dashboard/index.md"
REVIEWS = "reviews/index.md"
SERVICES = "services/index.md"
RECURRING = "recurring/index.md"
THEMES = "themes/index.md"
JSON = "postmortems.json"
DATA_SCRIPT = "postmortems.data.js"  # the same data, for pages opened from file://
FEED = "feed.xml"


def directory_url(path: str) -> str:
    """MkDocs' default rule (``use_directory_urls: true``): ``a/index.md`` is ``a/``,
    ``a/b.md`` is ``a/b/``; other files keep their path."""
    if not path.endswith(".md"):
        return path
    stem = path[: -len(".md")]
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


class SiteUrls:
    """The paths of the site's generated pages and the URL of every page. Called with a
    record, it is that post-mortem's URL (so it serves where a ``url_of`` is wanted)."""

    def __init__(
        self,
        folder: str,
        records: Mapping[str, str] | None = None,
        url_of_path: Callable[[str], str] = directory_url,
    ) -> None:
        self.folder = folder
        self.known = dict(records or {})  # record name -> URL, where the site knows better
        self.url = functools.cache(url_of_path)

    def __call__(self, record: PostMortem) -> str:
        return self.known.get(record.name) or self.url(self.record_path(record.name))

    # The paths of pages, below the docs folder.
    @property
    def index_path(self) -> str:
        return f"{self.folder}/index.md"

    def record_path(self, name: str) -> str:
        return f"{self.folder}/{name}.md"

    def year_path(self, year: str) -> str:
        return f"{self.folder}/{year}/index.md"

    def service_path(self, slug: str) -> str:
        return f"services/{slug}/index.md"

    def month_path(self, month: str) -> str:
        return f"reviews/{month}/index.md"

    # Their URLs.
    def index(self) -> str:
        return self.url(self.index_path)

    def year(self, year: str) -> str:
        return self.url(self.year_path(year))

    def service(self, slug: str) -> str:
        return self.url(self.service_path(slug))

    def month(self, month: str) -> str:
        return self.url(self.month_path(month))
