"""Quality gate: TimeBank / AQUAINT (../shared/bench/time) scored with the shared TempEval-3 scorer.

Skips when ../shared is absent. The floors sit a little under the measured figures
(bench/bench_timex.py) so a real regression fails and noise does not.
"""

from __future__ import annotations

import importlib.util
import json
from datetime import date
from pathlib import Path

import pytest

from vigil.timex import find_timexes

FLOORS = {"timebank": {"relaxed_f1": 0.90, "value_f1": 0.78},
          "aquaint": {"relaxed_f1": 0.91, "value_f1": 0.73}}


def _scorer(shared: Path):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("score_time", shared / "bench" / "score_time.py")
    if spec is None or spec.loader is None:
        pytest.skip("score_time.py not loadable")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_timex_gold_scores_stay_above_floor(shared_dir: Path, name: str) -> None:
    path = shared_dir / "bench" / "time" / f"{name}.jsonl"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    gold = {}
    system = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        d = json.loads(line)
        gold[d["id"]] = d
        found = find_timexes(d["text"], date.fromisoformat(d["dct"][:10]) if d.get("dct") else None,
                             join_ranges=False)
        system[d["id"]] = {"timexes": [{"start": t.start, "end": t.end, "type": t.type, "value": t.value}
                                       for t in found]}
    result = _scorer(shared_dir).score(gold, system)
    for key, floor in FLOORS[name].items():
        assert result[key] >= floor, f"{name} {key} {result[key]} < {floor}"
