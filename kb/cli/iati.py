"""kb commands: iati (filled in by its issue)."""
