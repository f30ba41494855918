"""The edge: one ASGI app that turns signed AWS requests into provider calls and back."""
