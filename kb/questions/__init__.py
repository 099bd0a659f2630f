"""The application layer: every question a user asks, answered in one function every face calls.

- :mod:`kb.questions.asked`: the filters as typed, resolved, and the part of the graph they select;
- :mod:`kb.questions.analyses`: overlaps, gaps, who-funds, co-funders, co-funding, coverage,
  brokers, paths, each as a report with one JSON form;
- :mod:`kb.questions.walks`: the small graphs per-node questions read, walked from the node;
- :mod:`kb.questions.nodes`: what a node's page shows, search and stats;
- :mod:`kb.questions.maps`: the graph and findings of each map view.

The CLI (:mod:`kb.cli`), the API and pages (:mod:`api`) and the reports (:mod:`kb.sheets.report`,
:mod:`kb.tables`) only parse what was asked, call one of these and show the answer; the maps
(:mod:`visual`) draw what :mod:`kb.questions.maps` gathered and never open a store.
"""
