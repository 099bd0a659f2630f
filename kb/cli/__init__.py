"""The ``kb`` command line. Each module registers its commands on :data:`kb.cli.app.app`.

They are imported in the order ``kb --help`` lists them: the store first, then what users ask.
"""

from kb.cli import core  # noqa: F401, I001  (each import registers its commands)
from kb.cli import analysis  # noqa: F401
from kb.cli import maps  # noqa: F401
from kb.cli import sheets  # noqa: F401
from kb.cli import iati  # noqa: F401
from kb.cli import history  # noqa: F401
from kb.cli import stores  # noqa: F401
from kb.cli import serve  # noqa: F401
from kb.cli.app import app, main

__all__ = ["app", "main"]
