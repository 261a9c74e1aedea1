"""The contract's shapes: what clients send (``requests``), what the service answers
(``responses``), the field types both are made of (``fields``), and reading input into them with
the contract's errors (``parse``). Nothing here knows of Flask; the views, the dashboard and the
OpenAPI document all use these."""
