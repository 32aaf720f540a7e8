"""Load and latency: many clients, paced sends, honest delivery latency."""
