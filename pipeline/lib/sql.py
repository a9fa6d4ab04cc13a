"""Load SQL files from ``sql/`` by name: views are files, values go in as bound parameters."""

from __future__ import annotations

from pathlib import Path

from pipeline.lib.settings import PROJECT_ROOT

SQL_DIR = PROJECT_ROOT / "sql"


def load_sql(name: str, sql_dir: Path = SQL_DIR) -> str:
    """The text of ``sql/<name>.sql`` (name may include a subfolder, e.g. 'views/dyads')."""
    path = sql_dir / f"{name}.sql"
    if not path.is_file():
        raise FileNotFoundError(f"no SQL file {path}")
    return path.read_text(encoding="utf-8")


def load_view_statements(sql_dir: Path = SQL_DIR) -> list[str]:
    """CREATE VIEW statements of ``sql/views``, in name order."""
    return [path.read_text(encoding="utf-8") for path in sorted((sql_dir / "views").glob("*.sql"))]
