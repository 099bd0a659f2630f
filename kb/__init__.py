"""Graph knowledge base of security assistance to the Western Balkans."""

__version__ = "0.1.0"
