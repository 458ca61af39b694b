"""The store behind the index: the same retrieval on embedded Chroma and on a real Chroma server,
incremental builds that resume after an interruption, and one sentence when the server is away."""

from __future__ import annotations

import shutil

import pytest

from assistant.answer.service import Assistant
from assistant.errors import UserError
from assistant.index.embedders import make_embedder
from assistant.index.reports import add_reports, remove_report
from assistant.index.store import StoredIndex, _chroma_client, build_index, read_info
from assistant.ingest.corpus import load_corpus
from tests import test_retrieval
from tests.conftest import free_port
from tests.test_cli import assert_one_sentence_error, run_cli


@pytest.mark.parametrize("check", [
    test_retrieval.test_gold_evidence_is_retrieved_in_the_top_five_for_answerable_questions,
    test_retrieval.test_district_filter_keeps_other_districts_out,
    test_retrieval.test_period_filter_keeps_2022_results_apart_from_2023_targets,
    test_retrieval.test_langchain_retriever_interface_returns_documents_with_metadata,
], ids=lambda f: f.__name__.removeprefix("test_"))
def test_retrieval_behaves_the_same_on_each_store(store_assistant, check):
    check(store_assistant)


def test_answers_are_the_same_on_each_store(store_assistant, assistant):
    question = "滨江区2022年地区生产总值是多少?"
    assert store_assistant.ask(question).answer == assistant.ask(question).answer


def test_the_index_records_its_store_and_refuses_to_open_against_another(server_settings, assistant):
    assert read_info(server_settings).store == server_settings.chroma_url
    with pytest.raises(UserError, match="把向量存放在 http://127.0.0.1"):
        StoredIndex(server_settings.replace(chroma_url=""), assistant.embedder)


def test_vectors_missing_from_the_server_are_named_in_one_sentence(server_settings, assistant, tmp_path):
    own = server_settings.replace(index_dir=tmp_path / "index")
    shutil.copytree(server_settings.index_dir, own.index_dir)
    info = build_index(own, load_corpus(own), assistant.embedder)  # a new collection, all reused
    assert info.embedded == 0
    _chroma_client(own).delete_collection(info.collection)
    with pytest.raises(UserError, match=f"集合 {info.collection}）在 http"):
        StoredIndex(own, assistant.embedder)


def test_an_unreachable_server_is_one_sentence(server_settings, assistant):
    away = server_settings.replace(chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(UserError, match="无法连接") as refused:
        StoredIndex(away, assistant.embedder)
    assert "\n" not in str(refused.value)


def test_cli_with_an_unreachable_server_prints_one_sentence(tmp_path, server_settings):
    shutil.copytree(server_settings.seeds_dir, tmp_path / "seeds")
    shutil.copytree(server_settings.index_dir, tmp_path / "index")
    (tmp_path / "assistant.toml").write_text(f'chroma_url = "http://127.0.0.1:{free_port()}"\n')
    result = run_cli(tmp_path, "ask", "2023年新增停车泊位目标")
    assert_one_sentence_error(result)
    assert "无法连接" in result.stderr


@pytest.mark.slow
def test_reports_are_added_and_removed_on_the_server(server_settings, assistant, report_files, tmp_path):
    own = server_settings.replace(index_dir=tmp_path / "index", library_dir=tmp_path / "library")
    shutil.copytree(server_settings.index_dir, own.index_dir)
    outcome = add_reports(own, [report_files["shangcheng-2024.md"]], embedder=assistant.embedder)
    index = StoredIndex(own, assistant.embedder)
    assert index.collection.count() == len(index.chunks) == sum(r["chunks"] for r in outcome.info.reports)
    answer = Assistant(own, assistant.embedder).ask("上城区2024年新增停车泊位目标")
    assert "1500个" in answer.answer
    info = remove_report(own, outcome.added[0]["id"], embedder=assistant.embedder)
    assert info.embedded == 0 and StoredIndex(own, assistant.embedder).collection.count() == 58


class Interrupted(Exception):
    pass


@pytest.mark.parametrize("store", ["embedded", "server"])
def test_an_interrupted_build_resumes_where_it_stopped(store, settings, request, tmp_path):
    url = request.getfixturevalue("chroma_server") if store == "server" else ""
    own = settings.replace(index_dir=tmp_path / "index", chroma_url=url)
    embedder = make_embedder("hashed-ngrams")
    reports = load_corpus(own)

    def stop_after_one_batch(done, total):
        raise Interrupted

    with pytest.raises(Interrupted):
        build_index(own, reports, embedder, stop_after_one_batch)
    assert read_info(own) is None
    info = build_index(own, reports, embedder)
    assert info.embedded == sum(r["chunks"] for r in info.reports) - embedder.batch_size
    assert not (own.index_dir / "journal").exists()
    assert build_index(own, reports, embedder).embedded == 0
