"""behave glue: the hooks (environment), step lookup, behave's speed-ups."""
