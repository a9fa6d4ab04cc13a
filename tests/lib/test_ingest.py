"""Ingest: decoding, formats, sidecars, JSONL lines and quarantine reasons."""

import json
from pathlib import Path

import pytest

from pipeline.lib.ingest.conservation import unaccounted_inputs
from pipeline.lib.ingest.decode import NotText, decode_bytes
from pipeline.lib.ingest.inputs import QuarantineRecord, RawDocument, Unchanged, list_input_files, read_inputs

GERMAN = "Die Präsidenten Russlands und Weißrusslands unterzeichneten den Vertrag über Sicherheitsgarantien."
RUSSIAN = "Президенты России и Белоруссии подписали договор о гарантиях безопасности в Минске."


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252", "latin-1"])
def test_german_text_decodes_in_common_encodings(encoding):
    decoded = decode_bytes(GERMAN.encode(encoding))
    assert decoded.text == GERMAN


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-r"])
def test_russian_legacy_encodings(encoding):
    assert decode_bytes((RUSSIAN + " " + RUSSIAN).encode(encoding)).text.startswith(RUSSIAN)


def test_mojibake_is_repaired_and_quotes_kept():
    broken = "„Die Präsidenten“".encode().decode("latin-1")
    assert decode_bytes(broken.encode("utf-8")).text == "„Die Präsidenten“"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty"),
        (b"  \n\t ", "empty"),
        (bytes(range(256)) * 20, "binary"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
    ],
)
def test_non_text_is_rejected_with_reason(raw, reason):
    with pytest.raises(NotText) as err:
        decode_bytes(raw)
    assert err.value.reason == reason


def _write(folder: Path, name: str, data: bytes | str) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))


def test_folder_with_every_format_and_bad_input(tmp_path):
    _write(tmp_path, "a.txt", GERMAN)
    _write(tmp_path, "a.meta.json", json.dumps({"outlet": "X", "published": "2024-12-07", "extra": 1}))
    _write(tmp_path, "sub/b.md", "# Titel\n\n" + GERMAN)
    _write(tmp_path, "c.html", f"<html><body><p>{GERMAN}</p></body></html>")
    _write(
        tmp_path,
        "dump.jsonl",
        "\n".join(
            [
                json.dumps({"text": GERMAN, "url": "https://example.org/1"}),
                "",
                "{not json",
                json.dumps({"title": "no text"}),
                json.dumps([1, 2]),
            ]
        ),
    )
    _write(tmp_path, "empty.txt", b"")
    _write(tmp_path, "big.txt", b"x" * 2000)
    _write(tmp_path, "image.png", b"\x89PNG")
    _write(tmp_path, "orphan.meta.json", "{}")
    _write(tmp_path, "README.md", "documentation")
    files, ignored = list_input_files(tmp_path, ("README*",))
    assert [p.name for p in ignored] == ["README.md"]
    records = list(read_inputs(files, tmp_path, max_bytes=1000))
    docs = {r.source_path: r for r in records if isinstance(r, RawDocument)}
    quarantine = {r.source_path: r.reason for r in records if isinstance(r, QuarantineRecord)}
    assert set(docs) == {"a.txt", "sub/b.md", "c.html", "dump.jsonl#1"}
    assert docs["a.txt"].metadata == {"outlet": "X", "published": "2024-12-07"}
    assert docs["c.html"].body_format == "html"
    assert docs["dump.jsonl#1"].metadata == {"url": "https://example.org/1"}
    assert quarantine == {
        "dump.jsonl#3": "malformed_json",
        "dump.jsonl#4": "no_text",
        "dump.jsonl#5": "malformed_json",
        "empty.txt": "empty",
        "big.txt": "too_large",
        "image.png": "unsupported_type",
        "orphan.meta.json": "orphan_metadata",
    }
    accounted = set(docs) | set(quarantine)
    assert unaccounted_inputs(tmp_path, ("README*",), accounted) == []
    assert unaccounted_inputs(tmp_path, ("README*",), accounted - {"dump.jsonl#4"}) == ["dump.jsonl#4"]


def test_broken_sidecar_is_reported_and_article_kept(tmp_path):
    _write(tmp_path, "a.txt", GERMAN)
    _write(tmp_path, "a.meta.json", "{broken")
    files, _ = list_input_files(tmp_path)
    records = list(read_inputs(files, tmp_path, max_bytes=10_000))
    docs = [r for r in records if isinstance(r, RawDocument)]
    quarantine = [r for r in records if isinstance(r, QuarantineRecord)]
    assert [d.source_path for d in docs] == ["a.txt"] and docs[0].metadata == {}
    assert [(q.source_path, q.reason) for q in quarantine] == [("a.meta.json", "malformed_metadata")]


def test_hostile_folder_every_input_accounted_for(tmp_path):
    """Binary, empty, Latin-1, a 25 MB text, malformed JSONL and script-laden HTML beside good articles."""
    _write(tmp_path, "good/de.txt", GERMAN)
    _write(tmp_path, "good/ru_cp1251.txt", RUSSIAN.encode("cp1251"))
    _write(tmp_path, "good/ru_koi8.txt", RUSSIAN.encode("koi8_r"))
    _write(tmp_path, "good/de_utf16.txt", GERMAN.encode("utf-16"))
    _write(tmp_path, "latin1.txt", GERMAN.encode("latin-1"))
    _write(tmp_path, "program.txt", bytes(range(256)) * 40)
    _write(tmp_path, "empty.md", b"")
    _write(tmp_path, "blank.txt", b"  \n\n \t\n")
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:
        for _ in range(25):
            handle.write((GERMAN + "\n").encode() * (1024 * 1024 // len(GERMAN)))
    _write(tmp_path, "crawl.jsonl", "\n".join([json.dumps({"text": GERMAN}), '{"text": "cut off', "", "[]"]))
    script_page = (
        "<html><head><script>var ads = [];</script><style>p{}</style></head><body>"
        "<nav>Home | Politik</nav><script>document.write('x')</script>"
        f"<article><h1>Vertrag</h1><p>{GERMAN}</p><p>{GERMAN}</p></article></body></html>"
    )
    _write(tmp_path, "page.html", script_page)
    files, _ = list_input_files(tmp_path)
    records = list(read_inputs(files, tmp_path, max_bytes=20 * 1024 * 1024))
    docs = {r.source_path: r for r in records if isinstance(r, RawDocument)}
    quarantine = {r.source_path: r.reason for r in records if isinstance(r, QuarantineRecord)}
    assert quarantine == {
        "program.txt": "binary",
        "empty.md": "empty",
        "blank.txt": "empty",
        "huge.txt": "too_large",
        "crawl.jsonl#2": "malformed_json",
        "crawl.jsonl#4": "malformed_json",
    }
    assert set(docs) == {
        "good/de.txt",
        "good/ru_cp1251.txt",
        "good/ru_koi8.txt",
        "good/de_utf16.txt",
        "latin1.txt",
        "crawl.jsonl#1",
        "page.html",
    }
    for name in ("good/ru_cp1251.txt", "good/ru_koi8.txt"):
        assert docs[name].body == RUSSIAN, docs[name].encoding
    assert docs["latin1.txt"].body == GERMAN and docs["good/de_utf16.txt"].body == GERMAN
    assert unaccounted_inputs(tmp_path, (), set(docs) | set(quarantine)) == []


def test_jsonl_size_limit_applies_per_line(tmp_path):
    lines = [json.dumps({"text": GERMAN, "id": str(i)}) for i in range(50)] + [
        json.dumps({"text": "x" * 5000})
    ]
    _write(tmp_path, "dump.jsonl", "\n".join(lines))
    files, _ = list_input_files(tmp_path)
    records = list(read_inputs(files, tmp_path, max_bytes=1000))  # the file is ~8 kB, every article < 1 kB
    assert sum(isinstance(r, RawDocument) for r in records) == 50
    assert [(r.source_path, r.reason) for r in records if isinstance(r, QuarantineRecord)] == [
        ("dump.jsonl#51", "too_large")
    ]


def test_known_unchanged_files_are_not_read_again(tmp_path):
    _write(tmp_path, "a.txt", GERMAN)
    _write(tmp_path, "a.meta.json", json.dumps({"outlet": "X"}))
    _write(tmp_path, "b.txt", RUSSIAN)
    files, _ = list_input_files(tmp_path)
    first = [r for r in read_inputs(files, tmp_path, 10_000) if isinstance(r, RawDocument)]
    known = {r.input_file: r.input_sha256 for r in first}
    assert list(read_inputs(files, tmp_path, 10_000, known=known)) == [
        Unchanged("a.txt", known["a.txt"]),
        Unchanged("b.txt", known["b.txt"]),
    ]
    _write(tmp_path, "a.meta.json", json.dumps({"outlet": "Y"}))  # a changed sidecar changes the document
    again = list(read_inputs(files, tmp_path, 10_000, known=known))
    assert isinstance(again[0], RawDocument) and again[0].metadata == {"outlet": "Y"}
    assert (
        again[0].record_sha256 != first[0].record_sha256
        and again[0].content_sha256 == first[0].content_sha256
    )
    assert again[1] == Unchanged("b.txt", known["b.txt"])
