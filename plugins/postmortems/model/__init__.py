"""The model: options, settings, the requirements of each status, problems, time zones,
durations and which files are post-mortems. The standard library only."""
