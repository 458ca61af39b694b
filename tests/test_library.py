"""Adding, listing and removing reports: saved texts, merged manifest, incremental index refresh."""

from __future__ import annotations

import shutil

import pytest

from assistant.answer.service import Assistant
from assistant.errors import UserError
from assistant.index.reports import add_reports, list_reports, remove_report
from assistant.index.store import read_info
from assistant.ingest.corpus import load_corpus
from tests.test_cli import run_cli


@pytest.fixture()
def lib_settings(tmp_path, settings, assistant):
    """A private copy of the session's index and an empty library beside it."""
    shutil.copytree(settings.index_dir, tmp_path / "index")
    return settings.replace(index_dir=tmp_path / "index", library_dir=tmp_path / "library")


def chunks_of(info, report_id: str) -> int:
    return next(r["chunks"] for r in info.reports if r["id"] == report_id)


def test_added_docx_is_saved_as_text_indexed_incrementally_and_answered_verbatim(lib_settings, assistant,
                                                                                 report_files):
    before = read_info(lib_settings)
    outcome = add_reports(lib_settings, [report_files["xihu-2024.docx"]], embedder=assistant.embedder)
    entry = outcome.added[0]
    assert outcome.rejected == [] and entry["district"] == "西湖区" and entry["years"] == [2023, 2024]
    saved = (lib_settings.library_dir / entry["file"]).read_text(encoding="utf-8")
    assert "指标：新增停车泊位；2023年完成：3000个；2024年目标：4000个。" in saved
    info = outcome.info
    assert info.embedded == chunks_of(info, entry["id"]) > 0
    assert [r["chunks"] for r in info.reports[:2]] == [r["chunks"] for r in before.reports]
    answer = Assistant(lib_settings, assistant.embedder).ask("西湖区2024年新增停车泊位目标是多少?")
    assert "4000个" in answer.answer and not answer.abstained
    cited = answer.citations[0]
    assert saved[cited.start:cited.end] == cited.text


def test_every_format_can_be_added_at_once_and_is_listed(lib_settings, assistant, report_files):
    names = ["chunan-2024.pdf", "gongshu-2024.html", "shangcheng-2024.md", "plain.txt"]
    outcome = add_reports(lib_settings, [report_files[n] for n in names], embedder=assistant.embedder)
    assert [e["district"] for e in outcome.added] == ["淳安县", "拱墅区", "上城区", "余杭区"]
    listing = {r["id"]: r for r in list_reports(lib_settings)}
    assert listing["gongshu-2023-workplan"]["origin"] == "seeds"
    added = [listing[e["id"]] for e in outcome.added]
    assert all(r["origin"] == "library" and r["chunks"] for r in added)
    assert {r.id for r in load_corpus(lib_settings)} == set(listing)


def test_bad_files_are_each_refused_and_change_nothing(lib_settings, assistant, report_files):
    before = read_info(lib_settings)
    names = ["empty.txt", "locked.pdf", "scanned.pdf", "not-a-pdf.pdf", "sheet.xls"]
    outcome = add_reports(lib_settings, [report_files[n] for n in names], embedder=assistant.embedder)
    assert outcome.added == [] and outcome.info is None
    assert [name for name, _ in outcome.rejected] == names
    assert all(sentence.endswith("。") and sentence.count("。") == 1 and "\n" not in sentence
               for _, sentence in outcome.rejected)
    assert read_info(lib_settings) == before and not lib_settings.library_dir.exists()


def test_duplicate_text_is_refused_even_against_the_seeds(lib_settings, assistant, tmp_path, report_files):
    copy = tmp_path / "copy.txt"
    copy.write_text((lib_settings.seeds_dir / "gongshu_2023_work_plan_excerpt.txt").read_text(encoding="utf-8")
                    .replace("\n", "\n\n"), encoding="utf-8")
    outcome = add_reports(lib_settings, [copy, report_files["shangcheng-2024.md"],
                                         report_files["shangcheng-2024.md"]], embedder=assistant.embedder)
    assert len(outcome.added) == 1
    assert "与已添加的报告 gongshu-2023-workplan 内容相同" in outcome.rejected[0][1]
    assert f"与已添加的报告 {outcome.added[0]['id']} 内容相同" in outcome.rejected[1][1]


def test_removed_report_leaves_the_library_and_the_index(lib_settings, assistant, report_files):
    added = add_reports(lib_settings, [report_files["shangcheng-2024.md"]], embedder=assistant.embedder)
    report_id = added.added[0]["id"]
    info = remove_report(lib_settings, report_id, embedder=assistant.embedder)
    assert report_id not in {r["id"] for r in info.reports} and info.embedded == 0
    assert not (lib_settings.library_dir / added.added[0]["file"]).exists()
    with pytest.raises(UserError, match="是种子报告"):
        remove_report(lib_settings, "gongshu-2023-workplan", embedder=assistant.embedder)
    with pytest.raises(UserError, match="assistant list"):
        remove_report(lib_settings, report_id, embedder=assistant.embedder)


def test_a_failed_index_refresh_puts_the_library_back(lib_settings, assistant, report_files):
    class BrokenEmbedder:
        id = assistant.embedder.id
        batch_size = 32

        def embed_passages(self, texts):
            raise RuntimeError("model crashed")

    before = read_info(lib_settings)
    with pytest.raises(RuntimeError):
        add_reports(lib_settings, [report_files["gongshu-2024.html"]], embedder=BrokenEmbedder())
    assert read_info(lib_settings) == before
    assert list(lib_settings.library_dir.iterdir()) == []


@pytest.mark.slow
def test_cli_add_shows_inferred_metadata_then_list_and_remove(tmp_path, settings, assistant, report_files):
    shutil.copytree(settings.seeds_dir, tmp_path / "seeds")
    shutil.copytree(settings.index_dir, tmp_path / "index")
    added = run_cli(tmp_path, "add", str(report_files["gongshu-2024.html"]), str(report_files["empty.txt"]),
                    "--year", "2025")
    assert added.returncode == 2
    assert "地方 拱墅区" in added.stdout and "2025年目标" in added.stdout
    assert added.stderr.strip() == "错误：empty.txt 是空文件（0 字节），请选择有内容的报告。"
    listed = run_cli(tmp_path, "list")
    assert "gongshu-2024" in listed.stdout and "gongshu-2023-workplan" in listed.stdout
    removed = run_cli(tmp_path, "remove", "gongshu-2024")
    assert removed.returncode == 0, removed.stderr
    assert "gongshu-2024 " not in run_cli(tmp_path, "list").stdout


def test_a_reports_own_footnote_marks_are_no_citations_of_the_answer(lib_settings, assistant, tmp_path):
    # Reports copied from web pages keep their footnote marks ("领跑者”[3]"); the answer cites [1] only.
    report = tmp_path / "boye.txt"
    report.write_text("2025年博野县政府工作报告\n一、2024年工作回顾\n三棵树、三源橡胶被评为河北省特色产业集群"
                      "“领跑者”[3]，新增规上工业企业12家[4]。\n", encoding="utf-8")
    outcome = add_reports(lib_settings, [report], embedder=assistant.embedder)
    assert not outcome.rejected, outcome.rejected
    answer = Assistant(lib_settings, assistant.embedder).ask("博野2024年新增规上工业企业多少家？")
    assert "12家[1]" in answer.answer and "[4]" not in answer.answer, answer.answer
    assert [f.value + f.unit for f in answer.figures] == ["12家"] and "[4]" in answer.citations[0].text
