"""Index: reports split into passages with their heading paths, embedded (embedders/), stored in
Chroma (vectors) beside a BM25 keyword index, built incrementally and swapped in atomically
(store, journal); `reports` adds and removes reports and refreshes the index with them."""
