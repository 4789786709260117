"""Image bytes in and out: encoding for storage, safe decoding of uploads."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Far above any photo a teacher uploads, far below a decompression bomb.
MAX_UPLOAD_PIXELS = 40_000_000
ALLOWED_UPLOAD_FORMATS = {"PNG", "JPEG", "WEBP"}


class UploadRejected(ValueError):
    """The upload is not an image we accept; `reason` is a message key for ui/i18n."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def encode_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", optimize=False, compress_level=6)
    return buffer.getvalue()


# Attempts are stored as WebP at high quality: what pages show and exports carry, about a
# sixth of a PNG's size and faster to encode (method 2). Targets stay lossless PNG, because
# every worker re-reads the target to compute its features and must get the same pixels.
ATTEMPT_MIME = "image/webp"


def encode_attempt(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="WEBP", quality=90, method=2)
    return buffer.getvalue()


def decode_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image.convert("RGB")


def square(image: Image.Image, size: int) -> Image.Image:
    """Centre-crop to a square and resize: every target and attempt has the same shape."""
    return ImageOps.fit(image.convert("RGB"), (size, size), Image.Resampling.LANCZOS)


def load_upload(data: bytes, size: int) -> Image.Image:
    """Decode an uploaded target image, refusing anything that is not a sane PNG/JPEG/WebP."""
    if not data:
        raise UploadRejected("upload_empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRejected("upload_too_large")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ALLOWED_UPLOAD_FORMATS:
                raise UploadRejected("upload_not_image")
            width, height = probe.size
            if width * height > MAX_UPLOAD_PIXELS:
                raise UploadRejected("upload_too_many_pixels")
            probe.load()  # a truncated file fails here
    except UploadRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRejected("upload_too_many_pixels") from None
    except (OSError, SyntaxError, ValueError):
        raise UploadRejected("upload_not_image") from None
    return square(ImageOps.exif_transpose(probe), size)
