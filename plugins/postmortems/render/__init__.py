"""Pages, cards, charts, exports, the feed, id links and the guide's tables, as Markdown
and HTML made from the catalog; never MkDocs."""
