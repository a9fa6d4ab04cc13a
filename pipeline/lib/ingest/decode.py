"""Turn raw input bytes into text, or say why they are not text.

Order of evidence: byte-order marks, then strict UTF-8 (most of the web), then UTF-16 without a
BOM (recognised by its zero bytes), then charset-normalizer restricted to the encodings news in
our languages really uses. ftfy then repairs mojibake that an upstream scraper already produced.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

import ftfy
from charset_normalizer import from_bytes

# Encodings worth considering for de/en/ru news when the bytes are not UTF-8.
LEGACY_ENCODINGS = ["cp1252", "latin_1", "cp1251", "koi8_r", "iso8859_5", "mac_cyrillic", "iso8859_15"]
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_MAX_CONTROL_SHARE = 0.02
# Repair mojibake only: typographic quotes and full-width forms are part of the article text.
_FTFY_CONFIG = ftfy.TextFixerConfig(uncurl_quotes=False, fix_character_width=False, normalization="NFC")


class NotText(Exception):
    """Raised when bytes cannot be read as text; ``reason`` is the quarantine reason code."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class DecodedText:
    """Decoded text and how it was decoded."""

    text: str
    encoding: str
    repaired: bool


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    return controls / len(text)


def _utf16_without_bom(raw: bytes) -> str | None:
    """UTF-16 text without a BOM has a zero byte in (almost) every other position."""
    sample = raw[:4000]
    if len(sample) < 4:
        return None
    even_zeros = sample[0::2].count(0) / max(1, len(sample[0::2]))
    odd_zeros = sample[1::2].count(0) / max(1, len(sample[1::2]))
    for share, encoding in ((odd_zeros, "utf-16-le"), (even_zeros, "utf-16-be")):
        if share > 0.3:
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                return None
    return None


def _finish(text: str, encoding: str) -> DecodedText:
    if _control_share(text) > _MAX_CONTROL_SHARE:
        raise NotText("binary", f"decoded as {encoding} but full of control characters")
    fixed = ftfy.fix_text(text, config=_FTFY_CONFIG)
    return DecodedText(text=fixed, encoding=encoding, repaired=fixed != text)


def decode_bytes(raw: bytes) -> DecodedText:
    """Decode ``raw`` to text; raise :class:`NotText` with a quarantine reason when impossible."""
    if not raw.strip():
        raise NotText("empty", "the input has no content")
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return _finish(raw[len(bom) :].decode(encoding), encoding)
            except UnicodeDecodeError as err:
                raise NotText("undecodable", f"{encoding} byte-order mark but invalid bytes: {err}") from err
    try:
        return _finish(raw.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    if b"\x00" in raw:
        utf16 = _utf16_without_bom(raw)
        if utf16 is not None:
            return _finish(utf16, "utf-16")
        raise NotText("binary", "contains NUL bytes and is not UTF-16 text")
    best = from_bytes(raw, cp_isolation=LEGACY_ENCODINGS).best()
    if best is None:
        raise NotText("undecodable", "no known text encoding fits these bytes")
    return _finish(str(best), best.encoding)
