"""The semantic side of the search: a packaged sentence-embedding model beside the word lists.

- model: the model, loaded once per process (or the reason it cannot run), with a query cache;
- passages: what of an offer is embedded, and its fingerprint;
- vectors: offer vectors in SQLite, computed when an offer's text changes, and a process-wide cache;
- matrix and offer_index: the vectors in memory for the matcher, and the cosines it asks for.

Other features (questions in other languages, coordinator teaching) build on the same pieces.
"""
