"""report.pdf from report.md: markdown -> HTML (mistune) -> PDF (PyMuPDF's Story), no TeX, no browser.

Display equations (`$$ ... $$` on lines of their own) stay LaTeX in the markdown, where GitHub and
the nbconvert HTML typeset them; for the PDF each is drawn by matplotlib's mathtext into a PNG.
"""

from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path

from hw3.errors import InputError

FIGURE_LINK = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
IMAGE_PARAGRAPH = re.compile(r'<p><img src="([^"]+)" alt="[^"]*" ?/></p>')
DISPLAY_MATH = re.compile(r"^\$\$(.+?)\$\$$", re.MULTILINE | re.DOTALL)
EQUATION_DPI = 200
PAGE_MARGIN = 48  # points
BLOCK_GAP = 2  # points between consecutive stories
JPEG_QUALITY = 88
TALLEST_FIGURE = 0.45  # of the text height, so two square figures share a page
CSS = """
body { font-family: sans-serif; font-size: 9.5pt; line-height: 1.3; }
h1 { font-size: 17pt; } h2 { font-size: 13.5pt; margin-top: 14pt; } h3 { font-size: 11pt; }
code { font-family: monospace; font-size: 8.5pt; }
pre { font-family: monospace; font-size: 8pt; background-color: #f2f2f2; }
table { border-collapse: collapse; font-size: 7.5pt; margin-bottom: 6pt; }
/* No th background: MuPDF's story repeats a sliver of it wherever a later story ends. */
th, td { border: 0.5pt solid #999999; padding: 1.5pt 3pt; }
th { font-weight: bold; }
"""


def figure_paths(markdown: str) -> list[str]:
    """Every image path the markdown names, in order, each once."""
    return list(dict.fromkeys(FIGURE_LINK.findall(markdown)))


def equations(markdown: str) -> list[str]:
    """The LaTeX of every display equation, in order."""
    return [latex.strip() for latex in DISPLAY_MATH.findall(markdown)]


def equation_png(latex: str) -> tuple[bytes, float]:
    """One display equation drawn by mathtext -> (PNG bytes, width in points)."""
    import matplotlib
    from matplotlib.figure import Figure
    from PIL import Image

    with matplotlib.rc_context({"mathtext.fontset": "cm"}):
        figure = Figure()
        figure.text(0, 0, f"${latex}$", fontsize=11)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=EQUATION_DPI, bbox_inches="tight", pad_inches=0.03)
    width_pixels = Image.open(io.BytesIO(buffer.getvalue())).width
    return buffer.getvalue(), width_pixels / EQUATION_DPI * 72 * 0.85


def markdown_html(markdown: str, equation_image=None) -> str:
    """HTML for the PDF, tables on. Each display equation becomes the markdown that
    `equation_image(index, latex)` returns (an image link)."""
    import mistune

    if equation_image is not None:
        counter = iter(range(len(equations(markdown))))
        markdown = DISPLAY_MATH.sub(lambda match: equation_image(next(counter), match.group(1).strip()), markdown)
    return mistune.create_markdown(plugins=["table"], escape=False)(markdown)


def html_blocks(html: str) -> list[tuple[str, str | None]]:
    """Split the HTML at every paragraph that is one image -> [(html, None) for text, (src, src) for images]."""
    blocks, position = [], 0
    for match in IMAGE_PARAGRAPH.finditer(html):
        if html[position:match.start()].strip():
            blocks.append((html[position:match.start()], None))
        blocks.append((match.group(1), match.group(1)))
        position = match.end()
    if html[position:].strip():
        blocks.append((html[position:], None))
    return blocks


class _PageFlow:
    """Stories placed one below another on A4 pages. MuPDF shrinks an image to whatever room is left on
    a page, so every figure is its own story, moved to a new page when it does not fit at its size."""

    def __init__(self, writer, archive):
        import pymupdf

        self.pymupdf, self.writer, self.archive = pymupdf, writer, archive
        self.page = pymupdf.paper_rect("a4")
        self.frame = self.page + (PAGE_MARGIN, PAGE_MARGIN, -PAGE_MARGIN, -PAGE_MARGIN)
        self.device, self.top = None, self.frame.y0

    def _new_page(self) -> None:
        if self.device is not None:
            self.writer.end_page()
        self.device, self.top = self.writer.begin_page(self.page), self.frame.y0

    def add(self, html: str, height: float | None = None) -> None:
        """Flow `html` on; `height` (points) is a figure's, which must fit whole on one page."""
        if self.device is None or (height is not None and self.top + height > self.frame.y1):
            self._new_page()
        story = self.pymupdf.Story(html=html, archive=self.archive, user_css=CSS)
        more = True
        while more:
            room = self.pymupdf.Rect(self.frame.x0, self.top, self.frame.x1, self.frame.y1)
            more, filled = story.place(room)
            story.draw(self.device)
            self.top = self.pymupdf.Rect(filled).y1 + BLOCK_GAP
            if more:
                self._new_page()

    def close(self) -> None:
        if self.device is not None:
            self.writer.end_page()
        self.writer.close()


def _image_size(path: Path) -> tuple[int, int]:
    from PIL import Image

    with Image.open(path) as image:
        return image.size


def write_pdf(markdown: str, base_dir: str | Path, path: str | Path) -> Path:
    """Lay the markdown out on A4 pages; figures are read relative to `base_dir`. Written to a
    temporary name and renamed, so an interrupted build never leaves half a PDF."""
    import pymupdf

    base_dir, path = Path(base_dir), Path(path)
    missing = [name for name in figure_paths(markdown) if not (base_dir / name).is_file()]
    if missing:
        raise InputError(f"{base_dir}: the report names figures that do not exist: {', '.join(missing)}")
    partial = path.with_name(path.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="hw3-report-") as scratch:
        widths = {}  # equation PNG -> its width in points

        def equation_image(index: int, latex: str) -> str:
            name = f"equation_{index}.png"
            png, widths[name] = equation_png(latex)
            (Path(scratch) / name).write_bytes(png)
            return f"![equation {index + 1}]({name})"

        html = markdown_html(markdown, equation_image)
        archive = pymupdf.Archive(str(base_dir))
        archive.add(scratch)
        flow = _PageFlow(pymupdf.DocumentWriter(str(partial)), archive)
        for block, src in html_blocks(html):
            if src is None:
                flow.add(block)
                continue
            pixels_wide, pixels_high = _image_size((Path(scratch) if src in widths else base_dir) / src)
            # Full text width (equations at their own size), but never taller than most of a page.
            width = min(widths.get(src, flow.frame.width), flow.frame.width,
                        TALLEST_FIGURE * flow.frame.height * pixels_wide / pixels_high)
            height = width * pixels_high / pixels_wide
            flow.add(f'<p><img src="{src}" style="width: {width:.1f}pt; height: {height:.1f}pt"/></p>', height + 12)
        flow.close()
    _compress(partial, path)
    partial.unlink()
    return path


def _compress(source: Path, path: Path) -> None:
    """MuPDF's layout stores figures as raw pixels (38 MB for the shipped report): re-encode them as
    JPEG quality 88 (4 MB, no visible change at print size) and drop the timestamps, so an
    unchanged report gives an unchanged file."""
    import pymupdf

    with pymupdf.open(str(source)) as document:
        document.rewrite_images(quality=JPEG_QUALITY, lossy=True, lossless=True)
        document.set_metadata({"title": "hw3 report", "producer": "hw3 report (PyMuPDF)"})
        partial = path.with_name(path.name + ".compressed")
        document.save(str(partial), garbage=3, deflate=True, no_new_id=True)
    partial.replace(path)


def pdf_images(path: str | Path) -> list[tuple[int, int]]:
    """(width, height) in pixels of every distinct image embedded in the PDF, read back by PyMuPDF."""
    import pymupdf

    with pymupdf.open(str(path)) as document:
        seen = {}
        for page in document:
            for image in page.get_images(full=True):
                xref, width, height = image[0], image[2], image[3]
                seen[xref] = (width, height)
    return list(seen.values())
