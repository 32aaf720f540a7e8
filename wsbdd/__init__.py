"""wsbdd: behaviour-driven acceptance tests for real-time WebSocket applications."""

__version__ = "0.1.0"
