"""The persisted index: atomic swaps, incremental rebuilds, and refusal of a foreign embedder."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest

from assistant.answer.service import Assistant
from assistant.errors import UserError
from assistant.index.store import StoredIndex, _chroma_client, build_index, current_build, read_info
from assistant.ingest.corpus import load_reports


@pytest.fixture()
def own_settings(tmp_path, settings, assistant):
    """A private copy of the session's index, free to be damaged."""
    shutil.copytree(settings.index_dir, tmp_path / "index")
    return settings.replace(index_dir=tmp_path / "index")


class Interrupted(Exception):
    pass


@pytest.mark.slow
def test_interrupted_build_leaves_the_previous_index_answering(own_settings, assistant):
    before = read_info(own_settings)
    reports = load_reports(own_settings.seeds_dir)
    changed = [replace(reports[0], short_title="改名后的标题"), *reports[1:]]

    def stop_after_first_batch(done, total):
        raise Interrupted

    with pytest.raises(Interrupted):
        build_index(own_settings, changed, assistant.embedder, stop_after_first_batch)
    assert read_info(own_settings) == before
    names = {c.name for c in _chroma_client(own_settings).list_collections()}
    assert names == {before.collection}
    answer = Assistant(own_settings, assistant.embedder).ask("2023年新增停车泊位目标")
    assert "3700" in answer.answer


def test_rebuild_embeds_only_changed_passages(own_settings, assistant):
    reports = load_reports(own_settings.seeds_dir)
    info = build_index(own_settings, reports, assistant.embedder)
    assert info.embedded == 0
    gongshu = [r for r in reports if r.id == "gongshu-2023-workplan"]
    renamed = [replace(gongshu[0], short_title="拱墅新标题")]
    info = build_index(own_settings, [r for r in reports if r.id != "gongshu-2023-workplan"] + renamed,
                       assistant.embedder)
    assert info.embedded == sum(r["chunks"] for r in info.reports if r["id"] == "gongshu-2023-workplan")


def test_index_built_by_another_embedder_is_refused_with_a_sentence(own_settings, assistant):
    class OtherEmbedder:
        id = "another-model"

    with pytest.raises(UserError, match="assistant index"):
        StoredIndex(own_settings, OtherEmbedder())


def test_index_with_a_missing_part_is_refused_with_a_sentence(own_settings, assistant):
    shutil.rmtree(current_build(own_settings) / "keyword")
    with pytest.raises(UserError, match="索引已损坏"):
        StoredIndex(own_settings, assistant.embedder)
