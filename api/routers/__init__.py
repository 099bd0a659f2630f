"""The JSON API, one module per resource. Routers only translate HTTP to calls of kb.questions."""
