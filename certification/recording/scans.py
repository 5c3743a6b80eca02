"""PDF scans as evidence: a scan is pages of pictures, so a PDF that can run code, act on its own or carry
other files is refused (issue 14 item 7). Staff open evidence files in their browser and PDF reader.

The check reads the raw bytes; it does not trust the file's own table of contents, which a crafted file
can make lie. Deliberately simple, and conservative where it has to choose:

- the file starts with "%PDF-" and has "%%EOF" within its last 1024 bytes: a cut-off, padded or wrapped
  file is refused;
- every PDF name is compared, after decoding its "#xx" escapes as readers do (/J#61vaScript is
  /JavaScript), with FORBIDDEN_NAMES, everywhere in the file: in dictionaries, in strings, in uncompressed
  page text. One exception: the bodies of encoded streams (compressed images, fonts, compressed page
  text) are binary, and a two-letter name (/JS, /AA) turns up in a few megabytes of such bytes by chance
  (about one real scan in thirty would be refused); there only the longer names are looked for. An action
  reached through /AA or /JS names its kind (/JavaScript, /Launch, /SubmitForm...), which is found
  wherever it is.
- object streams (/ObjStm, PDF 1.5 and later) pack dictionaries compressed, where a reader finds
  /OpenAction just the same: each is inflated and scanned in full. One that cannot be (a filter other
  than plain FlateDecode, predictors, damage, or more than OBJECT_STREAMS_MAX_BYTES in all) refuses the
  file: nothing can be said of it. Scanners and phone scanning apps write plain Flate object streams, or
  none, so their PDFs pass; an encrypted PDF with object streams is refused.
"""

from __future__ import annotations

import re
import zlib

from django.utils.translation import gettext as _

PDF_MAGIC = b"%PDF-"
EOF_MARK = b"%%EOF"
EOF_WITHIN_BYTES = 1024
OBJECT_STREAMS_MAX_BYTES = 64 * 1024 * 1024

FORBIDDEN_NAMES = frozenset(
    {
        "JavaScript",
        "JS",
        "OpenAction",
        "AA",
        "Launch",
        "EmbeddedFile",
        "EmbeddedFiles",
        "RichMedia",
        "XFA",
        "SubmitForm",
        "ImportData",
    }
)
_LONG_FORBIDDEN = frozenset(name for name in FORBIDDEN_NAMES if len(name) >= 3)

# A name: "/" and the regular characters after it (PDF 32000-1, 7.2.2 and 7.3.5).
_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]+)")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# "stream" after a dictionary's ">>", then its end of line (7.3.8.1).
_STREAM_START = re.compile(rb">>\s*stream(?:\r\n|\n|\r)")
_END_STREAM = b"endstream"
_OBJECT_HEADER = re.compile(rb"\d+\s+\d+\s+obj\b")


def pdf_refusal(content: bytes) -> str | None:
    """Why this PDF is refused, in the staff's language; None when it may be stored."""
    if not content.startswith(PDF_MAGIC) or EOF_MARK not in content[-EOF_WITHIN_BYTES:]:
        return _("This PDF is incomplete or damaged. Scan the form again and upload the new file.")
    found: set[str] = set()
    object_stream_bytes = 0
    position = 0
    for start in _STREAM_START.finditer(content):
        if start.start() < position:
            continue  # ">> stream" inside a body already read
        end = content.find(_END_STREAM, start.end())
        if end < 0:
            end = len(content)
        found |= _forbidden_names(content[position : start.end()], FORBIDDEN_NAMES)
        # The stream's own dictionary starts at the last object header ("12 0 obj") before it; a bare
        # "obj" could sit inside the dictionary itself (/Xobj, a string) and hide the /ObjStm in it.
        headers = list(_OBJECT_HEADER.finditer(content, position, start.start()))
        object_start = headers[-1].start() if headers else position
        dictionary = _names(content[object_start : start.end()])
        body = content[start.end() : end]
        if "ObjStm" in dictionary and "Filter" in dictionary:
            if not _plain_flate(dictionary):
                return _unscannable()
            try:
                inflated = _inflate(body, OBJECT_STREAMS_MAX_BYTES - object_stream_bytes)
            except ValueError:
                return _unscannable()
            object_stream_bytes += len(inflated)
            found |= _forbidden_names(inflated, FORBIDDEN_NAMES)
        found |= _forbidden_names(body, _LONG_FORBIDDEN if "Filter" in dictionary else FORBIDDEN_NAMES)
        position = end
    found |= _forbidden_names(content[position:], FORBIDDEN_NAMES)
    if found:
        return _(
            "This PDF contains active content (%(names)s) and is not accepted. Scan the paper form again, "
            "or print the file to a new PDF, and upload that."
        ) % {"names": ", ".join(f"/{name}" for name in sorted(found))}
    return None


def _unscannable() -> str:
    return _(
        "Part of this PDF is packed in a way that cannot be checked. Scan the paper form again, or print "
        "the file to a new PDF, and upload that."
    )


def _names(data: bytes) -> set[str]:
    return {_decoded(match.group(1)) for match in _NAME.finditer(data)}


def _decoded(raw: bytes) -> str:
    if b"#" in raw:
        raw = _HEX_ESCAPE.sub(lambda escape: bytes([int(escape.group(1), 16)]), raw)
    return raw.decode("latin-1")


def _forbidden_names(data: bytes, forbidden: frozenset[str]) -> set[str]:
    return {name for name in _names(data) if name in forbidden}


def _plain_flate(dictionary: set[str]) -> bool:
    """The stream's only filter is FlateDecode, with no parameters (no predictor to undo)."""
    filters = dictionary & {
        "FlateDecode",
        "Fl",
        "ASCIIHexDecode",
        "AHx",
        "ASCII85Decode",
        "A85",
        "LZWDecode",
        "LZW",
        "RunLengthDecode",
        "RL",
        "CCITTFaxDecode",
        "CCF",
        "JBIG2Decode",
        "DCTDecode",
        "DCT",
        "JPXDecode",
        "Crypt",
    }
    return filters == {"FlateDecode"} and "DecodeParms" not in dictionary


def _inflate(body: bytes, room: int) -> bytes:
    """The stream inflated, at most `room` bytes; ValueError when it is not zlib data or does not fit."""
    inflater = zlib.decompressobj()
    try:
        inflated = inflater.decompress(body, room + 1)
    except zlib.error as error:
        raise ValueError("not a Flate stream") from error
    if len(inflated) > room or not inflater.eof:
        raise ValueError("object stream too large or cut off")
    return inflated
