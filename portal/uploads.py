"""Names for stored uploads: whatever name the browser sent, the stored one fits every file system."""

from __future__ import annotations

import os

from django.utils.text import get_valid_filename

# File systems allow 255 bytes per name; a Chinese character takes 3. Leave room for the prefixes the
# portal adds and the random suffix the storage adds when a name is taken.
STORED_NAME_BYTES = 120
EXTENSION_CHARACTERS = 10


def short_stored_name(filename: str, *, limit: int = STORED_NAME_BYTES) -> str:
    """The base name, cut to `limit` UTF-8 bytes with its extension kept (the importers read it)."""
    base = os.path.basename(filename or "").strip() or "upload"
    stem, extension = os.path.splitext(base)
    if len(extension) > EXTENSION_CHARACTERS:
        stem, extension = base, ""  # not an extension: a dot somewhere in a long name
    try:
        stem = get_valid_filename(stem)
    except Exception:  # noqa: BLE001 - SuspiciousFileOperation for names such as ".."
        stem = "upload"
    room = limit - len(extension.encode())
    stem = stem.encode()[:room].decode(errors="ignore") or "upload"
    return f"{stem}{extension.lower()}"
