"""Retrieve: hybrid search over the index — dense vectors and BM25 keywords fused into one ranked
list, filtered by place and period — returning scored passages for the answerers."""
