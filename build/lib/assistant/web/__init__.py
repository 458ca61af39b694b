"""The Gradio web UI on top of the Assistant: app assembles the tabs (chat, evaluation, index),
render turns Answers into HTML, uploads handles added files, theme holds the look."""
