"""The content queue: models, database, editorial workflow, media, import, calendar queries.

This package knows nothing of `channels`, `scheduler`, `web` or `loa`: whatever it needs from
them (channel checks, configuration) is handed in as plain values or callables.
"""
