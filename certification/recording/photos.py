"""Phone photos as evidence: big JPEGs (3-8 MB) and iPhone HEIC files become a JPEG of sensible size.

Staff photograph the signed home-visit form at the door. A phone's photo is several megabytes and an
iPhone's is HEIC, which browsers cannot show and the evidence store does not take. Rather than send
staff away with "too large" or "wrong type", the server shrinks the photo: the long edge to
PHOTO_LONG_EDGE pixels (a signed A4 form stays legible), turned the way the camera held it, re-encoded as
JPEG without its metadata (a phone photo's EXIF carries the GPS position of the pensioner's home).
Small JPEG and PNG files are kept exactly as sent.
"""

from __future__ import annotations

import io
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _

from certification.recording.services import EvidenceUpload

PHOTO_LONG_EDGE = 2000
PHOTO_QUALITY = 85
# A photo at most this big (and its long edge at most PHOTO_LONG_EDGE) is kept as it is.
PHOTO_KEEP_BYTES = 1_500_000
# HEIF family brands (ISO/IEC 23008-12): "ftyp" at byte 4, then the brand.
HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1")


def photo_upload_max_bytes() -> int:
    """The biggest photo accepted before shrinking (the stored file still obeys EVIDENCE_MAX_BYTES)."""
    return settings.EVIDENCE_PHOTO_MAX_BYTES


def photo_kind(head: bytes) -> str:
    """'jpeg', 'png', 'heif' or '' from a file's first bytes."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return "heif"
    return ""


def shrink_photo(upload) -> EvidenceUpload | None:
    """The upload as a JPEG of sensible size, or None when it is not a photo that needs it (a PDF, a small
    photo, or something Pillow cannot read: the ordinary checks then judge it). Refuses (ValidationError)
    a photo over the upload limit and a HEIC file that cannot be read."""
    head = upload.read(16)
    upload.seek(0)
    kind = photo_kind(head)
    if not kind:
        return None
    limit = photo_upload_max_bytes()
    if upload.size > limit:
        raise forms.ValidationError(
            _("The photo is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(upload.size / 1024 / 1024, 1), "limit": limit // (1024 * 1024)}
        )
    content = upload.read()
    upload.seek(0)
    try:
        jpeg = _as_small_jpeg(content, kind=kind)
    except Exception as error:  # any decoder failure means "cannot read this photo"
        if kind != "heif":
            return None
        raise forms.ValidationError(
            _(
                "This HEIC photo could not be read. On the iPhone choose Settings > Camera > Formats > "
                "Most Compatible, or take the photo again, then upload it."
            )
        ) from error
    if jpeg is None:
        return None
    stem = PurePath(upload.name or "photo").stem[:150] or "photo"
    return EvidenceUpload(name=f"{stem}.jpg", content_type="image/jpeg", content=jpeg)


def _as_small_jpeg(content: bytes, *, kind: str) -> bytes | None:
    from PIL import Image, ImageOps

    if kind == "heif":
        import pillow_heif

        pillow_heif.register_heif_opener()
    with Image.open(io.BytesIO(content)) as image:
        if kind != "heif" and len(content) <= PHOTO_KEEP_BYTES and max(image.size) <= PHOTO_LONG_EDGE:
            return None
        if image.format == "JPEG":
            # Decode at a reduced scale straight away: a 48-megapixel photo never sits in memory whole.
            image.draft("RGB", (PHOTO_LONG_EDGE, PHOTO_LONG_EDGE))
        image = ImageOps.exif_transpose(image)
        image.thumbnail((PHOTO_LONG_EDGE, PHOTO_LONG_EDGE), Image.Resampling.LANCZOS)
        if image.mode in ("RGBA", "LA", "P"):
            image = image.convert("RGBA")
            background = Image.new("RGB", image.size, "white")
            background.paste(image, mask=image.getchannel("A"))
            image = background
        elif image.mode != "RGB":
            image = image.convert("RGB")
        output = io.BytesIO()
        image.save(output, "JPEG", quality=PHOTO_QUALITY, optimize=True, progressive=True)
    return output.getvalue()
