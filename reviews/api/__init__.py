"""REST API of review: the reviewer pool, conflicts and bids (``pool``), assignments and
assignment runs (``assignment``). Rules live in services, selectors and predicates."""
