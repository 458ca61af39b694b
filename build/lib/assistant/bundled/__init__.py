"""What ships inside the package so an install works anywhere: the example reports (seeds/,
with their manifest) that the index is built from by default, and the gold answers about them
(eval/gold.jsonl) that `assistant eval` and the web UI's evaluation tab use by default."""

from pathlib import Path

BUNDLED = Path(__file__).resolve().parent
SEEDS_DIR = BUNDLED / "seeds"
GOLD_FILE = BUNDLED / "eval" / "gold.jsonl"
