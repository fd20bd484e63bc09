"""`--shard i/n`: n CI jobs run a collection once between them, no request twice or never."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.local_server import LocalServer

from core.conftest import run_cli, write_json
from runner.engine.options import shard_steps
from runner.model import flatten


def _collection(tmp_path: Path, base: str) -> Path:
    def req(name: str) -> dict[str, object]:
        return {"name": name, "url": f"{base}/json", "assert": {"status": 200}}

    items: list[dict[str, object]] = [req("root 1")]
    for f, size in (("A", 4), ("B", 1), ("C", 3)):
        items.append({"name": f, "items": [req(f"{f}{i}") for i in range(size)]})
    items.append({"name": "D", "items": [{"name": "D inner", "items": [req("D0"), req("D1")]}]})
    items.append(req("root 2"))
    return write_json(tmp_path / "c.json", {"name": "sharded", "items": items})


def _ran(tmp_path: Path, coll: Path, *flags: str) -> list[tuple[str, ...]]:
    report = tmp_path / f"r{'-'.join(flags).replace('/', '_')}.json"
    result = run_cli("run", coll, "--json", report, *flags)
    assert result.code == 0, result.text
    results = json.loads(report.read_text("utf-8"))["results"]
    return [(*r["path"], r["name"]) for r in results]


@pytest.mark.parametrize("total", [1, 2, 3, 5, 14])
@pytest.mark.parametrize("by", ["request", "folder"])
def test_shards_together_run_every_request_once(
    tmp_path: Path, server: LocalServer, total: int, by: str
) -> None:
    coll = _collection(tmp_path, server.url)
    everything = _ran(tmp_path, coll)
    assert len(everything) == 12
    shares = [
        _ran(tmp_path, coll, "--shard", f"{i}/{total}", "--shard-by", by)
        for i in range(1, total + 1)
    ]
    union = [name for share in shares for name in share]
    assert union == everything  # the same requests, each once, in the same order
    assert len(server.log) == 24
    sizes = [len(s) for s in shares]
    if by == "request":
        assert max(sizes) - min(sizes) <= 1
    else:
        # Every top-level folder runs whole in one shard.
        for folder in "ABCD":
            holders = [i for i, s in enumerate(shares) if any(p[0] == folder for p in s)]
            assert len(holders) == 1, (folder, shares)


def test_shard_by_folder_balances_by_requests(tmp_path: Path, server: LocalServer) -> None:
    from runner.loader import load_collection

    steps = flatten(load_collection(_collection(tmp_path, server.url)).items)
    halves = [shard_steps(steps, i, 2, by="folder") for i in (1, 2)]
    # root 1, A (4), B (1) | C (3), D (2), root 2: whole folders, six requests each.
    assert [len(h) for h in halves] == [6, 6]
    assert {s.path[0] for s in halves[0] if s.path} == {"A", "B"}
    thirds = [shard_steps(steps, i, 3, by="folder") for i in (1, 2, 3)]
    # Midpoints 0.5, 3, 5.5, 7.5, 10, 11.5 of 12 fall in thirds 1, 1, 2, 2, 3, 3.
    assert [len(t) for t in thirds] == [5, 4, 3]


def test_shard_with_iterations_and_folder(tmp_path: Path, server: LocalServer) -> None:
    coll = _collection(tmp_path, server.url)
    first = _ran(tmp_path, coll, "--folder", "A", "--shard", "1/2", "-n", "2")
    second = _ran(tmp_path, coll, "--folder", "A", "--shard", "2/2", "-n", "2")
    assert first == [("A", "A0"), ("A", "A1")] * 2
    assert second == [("A", "A2"), ("A", "A3")] * 2


@pytest.mark.parametrize("value", ["0/2", "3/2", "2", "a/b", "1/0", "2/-1"])
def test_bad_shard_is_invalid_input(tmp_path: Path, server: LocalServer, value: str) -> None:
    coll = _collection(tmp_path, server.url)
    result = run_cli("run", coll, "--shard", value)
    assert result.code == 2
    assert f"--shard {value}: expected i/n with 1 <= i <= n" in result.err
    assert server.log == []
