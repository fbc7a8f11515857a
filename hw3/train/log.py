"""The JSONL training log: one record per logging interval."""

from __future__ import annotations

import json
from pathlib import Path

from hw3.files import append_text, write_text_atomic
from hw3.reading import read_json_lines


class TrainingLog:
    def __init__(self, path: str | Path, enabled: bool = True, truncate_after: int | None = None):
        self.path = Path(path)
        self.enabled = enabled
        if enabled and truncate_after is not None and self.path.exists():
            self._drop_records_after(truncate_after)

    def _drop_records_after(self, step: int) -> None:
        """A resumed run repeats the steps after its checkpoint: drop their old records."""
        kept = [record for record in read_log(self.path) if record.get("step", 0) <= step]
        write_text_atomic(self.path, "".join(json.dumps(r, sort_keys=True) + "\n" for r in kept))

    def append(self, record: dict) -> None:
        if self.enabled:
            append_text(self.path, json.dumps(record, sort_keys=True) + "\n")


def read_log(path: str | Path) -> list[dict]:
    """Records of a JSONL log; a torn line (a run killed mid-write) is ignored."""
    return read_json_lines(path, "a training log of JSON lines, as hw3 train writes")
