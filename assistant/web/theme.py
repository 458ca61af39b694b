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
:root { --qa-mark-bg: #fef08a; --qa-mark-text: #1f2937; --qa-fig: #b91c1c; --qa-passage-bg: #eff6ff;
  --qa-abstain-bg: #fffbeb; --qa-abstain-border: #fcd34d; --qa-warn: #b45309; --qa-tag-bg: #e0f2fe;
  --qa-tag-text: #075985; --qa-cite-bg: #dbeafe; --qa-cite-text: #1d4ed8; }
.dark { --qa-mark-bg: #713f12; --qa-mark-text: #fef9c3; --qa-fig: #fecaca; --qa-passage-bg: #1e3a5f;
  --qa-abstain-bg: #3b2f0b; --qa-abstain-border: #a16207; --qa-warn: #fbbf24; --qa-tag-bg: #0c4a6e;
  --qa-tag-text: #e0f2fe; --qa-cite-bg: #1e3a8a; --qa-cite-text: #bfdbfe; }
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
.msg.bot.abstain { background: var(--qa-abstain-bg); border-color: var(--qa-abstain-border); }
.abstain-title, .not-found { font-weight: 600; color: var(--qa-warn); }
.doubtful { font-size: .9em; color: var(--qa-warn); margin-bottom: .3em; }
.msg.bot.error { background: #fef2f2; border-color: #fca5a5; color: #991b1b; }
.dark .msg.bot.error { background: #450a0a; color: #fecaca; }
.msg .hint, .msg .meta { font-size: 12.5px; color: var(--body-text-color-subdued); white-space: normal; }
.msg .foot { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between;
  gap: 4px 12px; margin-top: 6px; white-space: normal; }
.msg .actions, .table-tools, .chat-tools { display: flex; flex-wrap: wrap; gap: 4px; align-items: center; }
.chat-tools { justify-content: flex-end; }
.actions button, .table-tools button, .chat-tools button { font-size: 12px; line-height: 1.6;
  color: var(--body-text-color-subdued); background: none; white-space: nowrap; flex: none;
  border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 1px 8px; cursor: pointer; }
.actions button:hover, .table-tools button:hover, .chat-tools button:hover, .actions .fb.chosen {
  color: var(--color-accent); border-color: var(--color-accent); }
.actions .fb svg { vertical-align: -2px; }
.fb-saved { font-size: 12px; color: var(--body-text-color-subdued); white-space: nowrap; }
.open-sources { display: none; }
.back-to-answer { display: none; }
.cite-run { white-space: nowrap; }
.cite { font-size: 12px; font-weight: 600; color: var(--qa-cite-text); background: var(--qa-cite-bg); border: none;
  border-radius: 5px; padding: 0 4px; margin: 0 1px; cursor: pointer; vertical-align: 1px; }
.cite:hover { filter: brightness(0.95); }
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
  background: var(--qa-tag-bg); color: var(--qa-tag-text); }
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
.src-n { font-weight: 700; color: var(--qa-cite-text); margin-right: 4px; }
.src-title { font-weight: 600; font-size: 14px; line-height: 1.5; }
.src-section { font-size: 12.5px; color: var(--body-text-color-subdued); margin: 2px 0 6px; line-height: 1.5; }
.src-text { font-size: 14px; line-height: 1.8; white-space: pre-wrap; color: var(--body-text-color-subdued); }
.src-text mark, .ctx mark { background: var(--qa-mark-bg); color: var(--qa-mark-text); padding: 0 1px;
  border-radius: 3px; }
.fig { color: var(--qa-fig); }
.src-context summary { font-size: 12.5px; color: var(--color-accent); cursor: pointer; margin-top: 6px; }
.src-context .when-open, .src-context[open] .when-closed { display: none; }
.src-context[open] .when-open { display: inline; }
.src-card:has(.src-context[open]) .src-text { display: none; }
.ctx { font-size: 13.5px; line-height: 1.8; white-space: pre-wrap; margin-top: 6px; padding: 8px 10px;
  color: var(--body-text-color-subdued);
  border-left: 3px solid #93c5fd; background: var(--background-fill-secondary); border-radius: 4px; }
.ctx-passage { background: var(--qa-passage-bg); color: var(--body-text-color); }
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
/* A phone: the chat and its input fit the first screen under the title; the sources are a drawer
   over the chat, opened from an answer's markers or its sources button, closed by its back button. Inside
   @media Gradio keeps only its container-prefixed copy, so these selectors stay inside the app. */
@media (max-width: 768px) {
  #app-header h1 { font-size: 1.25rem; }
  #app-header p { font-size: 13px; line-height: 1.5; margin-bottom: 0; }
  #chat-box { height: calc(100svh - 330px); min-height: 300px; padding: 10px; }
  .msg { max-width: 94%; padding: 8px 11px; }
  .open-sources, .back-to-answer { display: inline-block; }
  #sources-col { position: fixed !important; inset: 0; z-index: 1000; margin: 0 !important; padding: 12px;
    width: 100vw !important; min-width: 0 !important; max-width: 100vw; overflow-y: auto;
    background: var(--background-fill-primary); transform: translateX(105%); transition: transform 0.2s; }
  #sources-col.open { transform: none; box-shadow: 0 0 24px rgba(0, 0, 0, 0.25); }
  #sources-box { max-height: none; }
  .back-to-answer { position: sticky; top: -12px; z-index: 1; width: 100%; margin: -12px 0 8px; font-size: 14px;
    text-align: left; padding: 10px 12px; border: none; border-bottom: 1px solid var(--border-color-primary);
    background: var(--background-fill-primary); color: var(--color-accent); cursor: pointer; }
  #question-box textarea::placeholder { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
}
"""

# Delegated clicks: a [n] marker or a source card opens that source's context in the panel (on a
# phone the panel is a drawer, closed by its 返回回答 button); copy buttons copy the answer or the
# table as text; export buttons save the answer or the conversation as Markdown, and the table as
# CSV (the Excel one is built by the server, see chat.CHAT_JS). Gradio writes "Search..." into
# table search boxes; the script puts the catalogue's word there instead (SEARCH_HINT).
PAGE_JS = """
() => {
  if (window.reportQa) return;
  const phone = () => window.matchMedia('(max-width: 768px)').matches;
  const drawer = (open) => document.querySelector('#sources-col')?.classList.toggle('open', open);
  const download = (name, data, type) => {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([data], {type}));
    link.download = name;
    document.body.appendChild(link); link.click(); link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  };
  window.reportQa = {download};
  const showSource = (turn, n) => {
    const panel = document.querySelector('#sources-box');
    if (!panel) return;
    panel.querySelectorAll('.src-group').forEach(g => g.classList.toggle('active', g.dataset.turn === turn));
    if (phone()) drawer(true);
    const card = n && panel.querySelector(`#src-${turn}-${n}`);
    if (!card) return;
    const details = card.querySelector('details');
    if (details) details.open = true;
    card.scrollIntoView({block: 'nearest', behavior: 'smooth'});
    card.classList.add('flash');
    setTimeout(() => card.classList.remove('flash'), 1500);
  };
  const copy = async (button, text) => {
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
  const csv = (tsv) => '\\ufeff' + tsv.split('\\n').map(line => line.split('\\t')
    .map(cell => /[",\\n]/.test(cell) ? '"' + cell.replaceAll('"', '""') + '"' : cell).join(',')).join('\\r\\n');
  // Keep the newest message in view while an answer streams in; name table search boxes in Chinese.
  // The height is read at the next frame, once the page is laid out anyway: read at each change,
  // it would lay the page out again in the middle of an update.
  let scrolling = false;
  new MutationObserver((changes) => {
    document.querySelectorAll('input.search-input').forEach(input => {
      if (input.placeholder !== SEARCH_HINT) input.placeholder = SEARCH_HINT;
    });
    const box = document.querySelector('#chat-box');
    if (!box || scrolling || !changes.some(change => box.contains(change.target))) return;
    scrolling = true;
    requestAnimationFrame(() => {
      scrolling = false;
      if (box.dataset.height === String(box.scrollHeight)) return;
      box.dataset.height = String(box.scrollHeight);
      box.scrollTop = box.scrollHeight;
    });
  }).observe(document.body, {childList: true, subtree: true, characterData: true});
  // The question box takes the keyboard on a desktop; a phone keeps the title in view instead.
  const focus = setInterval(() => {
    const input = document.querySelector('#question-box textarea');
    if (!input) return;
    clearInterval(focus);
    if (!phone()) input.focus({preventScroll: true});
  }, 100);
  document.addEventListener('click', (event) => {
    const target = event.target;
    const marker = target.closest('.cite[data-cite]');
    if (marker) { showSource(marker.dataset.turn, marker.dataset.cite); return; }
    const opener = target.closest('.open-sources');
    if (opener) { showSource(opener.dataset.turn, ''); return; }
    if (target.closest('.back-to-answer')) { drawer(false); return; }
    const button = target.closest('.copy-answer');
    if (button) { copy(button, button.dataset.copy || ''); return; }
    const tools = target.closest('.table-tools');
    if (tools && target.closest('.copy-table')) { copy(target.closest('.copy-table'), tools.dataset.tsv); return; }
    if (tools && target.closest('.table-csv')) {
      download(tools.dataset.name + '.csv', csv(tools.dataset.tsv), 'text/csv;charset=utf-8'); return;
    }
    const exported = target.closest('.export-answer');
    if (exported) {
      download(exported.dataset.name, exported.closest('.msg').dataset.md, 'text/markdown;charset=utf-8'); return;
    }
    const whole = target.closest('.export-conversation');
    if (whole) {
      const turns = [...document.querySelectorAll('#chat-box .msg[data-md]')].map(m => m.dataset.md);
      download(whole.dataset.name, `# ${whole.dataset.title}\\n\\n` + turns.join('\\n'),
               'text/markdown;charset=utf-8');
      return;
    }
    const card = target.closest('.src-card');
    if (card && !target.closest('summary') && !String(window.getSelection())) {
      const details = card.querySelector('details');
      if (details) details.open = !details.open;
    }
  });
}
""".replace("SEARCH_HINT", json.dumps(message("web.eval.search"), ensure_ascii=False))
