"""The synchronous Python API (Run, Session) and the parts it is made of."""
