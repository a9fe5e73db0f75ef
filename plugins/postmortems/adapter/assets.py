"""The plugin's own CSS and JavaScript, served from the site itself (no CDN)."""

from __future__ import annotations

import json
from importlib import resources

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

from postmortems.render import urls

PREFIX = urls.ASSETS
STYLESHEETS = ["postmortems.css"]
SCRIPTS = ["table.js", "dashboard.js"]
PLOTLY = urls.PLOTLY.removeprefix(urls.ASSETS)  # from plotly's package; for pages with charts
SCHEMA = "schema/postmortem.schema.json"  # the front matter's JSON Schema, for editors


def register(config: MkDocsConfig) -> None:
    """Reference our assets from every page (once, even when on_config runs again)."""
    for name in STYLESHEETS:
        if PREFIX + name not in config.extra_css:
            config.extra_css.append(PREFIX + name)
    present = {str(s) for s in config.extra_javascript}
    for name in SCRIPTS:
        if PREFIX + name not in present:
            config.extra_javascript.append(PREFIX + name)


def add_files(files: Files, config: MkDocsConfig) -> None:
    """Add the asset files to the build from the installed package."""
    package = resources.files("postmortems") / "assets"
    for name in STYLESHEETS + SCRIPTS:
        _replace(
            files, File.generated(config, PREFIX + name, content=(package / name).read_bytes())
        )
    _replace(files, File.generated(config, PREFIX + PLOTLY, abs_src_path=_plotly_js()))


def add_schema(files: Files, config: MkDocsConfig, schema: dict) -> None:
    """Publish the front matter's JSON Schema, made from the site's settings; a site that
    keeps its own file at that path keeps it."""
    if files.get_file_from_path(SCHEMA) is None:
        text = json.dumps(schema, indent=2) + "\n"
        files.append(File.generated(config, SCHEMA, content=text))


def _plotly_js() -> str:
    """plotly.js as shipped inside the plotly package: same version as the Python side."""
    return str(resources.files("plotly") / "package_data" / PLOTLY)


def _replace(files: Files, file: File) -> None:
    existing = files.get_file_from_path(file.src_uri)
    if existing is not None:
        files.remove(existing)
    files.append(file)
