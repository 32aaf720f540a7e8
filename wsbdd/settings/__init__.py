"""Settings: pyproject / wsbdd.toml / WSBDD_* / -D, and TLS."""
