"""The `assistant` command: `main` parses and dispatches, one module per command group (ask and
chat, index, add/list/remove, eval, bench/scale). Thin: parse, call the library, format."""
