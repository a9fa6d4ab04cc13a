"""A small input folder of two batches, for the tests of batches and partitions."""

from pathlib import Path


def two_batches(folder: Path) -> Path:
    """``folder`` with batch day-1 (a text file, a JSONL file of two lines), batch loose (a text file
    with its sidecar) and a README that is documentation, not input."""
    (folder / "day-1").mkdir(parents=True)
    (folder / "day-1" / "a.txt").write_text("eins", encoding="utf-8")
    (folder / "day-1" / "b.jsonl").write_text('{"text": "x"}\n{"text": "y"}\n', encoding="utf-8")
    (folder / "loose.txt").write_text("zwei", encoding="utf-8")
    (folder / "loose.meta.json").write_text("{}", encoding="utf-8")
    (folder / "README.md").write_text("docs", encoding="utf-8")
    return folder
