"""The gold validator: every kind of bad line is reported with its line number."""

from __future__ import annotations

import json

import pytest

from assistant.errors import UserError
from assistant.evaluation.gold import load_gold
from assistant.ingest.corpus import load_reports
from tests.conftest import GOLD, SEEDS

GOOD = {"id": "x1", "question": "拱墅区2023年新增停车泊位目标", "type": "numeric", "history": [],
        "answers": [{"doc": "gongshu-2023-workplan", "value": "5000", "unit": "个",
                     "evidence": "新增停车泊位5000个"}], "district": "拱墅区"}


@pytest.fixture(scope="module")
def texts():
    return {r.id: r.text for r in load_reports(SEEDS)}


def write(tmp_path, *lines) -> object:
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)
                              for line in lines), encoding="utf-8")
    return path


def test_the_shipped_gold_set_is_valid_and_covers_every_type(texts):
    items = load_gold(GOLD, texts)
    assert len(items) >= 120
    assert {i.type for i in items} == {"numeric", "paraphrase", "multi_doc", "followup",
                                       "unanswerable", "text"}
    assert {a.doc for i in items for a in i.answers} == set(texts)


def test_a_good_line_loads(tmp_path, texts):
    [item] = load_gold(write(tmp_path, GOOD), texts)
    assert item.answers[0].evidence_start == texts["gongshu-2023-workplan"].find("新增停车泊位5000个")


@pytest.mark.parametrize("change, message", [
    ({"answers": [dict(GOOD["answers"][0], evidence="新增停车泊位6000个")]}, "does not occur"),
    ({"answers": [dict(GOOD["answers"][0], value="3700")]}, "does not occur in its evidence"),
    ({"answers": [dict(GOOD["answers"][0], doc="nowhere")]}, "unknown doc"),
    ({"answers": [dict(GOOD["answers"][0], value="五千")]}, "does not occur in its evidence"),
    ({"type": "guess"}, "type"),
    ({"question": 5}, "question"),
    ({"history": "earlier"}, "history"),
    ({"type": "followup"}, "needs a history"),
    ({"type": "unanswerable"}, "empty exactly"),
    ({"answers": []}, "empty exactly"),
    ({"district": 3}, "district"),
    ({"split": "train"}, "split"),
])
def test_each_kind_of_bad_line_is_named_with_its_line_number(tmp_path, texts, change, message):
    path = write(tmp_path, GOOD, dict(GOOD, id="x2", **change))
    with pytest.raises(UserError) as caught:
        load_gold(path, texts)
    assert "line 2" in str(caught.value) and message in str(caught.value)


def test_invalid_json_and_duplicate_ids_are_reported_together(tmp_path, texts):
    path = write(tmp_path, GOOD, "{oops", GOOD)
    with pytest.raises(UserError) as caught:
        load_gold(path, texts)
    text = str(caught.value)
    assert "有 2 行有误" in text and "line 2: not valid JSON" in text and "line 3: id 'x1'" in text


def test_missing_empty_and_non_utf8_files_are_one_sentence(tmp_path, texts):
    with pytest.raises(UserError, match="处没有金标准文件"):
        load_gold(tmp_path / "absent.jsonl", texts)
    (tmp_path / "empty.jsonl").write_text("\n", encoding="utf-8")
    with pytest.raises(UserError, match="中没有题目"):
        load_gold(tmp_path / "empty.jsonl", texts)
    (tmp_path / "gbk.jsonl").write_bytes(json.dumps(GOOD, ensure_ascii=False).encode("gbk"))
    with pytest.raises(UserError, match="UTF-8"):
        load_gold(tmp_path / "gbk.jsonl", texts)


def test_a_line_without_history_is_a_question_asked_on_its_own(tmp_path, texts):
    line = {k: v for k, v in GOOD.items() if k != "history"}
    [item] = load_gold(write(tmp_path, line), texts)
    assert item.history == []
