"""The evaluation tab: run a packaged, saved or uploaded gold file through the same Assistant, see
the metrics and the items it got wrong, and compare two runs (`assistant eval --compare`) with
the items fixed and broken between them listed."""

from __future__ import annotations

import shutil
from functools import partial
from html import escape
from pathlib import Path
from urllib.parse import quote

import gradio as gr

from assistant.errors import UserError
from assistant.evaluation.gold import gold_files
from assistant.evaluation.report import COLUMNS, read_run, run_changes, table_rows, verdict_text, write_reports
from assistant.evaluation.runner import EvalRun, load_gold_for, run_eval
from assistant.lang.zh.messages import listing, message
from assistant.web.chat import LiveAssistant

FAILURE_HEADERS = [message(f"web.eval.failure_columns.{c}")
                   for c in ("id", "type", "question", "expected", "answer", "verdict")]
METRIC_HEADERS = [message(f"eval.columns.{c}") for c in ("type", *COLUMNS)]
CHANGE_KINDS = ("broken", "fixed")  # regressions first: they are what a change must not bring


def note(sentence: str) -> str:
    return f'<div class="eval-note">{escape(sentence)}</div>'


def _reports(live: LiveAssistant) -> Path:
    return live.settings.eval_dir / "reports"


def gold_choices(live: LiveAssistant, chosen: str | None = None) -> gr.Dropdown:
    """The gold files (packaged ones first, then the eval folder's), `chosen` selected if listed."""
    names = list(gold_files(live.settings.eval_dir))
    return gr.Dropdown(choices=names, value=chosen if chosen in names else names[0])


def saved_runs(folder: Path) -> list[tuple[Path, EvalRun]]:
    """Every run report in `folder`, newest first; files that are not run reports are left out."""
    runs = []
    for path in sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True):
        try:
            runs.append((path, read_run(path)))
        except UserError:
            continue
    return runs


def run_choices(runs: list[tuple[Path, EvalRun]], chosen: Path | None) -> gr.Dropdown:
    """A picker of saved runs, labelled by file name and accuracy."""
    labels = [(message("web.eval.compare.run_label", name=path.stem, accuracy=run.summary.get("overall", {})
                       .get("accuracy", 0.0)), str(path)) for path, run in runs]
    return gr.Dropdown(choices=labels, value=str(chosen) if chosen else None)


def download_links(paths: list[Path]) -> str:
    """Links to the run's report files, each named in full (they are served from the eval folder,
    which the app allows)."""
    links = [f'<a href="gradio_api/file={quote(str(path.resolve()))}" download="{escape(path.name)}">'
             f"{escape(path.name)}</a>" for path in paths]
    return f'<div class="eval-note">{escape(message("web.eval.files"))}{message("common.label_separator")}' \
           + " · ".join(links) + "</div>"


def failure_rows(run: EvalRun) -> list[list[str]]:
    """One row per item the run got wrong: id, type, question, expected, answer, verdict."""
    return [[r["id"], message(f"eval.types.{r['type']}"), r["question"], listing(r["expected"]), r["answer"],
             verdict_text(r["verdict"])] for r in run.items if not r["correct"]]


def metric_rows(run: EvalRun) -> list[list[str]]:
    """The metrics table of the CLI report, with the question types named in Chinese."""
    return [[message(f"eval.types.{kind}"), *cells] for kind, *cells in table_rows(run)]


def summary_sentence(run: EvalRun, name: str) -> str:
    """The status line above the table, as HTML (the file name escaped)."""
    overall = run.summary["overall"]
    failures = sum(not r["correct"] for r in run.items)
    return note(message("web.eval.summary", gold=name, count=int(overall["n"]), accuracy=overall["accuracy"],
                        failures=failures, answerer=message(f"eval.answerers.{run.answerer}")))


def comparison(before: EvalRun, after: EvalRun, before_name: str, after_name: str) -> str:
    """The `--compare` view as HTML: accuracy before and after, then each item that changed."""
    changes = run_changes(before, after)
    old, new = (run.summary.get("overall", {}).get("accuracy", 0.0) for run in (before, after))
    head = message("web.eval.compare.summary", before=before_name, after=after_name, old=old, new=new,
                   fixed=len(changes["fixed"]), broken=len(changes["broken"]))
    parts = [f'<div class="add-result eval-changes"><div class="add-head">{escape(head)}</div>']
    rows = [(kind, change) for kind in CHANGE_KINDS for change in changes[kind]]
    if rows:
        headers = "".join(f"<th>{escape(message(f'web.eval.compare.columns.{c}'))}</th>"
                          for c in ("change", "id", "type", "question", "before", "after", "verdict"))
        body = "".join(_change_row(kind, change) for kind, change in rows)
        # Scrolls sideways on a phone rather than squeezing the answers to a character per line.
        parts.append(f'<div style="overflow-x:auto"><table class="add-table" style="min-width:760px">'
                     f"<thead><tr>{headers}</tr></thead><tbody>{body}</tbody></table></div>")
    return "".join(parts) + "</div>"


def _change_row(kind: str, change: dict) -> str:
    cells = [message(f"web.eval.compare.{kind}"), change["id"], message(f"eval.types.{change['type']}"),
             change["question"], change["before"], change["after"], verdict_text(change["verdict"])]
    short = '<td style="white-space:nowrap">'  # change, id and type: a word each, never broken
    return (f'<tr class="change-{kind}">' + "".join(f"{short if i < 3 else '<td>'}{escape(c)}</td>"
                                                     for i, c in enumerate(cells)) + "</tr>")


def compare_saved(before: str | None, after: str | None) -> str:
    """Compare two saved runs chosen in the tab, or say what to choose."""
    if not before or not after or before == after:
        return note(message("web.eval.compare.choose_two"))
    try:
        return comparison(read_run(Path(before)), read_run(Path(after)), Path(before).stem, Path(after).stem)
    except UserError as exc:
        return note(str(exc))


def add_gold(live: LiveAssistant, upload: str | None) -> tuple[str, gr.Dropdown]:
    """Check an uploaded gold file against the indexed reports and keep it in the eval folder, so
    it is listed from now on; a file that cannot be used is refused in one sentence."""
    if not upload:
        return gr.skip(), gr.skip()
    source = Path(upload)
    name = source.stem + ".jsonl"
    try:
        items = load_gold_for(live.assistant, source)
    except UserError as exc:  # the sentence names the file as the user knows it, not Gradio's copy
        return note(str(exc).replace(str(source), source.name)), gr.skip()
    folder = live.settings.eval_dir
    target = folder / name
    if target.exists() and target.read_bytes() != source.read_bytes():
        return note(message("web.eval.upload.name_taken", name=name, folder=folder.resolve())), gr.skip()
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return note(message("web.eval.upload.uploaded", name=name, count=len(items))), gold_choices(live, name)


def run_gold(live: LiveAssistant, name: str | None, progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008 (Gradio finds its progress bar by this default)
    """Evaluate the chosen gold file: status, metrics, chart, failures, report files, the runs to
    compare (this one against the previous run of the same file) and that comparison."""
    eval_dir = live.settings.eval_dir
    try:
        if not name or name not in gold_files(eval_dir):
            raise UserError(message("web.eval.no_gold", folder=eval_dir.resolve()))
        items = load_gold_for(live.assistant, gold_files(eval_dir)[name])
    except UserError as exc:
        return note(str(exc)), [], gr.Image(visible=False), [], "", gr.skip(), gr.skip(), gr.skip()
    running, unit = message("web.eval.running"), message("web.eval.unit")
    progress((0, len(items)), desc=running, unit=unit)
    run = run_eval(live.assistant, items, gold_name=name,
                   progress=lambda done, total: progress((done, total), desc=running, unit=unit))
    paths = write_reports(run, _reports(live))
    runs = saved_runs(_reports(live))
    previous = next(((path, old) for path, old in runs if path != paths["json"] and old.gold == name), None)
    changes = (comparison(previous[1], run, previous[0].stem, paths["json"].stem) if previous
               else note(message("web.eval.compare.first_run", gold=name)))
    return (summary_sentence(run, name), metric_rows(run), gr.Image(str(paths["png"]), visible=True),
            failure_rows(run), download_links([paths[kind] for kind in ("md", "json", "png", "reliability")]),
            run_choices(runs, previous[0] if previous else None), run_choices(runs, paths["json"]), changes)


def opened(live: LiveAssistant) -> tuple[gr.Dropdown, gr.Dropdown, gr.Dropdown]:
    """A new page lists the gold files and saved runs as they are now (the latest two picked)."""
    runs = saved_runs(_reports(live))
    return (gold_choices(live), run_choices(runs, runs[1][0] if len(runs) > 1 else None),
            run_choices(runs, runs[0][0] if runs else None))


def build_eval_tab(demo: gr.Blocks, live: LiveAssistant) -> None:
    """The 评测 tab's components and events (call inside `demo`); its lists are re-read on load."""
    gr.HTML(note(message("web.eval.intro", folder=live.settings.eval_dir.resolve())))
    with gr.Row(equal_height=False, elem_id="eval-controls"):
        gold = gr.Dropdown(list(gold_files(live.settings.eval_dir)), label=message("web.eval.gold_file"), scale=4,
                           elem_id="gold-file")
        with gr.Column(scale=1, min_width=160):
            run = gr.Button(message("web.eval.run"), variant="primary", elem_id="run-eval")
            upload = gr.UploadButton(message("web.eval.upload.button"), file_types=[".jsonl"], size="sm",
                                     elem_id="gold-upload")
    status = gr.HTML(elem_id="eval-status", min_height=64)  # the one progress bar shows here, inside it
    metrics = gr.Dataframe(headers=METRIC_HEADERS, label=message("web.eval.metrics"), interactive=False,
                           elem_id="eval-metrics")
    # The chart appears with the first run, rather than as an empty box before it.
    chart = gr.Image(label=message("web.eval.chart"), show_label=False, type="filepath", interactive=False,
                     elem_id="eval-chart", buttons=["download"], visible=False)
    files = gr.HTML(elem_id="eval-files")
    # Widths in pixels: on a phone the table scrolls sideways instead of a character per line.
    failures = gr.Dataframe(headers=FAILURE_HEADERS, label=message("web.eval.failures"), interactive=False,
                            wrap=True, show_search="search", max_height=480, elem_id="eval-failures",
                            column_widths=["80px", "90px", "280px", "140px", "420px", "230px"])
    gr.HTML(f'<h3 class="index-heading">{escape(message("web.eval.compare.heading"))}</h3>')
    with gr.Row(equal_height=False, elem_id="compare-controls"):
        before = gr.Dropdown([], label=message("web.eval.compare.before"), scale=3, min_width=260,
                             elem_id="run-before")
        after = gr.Dropdown([], label=message("web.eval.compare.after"), scale=3, min_width=260, elem_id="run-after")
        compare = gr.Button(message("web.eval.compare.button"), scale=0, min_width=100, elem_id="compare-runs")
    changes = gr.HTML(elem_id="eval-compare")
    upload.upload(partial(add_gold, live), upload, [status, gold])
    run.click(partial(run_gold, live), gold, [status, metrics, chart, failures, files, before, after, changes],
              concurrency_id="eval", concurrency_limit=1, show_progress_on=[status])
    compare.click(compare_saved, [before, after], changes, show_progress="hidden")
    demo.load(partial(opened, live), None, [gold, before, after], show_progress="hidden")
