"""Photos as evidence: every photo is decoded in full and stored as a fresh encoding, never as sent.

Staff photograph the signed home-visit form at the door. A phone's photo is several megabytes and an
iPhone's is HEIC, which browsers cannot show and the evidence store does not take. Rather than send
staff away with "too large" or "wrong type", the server shrinks the photo: the long edge to
PHOTO_LONG_EDGE pixels (a signed A4 form stays legible), turned the way the camera held it, re-encoded as
JPEG. Small JPEG and PNG files keep their format and size, re-encoded too.

A file's first bytes prove nothing: a JPEG with an HTML page behind it, or a JPEG header on anything at
all, would be served back to staff as "evidence" (issue 14 item 7). So a photo must decode completely, as
the format its first bytes claim, within PHOTO_MAX_PIXELS (a PNG of a few kilobytes can declare
gigapixels: a decompression bomb); anything else is refused with a message on the form. What is stored is
the re-encoded picture: metadata (EXIF with the GPS position of the pensioner's home, comments, colour
profiles) and any bytes after the picture are gone.
"""

from __future__ import annotations

import io
import re
import warnings
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
# The most pixels a photo may decode to (after a JPEG's reduced-scale decoding): a 48-megapixel phone
# photo fits, a decompression bomb does not. RGB, that is 180 MB of memory at most.
PHOTO_MAX_PIXELS = 60_000_000
# What Pillow may call each kind when it opens it (a JPEG with multi-picture data opens as MPO).
_FORMATS = {"jpeg": ("JPEG", "MPO"), "png": ("PNG",), "heif": ("HEIF",)}


class TooManyPixels(Exception):
    def __init__(self, pixels: int):
        super().__init__(pixels)
        self.pixels = pixels


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


def reencode_photo(upload) -> EvidenceUpload | None:
    """The upload decoded and re-encoded (big photos and HEIC as a JPEG of sensible size), or None when its
    first bytes are not a photo's (a PDF: the ordinary checks judge it). Refuses (ValidationError) a photo
    over the upload limit, one that does not decode completely, and one of too many pixels."""
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
        encoded, content_type = _reencode(content, kind=kind)
    except TooManyPixels as error:
        raise forms.ValidationError(
            _("The picture is %(megapixels)s megapixels; the limit is %(limit)s megapixels.")
            % {"megapixels": round(error.pixels / 1_000_000), "limit": PHOTO_MAX_PIXELS // 1_000_000}
        ) from error
    except Exception as error:  # any decoder failure (damaged, truncated, not a picture) means "cannot read"
        if kind == "heif":
            raise forms.ValidationError(
                _(
                    "This HEIC photo could not be read. On the iPhone choose Settings > Camera > Formats > "
                    "Most Compatible, or take the photo again, then upload it."
                )
            ) from error
        raise forms.ValidationError(
            _(
                "This photo could not be read: the file is damaged or is not the picture it claims to be. "
                "Take the photo again or choose another file."
            )
        ) from error
    stem = PurePath(upload.name or "photo").stem[:150] or "photo"
    extension = "png" if content_type == "image/png" else "jpg"
    return EvidenceUpload(name=f"{stem}.{extension}", content_type=content_type, content=encoded)


def _reencode(content: bytes, *, kind: str) -> tuple[bytes, str]:
    from PIL import Image, ImageOps

    if kind == "heif":
        import pillow_heif

        pillow_heif.register_heif_opener()
    with warnings.catch_warnings():
        # Pillow only warns between its own limits; PHOTO_MAX_PIXELS below is the bound that counts (a
        # big JPEG is decoded at a reduced scale first, and may be fine).
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            opened = Image.open(io.BytesIO(content), formats=[_FORMATS[kind][0]])
        except Image.DecompressionBombError as error:
            # Past twice Pillow's own limit it refuses before PHOTO_MAX_PIXELS is asked: the same answer.
            stated = re.search(r"\((\d+) pixels\)", str(error))
            raise TooManyPixels(int(stated.group(1)) if stated else 2 * Image.MAX_IMAGE_PIXELS) from error
        with opened as image:
            if image.format not in _FORMATS[kind]:
                raise ValueError(f"{kind} file opened as {image.format}")
            keep_size = (
                kind != "heif" and len(content) <= PHOTO_KEEP_BYTES and max(image.size) <= PHOTO_LONG_EDGE
            )
            if image.format in ("JPEG", "MPO") and not keep_size:
                # Decode at a reduced scale straight away: a 48-megapixel photo never sits in memory whole.
                image.draft("RGB", (PHOTO_LONG_EDGE, PHOTO_LONG_EDGE))
            if image.width * image.height > PHOTO_MAX_PIXELS:
                raise TooManyPixels(image.width * image.height)
            image.load()  # every byte of the picture decodes, or this raises (truncated, damaged)
            image = ImageOps.exif_transpose(image)
            if not keep_size:
                image.thumbnail((PHOTO_LONG_EDGE, PHOTO_LONG_EDGE), Image.Resampling.LANCZOS)
            if keep_size and kind == "png":
                png = _encode(image, "PNG")
                if len(png) <= settings.EVIDENCE_MAX_BYTES:
                    return png, "image/png"
            return _encode(image, "JPEG"), "image/jpeg"


def _encode(image, image_format: str) -> bytes:
    """The pixels alone: Pillow would otherwise write back what it read (a JPEG's comment, a colour
    profile), so the picture's info is emptied first."""
    from PIL import Image

    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit greyscale (scanners write it): Pillow's convert clips every value above 255 to white, so
        # scale it down to 8 bits first.
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if image_format == "PNG":
        if image.mode not in ("1", "L", "LA", "RGB", "RGBA"):
            has_alpha = "A" in image.getbands() or "transparency" in image.info
            image = image.convert("RGBA" if has_alpha else "RGB")
    elif image.mode in ("RGBA", "LA", "P", "PA"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    image.info = {}
    output = io.BytesIO()
    if image_format == "PNG":
        image.save(output, "PNG")
    else:
        image.save(output, "JPEG", quality=PHOTO_QUALITY, optimize=True, progressive=True)
    return output.getvalue()
