"""Maps: a knowledge-base graph (and analysis results) in, one self-contained HTML file out.

The parts, each a small pure function except the last two:

- :mod:`visual.styles`: colours, shapes, sizes and widths derived from ``graph_schema``;
- :mod:`visual.layout`: positions computed in Python with a fixed seed (same data, same picture);
- :mod:`visual.groups`: the partner × pillar grid the overview opens in;
- :mod:`visual.describe`: what a node or edge is in words (unique labels, tooltips, facets, periods);
- :mod:`visual.highlight`: overlaps and gaps from :mod:`kb.analysis` as marks on the map;
- :mod:`visual.story`: the presenter's sequence and its captions, from the same results;
- :mod:`visual.network`: all of the above as a pyvis ``Network``;
- :mod:`visual.page`: the network rendered by the project's own template, vis-network inlined;
- :mod:`visual.png`: the same page photographed in headless Chromium.
"""

from visual.highlight import Highlights
from visual.network import MAX_NODES, build_network
from visual.page import MapPage, render_html, write_html

__all__ = ["MAX_NODES", "Highlights", "MapPage", "build_network", "render_html", "write_html"]
