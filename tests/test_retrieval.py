"""Hybrid retrieval finds the passage holding the gold evidence, within the right district."""

from __future__ import annotations

from assistant.evaluation.runner import load_gold_for
from assistant.evaluation.scoring import evidence_rank
from tests.conftest import GOLD


def test_gold_evidence_is_retrieved_in_the_top_five_for_answerable_questions(assistant):
    items = [i for i in load_gold_for(assistant, GOLD) if i.answers]
    assert len(items) >= 30
    ranks = [evidence_rank(i, assistant.retrieve(i.question, i.history, k=5)) for i in items]
    found = sum(r is not None for r in ranks)
    assert found / len(items) >= 0.95, [i.question for i, r in zip(items, ranks, strict=True) if r is None]


def test_district_filter_keeps_other_districts_out(assistant):
    hits = assistant.retriever.search("新增停车泊位", ["拱墅区"], None, k=8)
    assert hits and {h.chunk.district for h in hits} == {"拱墅区"}


def test_period_filter_keeps_2022_results_apart_from_2023_targets(assistant):
    hits = assistant.retriever.search("引进人才", ["滨江区"], "actual", k=8)
    assert hits and {h.chunk.period for h in hits} == {"actual"}


def test_langchain_retriever_interface_returns_documents_with_metadata(assistant):
    docs = assistant.retriever.invoke("新增停车泊位")
    assert docs and docs[0].metadata["doc_id"] and "score" in docs[0].metadata
    assert docs[0].page_content
