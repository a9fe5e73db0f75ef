"""The `postmortems` command line: validate, new, export, init and schema."""
