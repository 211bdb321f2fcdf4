"""Known advisories: OSV records, the embedded known-bad feed, and the local store.

- :mod:`~depvet.advisories.osv` parses OSV records (JSON, and the PyPA YAML);
- :mod:`~depvet.advisories.match` decides whether a record applies to a version;
- :mod:`~depvet.advisories.store` keeps records in a database and matches batches;
- :mod:`~depvet.advisories.feed` is the known-bad feed shipped inside depvet;
- :mod:`~depvet.advisories.update` downloads OSV's PyPI dump;
- :mod:`~depvet.advisories.commands` implements ``depvet db …``.

Import the modules themselves: the package imports none of them, so a scan
worker that needs only the embedded feed does not load the database layer.
"""
