"""Phrase presets: ready-made vocabularies for the bundled demo server.

Each ``<name>.toml`` here holds ``[[phrases]]`` tables, used from a project's
configuration with ``[[tool.wsbdd.phrases]]`` ``preset = "<name>"``.
"""
