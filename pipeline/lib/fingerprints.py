"""Stage fingerprints: what shapes the tables of each stage, as one hash per stage.

A stored table is reused only while its stage's fingerprint is unchanged; a new fingerprint means
the stage (and every stage after it, since each fingerprint includes the one before) rebuilds its
tables from the raw archive. A stage's fingerprint covers

- its code: the modules of the ``pipeline`` package its entry modules import, directly or not,
  read as syntax trees without docstrings, so that a comment, a docstring or a README edits
  nothing; plumbing modules (storage, settings, Dagster resources) that carry tables without
  shaping them are left out;
- its data files under ``pipeline/data`` (the actor dictionary, the lexicons, the text rules);
- the versions of the distributions its code imports and of the data packages it loads (spaCy's
  lookup tables, pymorphy3's dictionaries, a trained spaCy pipeline named in the settings);
- the settings that change its results.

So a lexicon edit re-codes events without running NLP again, a new actor alias re-runs NLP and
event coding but not cleaning, and an upgrade of spaCy re-runs what uses spaCy.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata
import importlib.util
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipeline.lib.settings import Settings

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "pipeline"
# Modules that move tables around without shaping their content.
PLUMBING = frozenset(
    {
        "pipeline.defs.resources",
        "pipeline.executors",
        "pipeline.lib.storage",
        "pipeline.lib.settings",
        "pipeline.lib.fingerprints",
        "pipeline.lib.batches",
        "pipeline.lib.partitions",
        "pipeline.lib.yaml_cache",
    }
)

# Distributions that run the stages without shaping what they produce.
PLUMBING_DISTRIBUTIONS = frozenset({"dagster"})


@dataclass(frozen=True)
class Stage:
    """What shapes the tables of one stage."""

    name: str
    modules: tuple[str, ...]  # entry modules; what they import counts too
    data: tuple[str, ...]  # globs below pipeline/data
    distributions: tuple[str, ...]  # data packages loaded without an import
    settings: tuple[str, ...]  # Settings fields that change the stage's results
    model_settings: bool = False  # whether the trained spaCy pipelines named in the settings count


# In pipeline order: each stage's fingerprint includes the one before it.
STAGES: tuple[Stage, ...] = (
    Stage("ingest", ("pipeline.defs.ingest.assets",), (), (), ()),
    Stage(
        "clean",
        ("pipeline.defs.clean.assets",),
        ("text/*.yaml",),
        (),
        ("languages", "min_article_chars", "outlet_repeat_min_docs"),
    ),
    Stage(
        "entities",
        ("pipeline.defs.entities.assets",),
        ("actors/*.yaml", "actors/**/*.yaml", "lexicons/offices.yaml"),
        ("spacy-lookups-data", "pymorphy3-dicts-ru"),
        ("languages", "near_duplicate_threshold"),
        model_settings=True,
    ),
    Stage(
        "events",
        ("pipeline.defs.events.assets",),
        (
            "actors/*.yaml",
            "actors/**/*.yaml",
            "lexicons/events.*.yaml",
            "lexicons/cues.*.yaml",
            "lexicons/ontology.yaml",
            "lexicons/offtopic.yaml",
        ),
        ("spacy-lookups-data", "pymorphy3-dicts-ru"),
        (),
        model_settings=True,
    ),
)
# What the release job computes from the batch tables each time (duplicates, stories, the
# published tables): its fingerprint tells a release whether rows may differ for that reason.
RELEASE_STAGE = Stage(
    "release",
    ("pipeline.defs.dedup.assets", "pipeline.defs.events.assets", "pipeline.defs.entities.assets"),
    ("actors/*.yaml", "actors/**/*.yaml"),
    (),
    ("near_duplicate_threshold",),
)


def _module_file(name: str, root: Path) -> Path | None:
    relative = Path(*name.split(".")[1:])
    for candidate in (root / relative.with_suffix(".py"), root / relative / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _without_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            first = body[0] if body else None
            value = first.value if isinstance(first, ast.Expr) else None
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                node.body = body[1:] or [ast.Pass()]
    return tree


def _imports(tree: ast.AST, module: str, is_package: bool) -> tuple[set[str], set[str]]:
    """(project modules, top-level third-party names) imported anywhere in ``tree``."""
    own, external = set(), set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        for name in names:
            if name == PACKAGE or name.startswith(PACKAGE + "."):
                own.add(name)
            elif name and not name.startswith("."):
                external.add(name.split(".")[0])
    return own, external


@dataclass(frozen=True)
class CodeClosure:
    """The project modules a stage runs and the third-party top-level modules they import."""

    modules: dict[str, str]  # module name -> hash of its syntax tree
    external: frozenset[str]


@cache
def _module_facts(
    name: str, path: Path, size: int, mtime_ns: int
) -> tuple[str, frozenset[str], frozenset[str]]:
    """(hash of the syntax tree without docstrings, project imports, third-party imports) of a
    module; remembered per file size and modification time, so a sensor may ask every minute."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own, external = _imports(tree, name, path.name == "__init__.py")
    digest = hashlib.sha256(ast.dump(_without_docstrings(tree)).encode()).hexdigest()
    return digest, frozenset(own), frozenset(external)


def code_closure(entries: Iterable[str], root: Path = PACKAGE_ROOT) -> CodeClosure:
    """The modules of ``entries`` and everything of the package they import (plumbing excluded)."""
    modules: dict[str, str] = {}
    external: set[str] = set()
    pending = list(entries)
    while pending:
        name = pending.pop()
        if name in modules or name in PLUMBING:
            continue
        path = _module_file(name, root)
        if path is None:
            continue  # 'from pipeline.lib.x import function' names a function, not a module
        stat = path.stat()
        digest, own, third_party = _module_facts(name, path, stat.st_size, stat.st_mtime_ns)
        modules[name] = digest
        external |= third_party
        pending.extend(own - set(modules))
    return CodeClosure(dict(sorted(modules.items())), frozenset(external))


def data_files(stage: Stage, root: Path = PACKAGE_ROOT) -> list[Path]:
    """The data files of ``stage``, sorted."""
    data = root / "data"
    return sorted({path for pattern in stage.data for path in data.glob(pattern) if path.is_file()})


@cache
def _providers() -> dict[str, list[str]]:
    return importlib.metadata.packages_distributions()


def _distribution_versions(names: Iterable[str]) -> dict[str, str]:
    """Installed version of each distribution (or of the distribution providing a module)."""
    return dict(_versions(tuple(sorted(names))))


@cache
def _versions(names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    providers = _providers()
    versions = {}
    for name in names:
        for distribution in providers.get(name, [name]):
            try:
                versions[distribution.lower()] = importlib.metadata.version(distribution)
            except importlib.metadata.PackageNotFoundError:
                if importlib.util.find_spec(name) is None:
                    versions[distribution.lower()] = "absent"
    return tuple(sorted(versions.items()))


def stage_facts(stage: Stage, settings: Settings, root: Path = PACKAGE_ROOT) -> dict:
    """Everything ``stage``'s fingerprint is made of, readable (for tests and `explain`)."""
    closure = code_closure(stage.modules, root)
    data = {
        path.relative_to(root / "data").as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in data_files(stage, root)
    }
    distributions = (set(closure.external) - PLUMBING_DISTRIBUTIONS) | set(stage.distributions)
    models = sorted(settings.spacy_models.values()) if stage.model_settings else []
    return {
        "stage": stage.name,
        "code": closure.modules,
        "data": data,
        "distributions": _distribution_versions(sorted(distributions | set(models))),
        "settings": {name: getattr(settings, name) for name in stage.settings},
        "models": settings.spacy_models if stage.model_settings else {},
    }


def _digest(facts: dict, before: str = "") -> str:
    text = before + json.dumps(facts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def stage_fingerprints(settings: Settings, root: Path | None = None) -> dict[str, str]:
    """Stage name -> fingerprint, each including the fingerprint of the stage before it."""
    root = root or PACKAGE_ROOT
    fingerprints: dict[str, str] = {}
    before = ""
    for stage in STAGES:
        before = fingerprints[stage.name] = _digest(stage_facts(stage, settings, root), before)
    return fingerprints


def release_fingerprint(settings: Settings, root: Path | None = None) -> str:
    """Fingerprint of what the release job derives from the batch tables."""
    return _digest(stage_facts(RELEASE_STAGE, settings, root or PACKAGE_ROOT))
