"""kb commands: stores (filled in by its issue)."""
