"""Settings come from defaults, then assistant.toml, then ASSISTANT_* variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import load_settings
from assistant.errors import UserError


def test_defaults_apply_without_file_or_environment(tmp_path):
    settings = load_settings(env={}, config_path=tmp_path / "none.toml")
    assert settings.index_dir == Path("index") and settings.answerer == "extractive"


def test_environment_overrides_the_config_file(tmp_path):
    config = tmp_path / "assistant.toml"
    config.write_text('top_k = 4\nanswerer = "llm"\nindex_dir = "elsewhere"\n', encoding="utf-8")
    settings = load_settings(env={"ASSISTANT_TOP_K": "6"}, config_path=config)
    assert settings.top_k == 6 and settings.answerer == "llm" and settings.index_dir == Path("elsewhere")


def test_bad_values_are_one_sentence(tmp_path):
    with pytest.raises(UserError, match="TOP_K|top_k"):
        load_settings(env={"ASSISTANT_TOP_K": "many"}, config_path=tmp_path / "none.toml")
    config = tmp_path / "assistant.toml"
    config.write_text("top_k = [", encoding="utf-8")
    with pytest.raises(UserError, match="不是有效的 TOML"):
        load_settings(env={}, config_path=config)


def test_an_unknown_key_in_the_config_file_is_named(tmp_path):
    config = tmp_path / "assistant.toml"
    config.write_text("top_k = 4\ntopk = 5\n", encoding="utf-8")
    with pytest.raises(UserError, match="topk"):
        load_settings(env={}, config_path=config)
