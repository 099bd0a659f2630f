"""kb commands: analysis (filled in by its issue)."""
