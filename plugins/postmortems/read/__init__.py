"""Reading one post-mortem file: front matter, field types and the JSON Schema, the
per-file rules, the writing checks and the timeline."""
