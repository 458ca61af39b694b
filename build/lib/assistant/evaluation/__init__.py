"""Evaluation beside the pipeline: gold answers (gold), scoring of figures and citations
(scoring), runs over a gold file (runner) with reports and comparisons (report), and the speed
and scale benchmarks (bench, scale, synthetic corpora)."""
