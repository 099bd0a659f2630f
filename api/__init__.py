"""The HTTP layer: a JSON API and server-rendered pages over the knowledge base (``kb serve``)."""
