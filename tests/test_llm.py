"""The LLM answerer against a real local OpenAI-compatible server, and the grounding guard."""

from __future__ import annotations

import json
import logging
import socket
import sys
import time

import pytest
from fake_llm_server import FakeLLMServer, Reply, number_of

from assistant.answer.answerers import make_answerer
from assistant.answer.answerers.llm import REJECTED_NOTE, UNAVAILABLE_NOTE, UNCITED_NOTE, LLMAnswerer
from assistant.answer.grounding import ungrounded_figures
from assistant.answer.guard import check_answer
from assistant.answer.prompts import load_prompt
from assistant.answer.service import Assistant
from assistant.errors import UserError
from assistant.index.split import Chunk
from assistant.retrieve.hybrid import ScoredChunk
from assistant.types import Answer, Citation, Figure

GDP_QUESTION = "滨江区2022年地区生产总值是多少?"
GDP = "2184.8亿元"  # stated in the same passage as "增长1.8%"
FIRMS = "1.7万家"  # "全年新增注册企业1.7万家", another passage of the same report
GONGSHU_PARKING = "新增停车泊位5000个"  # 拱墅区's 2023 target; 滨江区's is 不少于3700个
PARKING_HISTORY = ["滨江区2023年新增停车泊位目标是多少?",
                   {"role": "assistant", "content": "滨江区（2023年目标）：新增停车泊位不少于3700个[1]。"}]


@pytest.fixture(scope="module")
def fake_llm():
    server = FakeLLMServer().start()
    yield server
    server.stop()


@pytest.fixture
def llm_assistant(settings, assistant, fake_llm, request):
    """Builds an Assistant whose answerer is "llm", talking to the fake server as `model`."""

    def build(reply: Reply, **changes) -> Assistant:
        model = request.node.name
        fake_llm.script(model, reply)
        llm_settings = settings.replace(answerer="llm", llm_base_url=fake_llm.url, llm_model=model,
                                        **{"llm_timeout": 5.0, "llm_retries": 0, **changes})
        return Assistant(llm_settings, embedder=assistant.embedder)

    return build


def retrieve(assistant: Assistant, question: str):
    """The intent and per-district hits the Assistant would hand its answerer."""
    intent = assistant.reader.read(question)
    districts = intent.districts or tuple(r["district"] for r in assistant.index.info.reports)
    return intent, {d: assistant.retriever.search(intent.search_text, [d], intent.period) for d in districts}


def stream_of(llm: Assistant, question: str) -> tuple[str, Answer]:
    """The streamed text and the final Answer of the LLM answerer."""
    intent, hits = retrieve(llm, question)
    *pieces, final = llm.answerer.stream(question, intent, hits, bool(intent.districts))
    assert all(isinstance(p, str) for p in pieces) and isinstance(final, Answer)
    return "".join(pieces), final


def cites_firms_then_gdp(request: dict) -> str:
    return (f"滨江区2022年新增注册企业1.7万家[{number_of(request, FIRMS)}]，"
            f"地区生产总值达{GDP}，增长1.8%[{number_of(request, GDP)}]。")


# --- answers through the endpoint -------------------------------------------------------------

def test_cited_answer_keeps_model_text_and_renumbers_citations(llm_assistant, fake_llm):
    llm = llm_assistant(Reply(cites_firms_then_gdp))
    answer = llm.ask(GDP_QUESTION)
    assert answer.answerer == "llm" and not answer.llm_rejected and not answer.notes
    assert answer.answer == f"滨江区2022年新增注册企业1.7万家[1]，地区生产总值达{GDP}，增长1.8%[2]。"
    assert [c.n for c in answer.citations] == [1, 2]
    assert FIRMS in answer.citations[0].text and GDP in answer.citations[1].text
    assert GDP in answer.citations[1].quote and answer.citations[1].quote in answer.citations[1].text
    assert answer.figures == [Figure("1.7", "万家", None, 1), Figure("2184.8", "亿元", None, 2),
                              Figure("1.8", "%", None, 2)]
    assert answer.districts == ["滨江区"] and not answer.abstained


def test_prompt_numbers_passages_with_report_district_section_and_period(llm_assistant, fake_llm):
    llm_assistant(Reply(cites_firms_then_gdp)).ask(GDP_QUESTION)
    system, user = fake_llm.requests[-1]["messages"]
    assert system["role"] == "system" and system["content"] == load_prompt("answer_system")
    assert "[1] 《滨江区2022年计划执行情况与2023年计划草案》｜滨江区｜2022年执行情况｜一、" in user["content"]
    assert user["content"].rstrip().endswith(f"问题：{GDP_QUESTION}")


def test_figure_written_in_another_unit_is_accepted(llm_assistant):
    llm = llm_assistant(Reply(lambda r: f"2022年滨江区新增注册企业17000家[{number_of(r, FIRMS)}]。"))
    answer = llm.ask("滨江区2022年新增注册企业多少家?")
    assert answer.answerer == "llm" and not answer.llm_rejected
    assert answer.figures == [Figure("17000", "家", None, 1)]


def test_invented_figure_is_replaced_by_offline_answer_with_a_note(llm_assistant, assistant, caplog):
    llm = llm_assistant(Reply(lambda r: f"滨江区2022年地区生产总值达2284.8亿元[{number_of(r, GDP)}]。"))
    with caplog.at_level(logging.WARNING, logger="assistant.answer.answerers.llm"):
        answer = llm.ask(GDP_QUESTION)
    assert answer.llm_rejected and answer.answerer == "extractive"
    assert answer.answer == assistant.ask(GDP_QUESTION).answer
    assert answer.notes == ["大模型的回答未被采用：其中有数字在所引用的报告段落中找不到，以下为离线答案。"]
    assert "2284.8亿元" in caplog.text  # the log names the figure; the user never sees it


def test_marker_to_a_passage_not_given_is_removed(llm_assistant):
    llm = llm_assistant(Reply(lambda r: f"滨江区2022年地区生产总值达{GDP}[{number_of(r, GDP)}]，"
                                        "总量保持全市第三[99]。"))
    answer = llm.ask(GDP_QUESTION)
    assert answer.answerer == "llm" and not answer.llm_rejected
    assert answer.answer == f"滨江区2022年地区生产总值达{GDP}[1]，总量保持全市第三。"
    assert len(answer.citations) == 1


def test_figure_backed_only_by_a_passage_not_given_is_rejected(llm_assistant):
    llm = llm_assistant(Reply(f"滨江区2022年地区生产总值达{GDP}[99]。"))
    answer = llm.ask(GDP_QUESTION)
    assert answer.llm_rejected and answer.answerer == "extractive" and answer.notes == [REJECTED_NOTE]


def test_figure_cited_to_the_wrong_passage_is_rejected(llm_assistant):
    llm = llm_assistant(Reply(lambda r: f"滨江区2022年地区生产总值达{GDP}[{number_of(r, FIRMS)}]。"))
    assert llm.ask(GDP_QUESTION).llm_rejected


def test_answer_citing_nothing_is_rejected(llm_assistant):
    answer = llm_assistant(Reply("滨江区经济运行总体平稳。")).ask(GDP_QUESTION)
    assert answer.llm_rejected and answer.notes == [UNCITED_NOTE]


def test_model_abstention_is_kept_with_nearest_passages(llm_assistant):
    answer = llm_assistant(Reply("未在报告中找到相关内容。")).ask("滨江区2023年新增停车泊位目标是多少?")
    assert answer.answerer == "llm" and answer.abstained and not answer.citations
    assert answer.answer == "未在报告中找到相关内容。"
    assert answer.nearest and "新增停车泊位" in answer.nearest[0].text


def test_model_abstention_on_an_unknown_topic_shows_no_unrelated_passages(llm_assistant):
    answer = llm_assistant(Reply("未在报告中找到相关内容。")).ask("滨江区2023年月球基地建设目标是多少?")
    assert answer.abstained and answer.nearest == []


def test_malformed_reply_gives_offline_answer_and_one_note(llm_assistant, assistant):
    answer = llm_assistant(Reply(body="<html>502 Bad Gateway</html>")).ask(GDP_QUESTION)
    assert answer.notes == [UNAVAILABLE_NOTE] and not answer.llm_rejected
    assert answer.answer == assistant.ask(GDP_QUESTION).answer


def test_reply_without_choices_gives_offline_answer(llm_assistant):
    answer = llm_assistant(Reply(body='{"id": "x", "object": "chat.completion"}')).ask(GDP_QUESTION)
    assert answer.notes == [UNAVAILABLE_NOTE]


def test_slow_reply_past_the_timeout_gives_offline_answer(llm_assistant):
    llm = llm_assistant(Reply(f"{GDP}[1]", delay=5), llm_timeout=0.3)
    started = time.perf_counter()
    answer = llm.ask(GDP_QUESTION)
    assert answer.notes == [UNAVAILABLE_NOTE] and answer.answerer == "extractive"
    assert time.perf_counter() - started < 3


def test_server_error_is_retried_then_offline_answer(llm_assistant, fake_llm, request):
    answer = llm_assistant(Reply(status=500), llm_retries=1).ask(GDP_QUESTION)
    assert answer.notes == [UNAVAILABLE_NOTE]
    assert len(fake_llm.requests_for(request.node.name)) == 2  # the first try and one retry


HANG_TIMEOUT = 3.0
HANG_MARGIN = 2.0  # giving up and answering offline, on a loaded machine (the old client took 2 timeouts)


@pytest.mark.parametrize("hang", ["silent", "headers", "trickle"])
@pytest.mark.parametrize("history", [[], PARKING_HISTORY], ids=["question", "followup"])
@pytest.mark.parametrize("streamed", [False, True], ids=["ask", "stream"])
def test_hanging_server_gives_offline_answer_within_the_timeout(llm_assistant, assistant, hang, history, streamed):
    llm = llm_assistant(Reply(hang=hang), llm_timeout=HANG_TIMEOUT, llm_retries=1)
    question = "那拱墅区呢?" if history else GDP_QUESTION
    assistant.ask(question, history)  # the models loaded, as in a running app
    started = time.perf_counter()
    offline = assistant.ask(question, history).answer
    started, offline_seconds = time.perf_counter(), time.perf_counter() - started
    answer = list(llm.stream(question, history))[-1] if streamed else llm.ask(question, history)
    waited = time.perf_counter() - started - offline_seconds  # what the LLM cost on top of the offline answer
    assert waited < HANG_TIMEOUT + HANG_MARGIN  # rewrite and answer share the timeout, retries included
    assert answer.notes == [UNAVAILABLE_NOTE] and answer.answerer == "extractive" and answer.answer == offline


def test_starting_with_a_hanging_server_asks_it_nothing(llm_assistant, fake_llm, request):
    started = time.perf_counter()
    llm_assistant(Reply(hang="silent"), llm_timeout=30.0)
    assert time.perf_counter() - started < 10 and not fake_llm.requests_for(request.node.name)


def test_endpoint_down_gives_offline_answer(settings, assistant):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    llm = Assistant(settings.replace(answerer="llm", llm_base_url=f"http://127.0.0.1:{port}/v1",
                                     llm_model="m", llm_retries=0), embedder=assistant.embedder)
    assert llm.ask(GDP_QUESTION).notes == [UNAVAILABLE_NOTE]


# --- streaming -----------------------------------------------------------------------------------

def test_stream_yields_checked_text_then_the_guarded_answer(llm_assistant, fake_llm):
    llm = llm_assistant(Reply(cites_firms_then_gdp))
    text, answer = stream_of(llm, GDP_QUESTION)
    assert text == answer.answer  # markers already renumbered as in the final answer
    assert answer.answerer == "llm" and answer.answer == llm.ask(GDP_QUESTION).answer
    assert fake_llm.requests[-2]["stream"] is True


def test_stream_of_rejected_answer_ends_with_the_replacement(llm_assistant):
    text, answer = stream_of(llm_assistant(Reply(lambda r: f"地区生产总值达2284.8亿元[{number_of(r, GDP)}]。")),
                             GDP_QUESTION)
    assert text == "" and answer.llm_rejected and "2284.8" not in answer.answer
    assert answer.notes == [REJECTED_NOTE]


def test_stream_with_a_marker_to_a_missing_passage_ends_without_it(llm_assistant):
    text, answer = stream_of(llm_assistant(Reply(lambda r: f"地区生产总值达{GDP}[{number_of(r, GDP)}][42][99]。")),
                             GDP_QUESTION)
    assert text == answer.answer == f"地区生产总值达{GDP}[1]。"


def test_stream_never_shows_a_sentence_with_an_invented_figure(llm_assistant):
    llm = llm_assistant(Reply(lambda r: f"滨江区2022年新增注册企业{FIRMS}[{number_of(r, FIRMS)}]。"
                                        f"地区生产总值达9999亿元，增长1.8%[{number_of(r, GDP)}]。"))
    *pieces, answer = llm.stream(GDP_QUESTION)
    assert pieces == [f"滨江区2022年新增注册企业{FIRMS}[1]。"]  # grounded: shown while the model writes
    assert not any("9999" in text for text in [*pieces, answer.answer, *answer.notes])
    assert answer.llm_rejected and answer.notes == [REJECTED_NOTE]


def test_stream_shows_a_figure_once_its_marker_arrives_after_the_full_stop(llm_assistant):
    llm = llm_assistant(Reply(lambda r: f"地区生产总值达{GDP}。[{number_of(r, GDP)}]增长1.8%[{number_of(r, GDP)}]。"))
    *pieces, answer = llm.stream(GDP_QUESTION)
    assert answer.answerer == "llm" and pieces == [answer.answer] == [f"地区生产总值达{GDP}。[1]增长1.8%[1]。"]


def test_stream_of_malformed_chunks_ends_with_offline_answer(llm_assistant):
    text, answer = stream_of(llm_assistant(Reply(body="data: {not json}\n\ndata: [DONE]\n\n")), GDP_QUESTION)
    assert text == "" and answer.notes == [UNAVAILABLE_NOTE]


def test_stream_past_the_timeout_ends_with_offline_answer(llm_assistant):
    _, answer = stream_of(llm_assistant(Reply("x", delay=5), llm_timeout=0.3), GDP_QUESTION)
    assert answer.notes == [UNAVAILABLE_NOTE]


def test_stream_of_server_error_ends_with_offline_answer(llm_assistant):
    _, answer = stream_of(llm_assistant(Reply(status=500)), GDP_QUESTION)
    assert answer.notes == [UNAVAILABLE_NOTE]


# --- question rewriting ------------------------------------------------------------------------

def test_rewrite_turns_a_followup_into_a_standalone_question(llm_assistant, fake_llm):
    llm = llm_assistant(Reply("改写后的问题：“拱墅区2023年新增停车泊位目标是多少？”\n"))
    history = ["滨江区2023年新增停车泊位目标是多少?",
               {"role": "assistant", "content": "滨江区（2023年目标）：新增停车泊位3000个[1]。"}]
    standalone = llm.answerer.rewrite_question(history, "那拱墅区呢?", fallback=llm.reader.resolve)
    assert standalone == "拱墅区2023年新增停车泊位目标是多少？"
    prompt = fake_llm.requests[-1]["messages"][-1]["content"]
    assert "用户：滨江区2023年新增停车泊位目标是多少?" in prompt and "[1]" not in prompt
    assert "最新问题：那拱墅区呢?" in prompt


def test_rewrite_falls_back_to_rules_when_the_endpoint_fails(llm_assistant):
    llm = llm_assistant(Reply(status=500))
    history = ["滨江区2023年新增停车泊位目标是多少?"]
    standalone = llm.answerer.rewrite_question(history, "那拱墅区呢?", fallback=llm.reader.resolve)
    assert standalone == llm.reader.resolve("那拱墅区呢?", history)


@pytest.mark.parametrize("rewrite", [
    "拱墅区2023年新增停车泊位目标是多少？不少于9999个[1]",  # a figure the user never gave
    "滨江区2023年新增停车泊位目标是多少？",  # the district the follow-up names is lost
    "拱墅区和西湖区2023年新增停车泊位目标是多少？",  # a place the user never named
    "拱墅区2024年新增停车泊位目标是多少？",  # a year the user never named
    "拱墅区去年新增停车泊位目标是多少？",  # a relative year the user never said
])
def test_rewrite_that_changes_what_the_user_said_is_replaced_by_the_rules(llm_assistant, caplog, rewrite):
    def reply(request: dict) -> str:
        if "最新问题" in request["messages"][-1]["content"]:
            return rewrite
        return f"拱墅区2023年{GONGSHU_PARKING}[{number_of(request, GONGSHU_PARKING)}]。"

    llm = llm_assistant(Reply(reply))
    with caplog.at_level(logging.WARNING, logger="assistant.answer.answerers.llm"):
        answer = llm.ask("那拱墅区呢?", history=PARKING_HISTORY)
    assert answer.standalone_question == llm.reader.resolve("那拱墅区呢?", [PARKING_HISTORY[0]])
    assert answer.answerer == "llm" and GONGSHU_PARKING in answer.answer and answer.districts == ["拱墅区"]
    assert "9999" not in json.dumps(answer.to_dict(), ensure_ascii=False) and "rule-based" in caplog.text


def test_rewrite_may_name_the_city_of_a_district_the_user_named(llm_assistant):
    llm = llm_assistant(Reply("杭州市拱墅区2023年新增停车泊位目标是多少？"))
    standalone = llm.answerer.rewrite_question(PARKING_HISTORY, "那拱墅区呢?", fallback=llm.reader.resolve)
    assert standalone == "杭州市拱墅区2023年新增停车泊位目标是多少？"


def test_rewrite_without_history_asks_nothing(llm_assistant, fake_llm, request):
    llm = llm_assistant(Reply("不该被用到"))
    assert llm.answerer.rewrite_question([], GDP_QUESTION, fallback=llm.reader.resolve) == GDP_QUESTION
    assert not fake_llm.requests_for(request.node.name)


# --- configuration ------------------------------------------------------------------------------

def test_llm_answerer_without_endpoint_is_a_user_error(settings):
    with pytest.raises(UserError, match="ASSISTANT_LLM_BASE_URL"):
        make_answerer(settings.replace(answerer="llm"), lambda term: 1.0)


def test_missing_langchain_openai_names_the_extra(settings, monkeypatch):
    monkeypatch.setitem(sys.modules, "langchain_openai", None)  # import fails as if not installed
    with pytest.raises(UserError, match=r"pip install -e '\.\[llm\]'"):
        LLMAnswerer(settings.replace(answerer="llm", llm_base_url="http://127.0.0.1:9/v1", llm_model="m"),
                    lambda term: 1.0)


# --- the guard on tricky figures ----------------------------------------------------------------

def passage(text: str, n: int = 1) -> Citation:
    return Citation(n=n, doc_id="d", title="t", district="滨江区", section="s", text=text, start=0,
                    end=len(text), score=1.0)


def scored(text: str, n: int) -> ScoredChunk:
    chunk = Chunk(id=f"c{n}", doc_id="d", title="t", district="滨江区", year=2023, period="target",
                  section="s", start=100 * n, end=100 * n + len(text), text=text)
    return ScoredChunk(chunk, 1.0)


@pytest.mark.parametrize("claim, stated", [
    ("引进人才38000人[1]", "全年引进各类人才3.8万人。"),
    ("引进人才3.8万人[1]", "全年引进各类人才38000人。"),
    ("引进人才3.8 万人[1]", "全年引进各类人才3.8万人。"),
    ("地区生产总值增长5%[1]", "地区生产总值增长确保5.0%,力争5.5%以上。"),
    ("地区生产总值增长5.0%[1]", "地区生产总值增长确保5%。"),
    ("2023年的目标已经明确[1]", "今年经济工作的总体要求是稳中求进。"),
    ("第五届进博会期间签约[1]", "积极参加进博会,签约项目多个。"),
])
def test_guard_accepts_the_same_figure_however_written(claim, stated):
    assert ungrounded_figures(claim, [passage(stated)]) == []


@pytest.mark.parametrize("claim, stated", [
    ("地区生产总值增长50%[1]", "地区生产总值增长确保5.0%。"),
    ("增长5个百分点[1]", "地区生产总值增长确保5.0%。"),
    ("引进人才3.8万人[1]", "全年引进各类人才3800人。"),
    ("引进人才380000人[1]", "全年引进各类人才3.8万人。"),
])
def test_guard_rejects_a_different_amount_or_unit(claim, stated):
    assert len(ungrounded_figures(claim, [passage(stated)])) == 1


def test_guard_rejects_a_figure_after_the_last_marker():
    text = "引进人才3.8万人[1]，其中博士500人。"
    assert [f.text for f in ungrounded_figures(text, [passage("全年引进各类人才3.8万人,其中博士500人。")])] \
        == ["500人"]


def test_years_and_ordinals_need_no_citation():
    assert ungrounded_figures("2023年是第五届区人大召开之年，也是“十四五”的关键之年。", []) == []


def test_check_answer_reads_loose_marker_styles_and_renumbers_by_first_use():
    passages = [scored("新增托位500个。", 1), scored("新增停车泊位3000个。", 2)]
    checked = check_answer("新增停车泊位3000个【2】，托位500个[1, 2]。", passages)
    assert checked.text == "新增停车泊位3000个[1]，托位500个[2][1]。"
    assert [c.text for c in checked.citations] == ["新增停车泊位3000个。", "新增托位500个。"]
    assert checked.ungrounded == [] and checked.dropped == []


def test_check_answer_quotes_the_sentence_stating_the_figure():
    text = "经济运行平稳。新增停车泊位3000个,其中公共泊位800个。托位500个。"
    checked = check_answer("新增停车泊位3000个[1]。", [scored(text, 1)])
    citation = checked.citations[0]
    assert citation.quote == "新增停车泊位3000个,其中公共泊位800个。"
    assert text[citation.quote_start - citation.start:citation.quote_end - citation.start] == citation.quote


# Assistant-level behaviour: streaming delegated to the answerer, follow-ups rewritten by the model.

def test_assistant_stream_passes_the_checked_sentences_through(llm_assistant, fake_llm):
    llm = llm_assistant(Reply(lambda r: f"滨江区2022年新增注册企业{FIRMS}[{number_of(r, FIRMS)}]。"
                                        f"地区生产总值达{GDP}[{number_of(r, GDP)}]。"))
    *pieces, answer = llm.stream("滨江区2022年地区生产总值是多少?")
    assert isinstance(answer, Answer) and answer.answerer == "llm"
    assert pieces == [f"滨江区2022年新增注册企业{FIRMS}[1]。", f"地区生产总值达{GDP}[2]。"]
    assert fake_llm.requests[-1]["stream"] is True
    assert answer.timings["retrieve_ms"] > 0 and answer.latency_ms > 0


def test_assistant_stream_of_an_out_of_scope_question_asks_no_model(llm_assistant, fake_llm, request):
    llm = llm_assistant(Reply("不该被用到"))
    *_, answer = llm.stream("西湖区2023年新增停车泊位目标是多少?")
    assert answer.abstained and not fake_llm.requests_for(request.node.name)


def test_assistant_uses_the_model_rewrite_for_followups(llm_assistant, fake_llm):
    def reply(request: dict) -> str:
        if "最新问题" in request["messages"][-1]["content"]:
            return "滨江区2022年规上工业增加值是多少？"
        return f"滨江区2022年规上工业增加值756.4亿元[{number_of(request, '756.4亿元')}]。"

    llm = llm_assistant(Reply(reply))
    answer = llm.ask("那规上工业呢?", history=["滨江区2022年地区生产总值是多少?"])
    assert answer.standalone_question == "滨江区2022年规上工业增加值是多少？"
    assert answer.answerer == "llm" and "756.4亿元" in answer.answer


def test_eval_with_the_llm_answerer_counts_guard_rejections(llm_assistant, fake_llm):
    from assistant.evaluation.runner import load_gold_for, run_eval
    from tests.conftest import GOLD

    llm = llm_assistant(Reply("滨江区2022年地区生产总值达9999.9亿元[1]。"))
    items = [i for i in load_gold_for(llm, GOLD) if i.id in ("g001", "g002")]
    run = run_eval(llm, items, "two")
    assert run.answerer == "llm"
    assert run.summary["overall"]["llm_rejected"] == 2
    assert "9999.9" not in " ".join(r["answer"] for r in run.items)
    assert all(r["llm_rejected"] for r in run.items)
