"""Ingest: report files of any supported format become `Report`s with their metadata (place,
years, result or target sections). Loaders read files into plain text, metadata infers what a
report is about, corpus reads the seeds and the library folder, library writes added reports."""
