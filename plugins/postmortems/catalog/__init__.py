"""The catalog of a site's post-mortems: records, cross-file checks, the recurrence
graph and the metrics."""
