"""kb commands: maps (filled in by its issue)."""
