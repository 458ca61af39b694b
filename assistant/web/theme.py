"""The web page's look and its one small script: system fonts only, nothing fetched from outside."""

from __future__ import annotations

import json

import gradio as gr

from assistant.lang.zh.messages import message

# Fonts already on the reader's machine (Chinese first); the page downloads none.
SANS = ("PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC",
        "Source Han Sans SC", "WenQuanYi Micro Hei", "system-ui", "sans-serif")
MONO = ("SFMono-Regular", "Menlo", "Consolas", "Noto Sans Mono CJK SC", "monospace")


def make_theme() -> gr.themes.Base:
    """A calm blue theme with local fonts (Gradio's defaults would otherwise name web fonts)."""
    return gr.themes.Soft(primary_hue="blue", secondary_hue="sky", neutral_hue="slate",
                          font=list(SANS), font_mono=list(MONO)).set(
        body_text_size="15px", block_title_text_weight="600")


PAGE_CSS = """
.gradio-container { max-width: 1280px !important; width: 100% !important; margin: 0 auto; }
.gradio-container .tabitem { width: 100%; }
#app-header h1 { font-size: 1.5rem; margin: 0.2rem 0 0; letter-spacing: 0.02em; }
#app-header p { color: var(--body-text-color-subdued); margin: 0.2rem 0 0.4rem; }
#chat-box { height: 560px; overflow-y: auto !important; border: 1px solid var(--border-color-primary);
  border-radius: 12px; background: var(--background-fill-secondary); padding: 14px; }
.chat { display: flex; flex-direction: column; gap: 10px; }
.msg { max-width: 88%; border-radius: 12px; padding: 10px 14px; line-height: 1.75;
  font-size: 15px; white-space: pre-wrap; word-break: break-word; }
#chat-box .msg.user, #chat-box .msg.user .body { align-self: flex-end; background: #2563eb; color: #fff; }
.msg.bot { align-self: flex-start; background: var(--background-fill-primary);
  border: 1px solid var(--border-color-primary); color: var(--body-text-color); }
.msg.bot.abstain { background: #fffbeb; border-color: #fcd34d; }
.dark .msg.bot.abstain { background: #3b2f0b; border-color: #a16207; }
.abstain-title, .not-found { font-weight: 600; color: #b45309; }
.doubtful { font-size: .9em; color: #b45309; margin-bottom: .3em; }
.msg.bot.error { background: #fef2f2; border-color: #fca5a5; color: #991b1b; }
.dark .msg.bot.error { background: #450a0a; color: #fecaca; }
.msg .hint, .msg .meta { font-size: 12.5px; color: var(--body-text-color-subdued); white-space: normal; }
.msg .foot { display: flex; align-items: center; justify-content: space-between; gap: 12px; margin-top: 6px; }
.copy-answer { font-size: 12px; color: var(--body-text-color-subdued); background: none;
  border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 1px 8px; cursor: pointer; }
.copy-answer:hover { color: var(--color-accent); border-color: var(--color-accent); }
.cite { font-size: 12px; font-weight: 600; color: #1d4ed8; background: #dbeafe; border: none;
  border-radius: 5px; padding: 0 4px; margin: 0 1px; cursor: pointer; vertical-align: 1px; }
.cite:hover { background: #bfdbfe; }
.thinking { color: var(--body-text-color-subdued); }
.cmp-wrap { max-width: 100%; overflow-x: auto; margin: 8px 0 2px; white-space: normal;
  -webkit-overflow-scrolling: touch; }
.cmp-table { border-collapse: collapse; font-size: 14px; line-height: 1.5; white-space: nowrap; }
.cmp-table th, .cmp-table td { border: 1px solid var(--border-color-primary); padding: 4px 10px; text-align: left; }
.cmp-table thead th { background: var(--background-fill-secondary); font-weight: 600; }
.cmp-table tbody th { font-weight: 600; }
.welcome { color: var(--body-text-color); padding: 8px 6px; line-height: 1.8; }
.welcome-title { font-size: 1.15rem; font-weight: 600; margin-bottom: 4px; }
.welcome ul { margin: 4px 0 0 0; padding-left: 1.1rem; }
.welcome-sub { margin-bottom: 0; color: var(--body-text-color-subdued); }
.tag { display: inline-block; font-size: 12px; border-radius: 999px; padding: 0 8px; margin-right: 6px;
  background: #e0f2fe; color: #075985; }
#sources-box { max-height: 820px; overflow-y: auto !important; }
.sources .src-group { display: none; }
.sources .src-group.active { display: block; }
.src-question { font-size: 12.5px; color: var(--body-text-color-subdued); margin-bottom: 2px; }
.src-heading { font-size: 0.95rem; margin: 0 0 8px; }
.src-empty { color: var(--body-text-color-subdued); line-height: 1.8; padding: 8px 2px; }
.src-card { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 10px 12px;
  margin-bottom: 10px; background: var(--background-fill-primary); cursor: pointer;
  transition: box-shadow 0.2s, border-color 0.2s; }
.src-card:hover { border-color: #93c5fd; }
.src-card.flash { border-color: #2563eb; box-shadow: 0 0 0 3px #bfdbfe; }
.src-head { display: flex; align-items: center; gap: 4px; margin-bottom: 4px; }
.src-n { font-weight: 700; color: #1d4ed8; margin-right: 4px; }
.src-title { font-weight: 600; font-size: 14px; line-height: 1.5; }
.src-section { font-size: 12.5px; color: var(--body-text-color-subdued); margin: 2px 0 6px; line-height: 1.5; }
.src-text { font-size: 14px; line-height: 1.8; white-space: pre-wrap; color: var(--body-text-color-subdued); }
.src-text mark { color: var(--body-text-color); }
.src-text mark, .ctx mark { background: #fef08a; color: var(--body-text-color); padding: 0 1px; border-radius: 3px; }
.dark .src-text mark, .dark .ctx mark { background: #854d0e; }
.fig { color: #b91c1c; }
.dark .fig { color: #fca5a5; }
.src-context summary { font-size: 12.5px; color: #2563eb; cursor: pointer; margin-top: 6px; }
.src-context .when-open, .src-context[open] .when-closed { display: none; }
.src-context[open] .when-open { display: inline; }
.src-card:has(.src-context[open]) .src-text { display: none; }
.ctx { font-size: 13.5px; line-height: 1.8; white-space: pre-wrap; margin-top: 6px; padding: 8px 10px;
  color: var(--body-text-color-subdued);
  border-left: 3px solid #93c5fd; background: var(--background-fill-secondary); border-radius: 4px; }
.ctx-passage { background: #eff6ff; color: var(--body-text-color); }
.dark .ctx-passage { background: #1e3a8a; }
#question-box textarea { font-size: 15px; }
.index-meta, .eval-note { color: var(--body-text-color-subdued); font-size: 13px; }
.index-heading { font-size: 1.05rem; margin: 14px 0 0; }
.add-result { font-size: 14px; line-height: 1.7; }
.add-head { font-weight: 600; margin: 4px 0; }
.add-head.refused { color: #b45309; margin-top: 10px; }
.add-table { width: 100%; border-collapse: collapse; margin: 4px 0; }
.add-table th, .add-table td { border: 1px solid var(--border-color-primary); padding: 4px 8px; text-align: left;
  vertical-align: top; }
.add-table th { background: var(--background-fill-secondary); font-weight: 600; }
.add-source { font-size: 12.5px; color: var(--body-text-color-subdued); }
.add-hint { font-size: 13px; color: var(--body-text-color-subdued); }
.refused-list { margin: 2px 0 0; padding-left: 1.2rem; }
#remove-row { align-items: flex-end; }
"""

# Delegated clicks: a [n] marker or a source card opens that source's context in the panel;
# the copy button copies the answer and its sources as plain text, and says so for a moment in
# its data-copied text. Gradio writes "Search..." into table search boxes; the script puts the
# catalogue's word there instead (SEARCH_HINT is replaced by it, as a JSON string).
PAGE_JS = """
() => {
  if (window.reportQaWired) return;
  window.reportQaWired = true;
  const showSource = (turn, n) => {
    const panel = document.querySelector('#sources-box');
    if (!panel) return;
    panel.querySelectorAll('.src-group').forEach(g => g.classList.toggle('active', g.dataset.turn === turn));
    const card = panel.querySelector(`#src-${turn}-${n}`);
    if (!card) return;
    const details = card.querySelector('details');
    if (details) details.open = true;
    card.scrollIntoView({block: 'nearest', behavior: 'smooth'});
    card.classList.add('flash');
    setTimeout(() => card.classList.remove('flash'), 1500);
  };
  const copy = async (button) => {
    const text = button.dataset.copy || '';
    try { await navigator.clipboard.writeText(text); }
    catch (err) {
      const area = document.createElement('textarea');
      area.value = text; document.body.appendChild(area); area.select();
      document.execCommand('copy'); area.remove();
    }
    button.dataset.label = button.dataset.label || button.textContent;
    button.textContent = button.dataset.copied;
    setTimeout(() => { button.textContent = button.dataset.label; }, 1500);
  };
  // Keep the newest message in view while an answer streams in; name table search boxes in Chinese.
  new MutationObserver(() => {
    document.querySelectorAll('input.search-input').forEach(input => {
      if (input.placeholder !== SEARCH_HINT) input.placeholder = SEARCH_HINT;
    });
    const box = document.querySelector('#chat-box');
    if (box && box.dataset.length !== String(box.innerHTML.length)) {
      box.dataset.length = String(box.innerHTML.length);
      box.scrollTop = box.scrollHeight;
    }
  }).observe(document.body, {childList: true, subtree: true, characterData: true});
  document.addEventListener('click', (event) => {
    const marker = event.target.closest('.cite[data-cite]');
    if (marker) { showSource(marker.dataset.turn, marker.dataset.cite); return; }
    const button = event.target.closest('.copy-answer');
    if (button) { copy(button); return; }
    const card = event.target.closest('.src-card');
    if (card && !event.target.closest('summary') && !String(window.getSelection())) {
      const details = card.querySelector('details');
      if (details) details.open = !details.open;
    }
  });
}
""".replace("SEARCH_HINT", json.dumps(message("web.eval.search"), ensure_ascii=False))
