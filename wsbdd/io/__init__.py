"""wsbdd's I/O layer: the only client-side code that imports ``websockets``."""
