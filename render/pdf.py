"""HTML to PDF with WeasyPrint, fetching nothing from outside the note's folder.

Notes:
(1) WeasyPrint is imported inside the functions that need it: the import costs about half a
    second, which the HTML-only paths (and most tests) should not pay.
(2) WeasyPrint 70 wants its fetcher to be a ``weasyprint.urls.URLFetcher``; ours only adds
    :func:`local_path`, the rule for what may be read. It runs with ``fail_on_errors``, so a
    refused or missing resource stops the PDF instead of silently leaving a chart out.
(3) The page's fonts (DejaVu) lack a few characters that source names use, such as the
    "Ⓢ" of "Binance USDⓈ-M futures". The renderer itself (not the page) adds one fallback
    font for them: STIX General, which ships with the pinned matplotlib package, declared
    for :data:`FALLBACK_RANGE` only and read by a fetcher that serves that one file and
    nothing else. The page's own fetcher still serves only the note's folder.
(4) WeasyPrint decodes every PNG and encodes it again (zlib level 6 with per-row filters)
    only to keep its IDAT chunks: a PDF image with ``/FlateDecode`` and a PNG predictor reads
    the IDAT data of an 8-bit RGB, non-interlaced PNG as it is. That re-encoding was a fifth
    of the PDF's time on the demo's 16 charts, so :func:`embed_pngs_as_is` makes WeasyPrint
    copy such a PNG's IDAT data instead (the same pixels); any other PNG takes WeasyPrint's
    own path.
(5) On import, WeasyPrint opens Pango, HarfBuzz and the rest by trying several names for each;
    cffi hands every name that fails to load to ``ctypes.util.find_library``, which on Linux
    runs ``ldconfig``, ``gcc`` and ``ld`` (22 searches, a third of a second and as much CPU
    in child processes). The last name it tries is each library's Linux soname, which loads
    directly, so on Linux :func:`load_engine` imports it with that search answering "not
    found" at once; should the import fail that way, it is imported again with the search.
(6) The note marks each figure with ``<span data-fact title>`` and each date with ``<time
    datetime>`` for the web page's readers and tests; neither is styled, and a PDF shows
    neither attribute, yet WeasyPrint lays out and draws each as an inline box of its own
    (450 on the demo: a fifth of the PDF's time). :func:`printable` unwraps them (their
    text stays) before WeasyPrint reads the page: the same words in the same places; only
    the kerning across such a boundary, a fraction of a pixel, may differ.
(7) WeasyPrint copies the fallback font into a temporary folder of its font configuration,
    removed only when that object is collected; the document holds it in reference cycles,
    so the folder outlived the PDF until the garbage collector ran, and was left behind when
    it never did (generate.py's process skips the collector's last walk). :func:`html_to_pdf`
    removes it itself once the PDF is written.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import mimetypes
import re
import shutil
import struct
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from errors import RenderError

if TYPE_CHECKING:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

FALLBACK_FAMILY = "marketnotes symbols"
"""The font family brief.css lists last before the generic one, for glyphs DejaVu lacks."""
FALLBACK_RANGE = "U+2460-24FF"
"""Enclosed alphanumerics (Ⓢ...): the characters the fallback font is used for."""
UNSTYLED = re.compile(
    r'<span data-fact="[^"<>]*" title="[^"<>]*">([^<]*)</span>'
    r'|<time datetime="[^"<>]*">([^<]*)</time>'
)
"""A figure's fact span or a time element (note 6), with its text (group 1 or 2)."""
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PLAIN_PNG = (8, 2, 0, 0, 0)
"""IHDR fields after the size of a PNG whose IDAT data a PDF reads as is (note 4): bit depth
8, colour type 2 (RGB), compression 0, filter method 0, not interlaced."""


class FetchRefused(ValueError):
    """The PDF renderer asked for a URL that is not a file inside the note's folder."""


def local_path(url: str, base_dir: Path) -> Path:
    """The file a ``file://`` URL names, when it is an existing file inside ``base_dir``.

    Anything else (``http(s)://``, ``data:``, another host, a path leaving the folder through
    ``..`` or a symlink, a missing file) raises :class:`FetchRefused`.
    """
    root = base_dir.resolve()
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise FetchRefused(f"refusing to fetch {url!r}: only files inside {root} are allowed")
    path = Path(unquote(parts.path)).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise FetchRefused(f"refusing to fetch {url!r}: not a file inside {root}")
    return path


def local_url_fetcher(base_dir: Path) -> URLFetcher:
    """A WeasyPrint URL fetcher that serves only files inside ``base_dir`` (see local_path)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # lazy: note 1

    class LocalFetcher(URLFetcher):  # type: ignore[misc]  # weasyprint is untyped
        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            path = local_path(url, base_dir)
            mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime_type})

    return LocalFetcher(fail_on_errors=True)


def fallback_font() -> Path | None:
    """STIX General from the installed matplotlib package (None when it is not there)."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf" / "STIXGeneral.ttf"
    return path if path.is_file() else None


def font_fetcher(font: Path) -> URLFetcher:
    """A WeasyPrint URL fetcher that serves the one font file ``font`` and refuses the rest."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # lazy: note 1

    allowed = font.resolve().as_uri()

    class FontFetcher(URLFetcher):  # type: ignore[misc]  # weasyprint is untyped
        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            if url != allowed:
                raise FetchRefused(f"refusing to fetch {url!r}: only the fallback font")
            return URLFetcherResponse(url, font.read_bytes(), {"Content-Type": "font/ttf"})

    return FontFetcher(fail_on_errors=True)


def _fallback_css(fonts: FontConfiguration) -> list[CSS]:
    """The stylesheet declaring the fallback font (note 3), or none when it is missing."""
    from weasyprint import CSS  # lazy: note 1

    font = fallback_font()
    if font is None:
        return []
    rule = f'@font-face {{ font-family: "{FALLBACK_FAMILY}"; '
    rule += f'src: url("{font.resolve().as_uri()}"); unicode-range: {FALLBACK_RANGE}; }}'
    return [CSS(string=rule, font_config=fonts, url_fetcher=font_fetcher(font))]


def plain_png_data(png: bytes) -> bytes | None:
    """The IDAT data (one zlib stream of filtered rows) of an 8-bit RGB, non-interlaced PNG
    without transparency; None for any other PNG or for bytes that are not a whole PNG."""
    if not png.startswith(PNG_SIGNATURE):
        return None
    at, kind, header, parts = len(PNG_SIGNATURE), b"", None, []
    while at + 8 <= len(png):
        (length,), kind = struct.unpack(">I", png[at : at + 4]), png[at + 4 : at + 8]
        body = png[at + 8 : at + 8 + length]
        if len(body) < length:
            return None
        if kind == b"IHDR" and length == 13:
            header = struct.unpack(">IIBBBBB", body)[2:]
        elif kind == b"IDAT":
            parts.append(body)
        elif kind in (b"tRNS", b"IEND"):
            break
        at += 12 + length
    if kind != b"IEND" or header != PLAIN_PNG or not parts:
        return None
    return b"".join(parts)


def embed_pngs_as_is() -> None:
    """Make WeasyPrint embed a plain PNG's IDAT data unchanged (note 4); idempotent."""
    from weasyprint.images import RasterImage  # lazy: note 1

    reencode = RasterImage._get_png_data
    if getattr(reencode, "plain_png_data", False):
        return

    def png_data(image: Any) -> bytes:
        """WeasyPrint hands a Pillow image opened on the bytes it read (a ``BytesIO``)."""
        fp = getattr(image, "fp", None)
        plain = plain_png_data(fp.getvalue()) if isinstance(fp, io.BytesIO) else None
        return plain if plain is not None else bytes(reencode(image))

    png_data.plain_png_data = True  # type: ignore[attr-defined]
    RasterImage._get_png_data = staticmethod(png_data)


def load_engine() -> None:
    """Import WeasyPrint now (about half a second), e.g. while charts draw elsewhere."""
    if "weasyprint" not in sys.modules and sys.platform.startswith("linux"):
        try:
            with _no_library_search(), contextlib.redirect_stdout(io.StringIO()):
                import weasyprint  # noqa: F401  lazy: note 1
        except OSError:
            pass  # a library under another name: the import below searches for it (note 5)
    embed_pngs_as_is()


@contextlib.contextmanager
def _no_library_search() -> Iterator[None]:
    """``ctypes.util.find_library`` finds nothing, at once, inside the block (note 5)."""
    import ctypes.util

    search = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = search


def printable(html: str) -> str:
    """``html`` with its fact spans and time elements unwrapped, their text kept (note 6)."""
    return UNSTYLED.sub(lambda m: m.group(1) if m.group(2) is None else m.group(2), html)


def html_to_pdf(html: str, base_dir: Path) -> bytes:
    """The PDF of ``html`` (A4, per its print CSS); relative URLs resolve inside ``base_dir``.

    Raises :class:`RenderError` when the page refers to anything outside ``base_dir`` or to a
    missing file, or when WeasyPrint fails otherwise.
    """
    load_engine()
    import weasyprint  # lazy: note 1
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError

    try:
        document = weasyprint.HTML(
            string=printable(html),
            base_url=base_dir.resolve().as_uri() + "/",
            url_fetcher=local_url_fetcher(base_dir),
        )
        fonts = FontConfiguration()
        try:
            pdf: bytes = document.write_pdf(stylesheets=_fallback_css(fonts), font_config=fonts)
        finally:
            _remove_font_folder(fonts)
    except (FatalURLFetchingError, Exception) as exc:  # the former is a BaseException
        raise _pdf_error(exc) from exc
    return pdf


def _remove_font_folder(fonts: FontConfiguration) -> None:
    """Remove the temporary folder WeasyPrint keeps ``fonts``' font files in (note 7)."""
    folder = getattr(fonts, "_folder", None)  # WeasyPrint 70: None until a font is added
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def _pdf_error(exc: BaseException) -> RenderError:
    """What WeasyPrint raised, as a one-line RenderError; a refused fetch says what and why."""
    refused = exc if isinstance(exc, FetchRefused) else exc.__cause__  # WeasyPrint wraps it
    if isinstance(refused, FetchRefused):
        return RenderError(f"PDF: {refused}")
    first = next(iter(str(exc).splitlines()), "")
    return RenderError(f"PDF: WeasyPrint failed: {type(exc).__name__}: {first}")
