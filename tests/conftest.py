"""Shared fixtures: the real seeds indexed once per session into a temporary folder."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

from assistant.assistant import Assistant
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
GOLD = ROOT / "eval" / "gold.jsonl"


@pytest.fixture(autouse=True)
def no_outside_network(monkeypatch):
    """Unit tests may only talk to servers on this machine that they started themselves."""
    real_connect = socket.socket.connect

    def guarded(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (host.startswith("127.") or host in ("localhost", "::1")) \
                and sock.family in (socket.AF_INET, socket.AF_INET6):
            raise AssertionError(f"test tried to reach {address}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> Settings:
    """Settings whose index lives in a fresh temporary folder, over a copy of the real seeds."""
    base = tmp_path_factory.mktemp("assistant")
    shutil.copytree(SEEDS, base / "seeds")
    return Settings(seeds_dir=base / "seeds", index_dir=base / "index", eval_dir=base / "eval")


@pytest.fixture(scope="session")
def assistant(settings) -> Assistant:
    """The real assistant: real embedding model, real Chroma, built once for the session."""
    return Assistant.open(settings)
