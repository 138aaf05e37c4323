"""Generated media for the demo's sample posts: infographics (PNG) and one short clip (MP4).

The demo must run on a fresh machine with only Python and pip, so nothing here downloads anything
or needs system packages beyond what the wheels of Pillow and PyAV bring. The one hard requirement
is a font with Vietnamese coverage: Pillow's bundled default font (Aileron) has no "ệ", "ừ", "Đ",
not even "é", and a post about Huế rendered with missing-glyph boxes would be worse than no image.
`font_path()` therefore looks, in order, for the OFL font of the PyPI package
`font-source-sans-pro`, then for common system fonts, and accepts a candidate only after checking
that it really draws Vietnamese letters.

Output is deterministic for a given spec (same Pillow, PyAV and font): no clocks, no randomness.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from importlib import resources
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import av
from PIL import Image, ImageDraw, ImageFont

log = logging.getLogger(__name__)

FOOTER = "Thừa Thiên Huế · ASEAN"
KICKER = "ASEAN · THỪA THIÊN HUẾ"
SITE = "asean.thuathienhue.gov.vn"
# Letters that exercise every Vietnamese diacritic stack a headline is likely to need.
VIETNAMESE_PROBE = "ĐđệừặơưỹẫộữựẳỡÂÊÔ"

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont | ImageFont.TransposedFont
RGB = tuple[int, int, int]
Box = tuple[int, int, int, int]
Figures = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Palette:
    top: RGB
    bottom: RGB
    accent: RGB
    text: RGB
    muted: RGB

    @classmethod
    def parse(cls, colours: str) -> Palette:
        """From five hex colours: "top bottom accent text muted"."""
        rgb = [(int(c[1:3], 16), int(c[3:5], 16), int(c[5:7], 16)) for c in colours.split()]
        return cls(*rgb)


PALETTES: dict[str, Palette] = {
    # Huế's royal purple ("tím Huế") with imperial gold.
    "hue-purple": Palette.parse("#56287c #20103e #f2c14e #ffffff #ded2ec"),
    # The ASEAN flag's blue and yellow.
    "asean-blue": Palette.parse("#0046b4 #001c5c #ffcc00 #ffffff #d0def6"),
    # The lotus of Tịnh Tâm lake.
    "lotus": Palette.parse("#ce5480 #661e4e #ffe6a8 #ffffff #fadee8"),
    # Green city, sustainable environment.
    "jade": Palette.parse("#168064 #08383c #c4ee8c #ffffff #d2eee2"),
    # The Perfume River (sông Hương).
    "river": Palette.parse("#16749c #0a2a54 #ffbe5c #ffffff #d0e6f2"),
    # Imperial red and gold of the Citadel.
    "heritage": Palette.parse("#9e1e20 #480c14 #f6ca60 #ffffff #f6ded2"),
    # A light palette, for variety on a calendar full of dark cards.
    "paper": Palette.parse("#fcf8f0 #eae0d0 #7a2e78 #2c1e38 #5c4e60"),
}
DEFAULT_PALETTE = "asean-blue"


# --- fonts -------------------------------------------------------------------------------------

# (regular, bold) pairs, most common first.
_SYSTEM_FONTS = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/dejavu/DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/TTF/DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    ("/Library/Fonts/Arial Unicode.ttf", "Arial Unicode.ttf"),
    ("C:/Windows/Fonts/arial.ttf", "arialbd.ttf"),
)


def _packaged_font(bold: bool) -> Path | None:
    if find_spec("font_source_sans_pro") is None:
        return None
    name = "SourceSansPro-Bold.ttf" if bold else "SourceSansPro-Regular.ttf"
    with resources.as_file(resources.files("font_source_sans_pro") / "files" / name) as path:
        # The package is installed as plain files (no zip), so the path outlives the context.
        return path if path.is_file() else None


def _render(font: Font, text: str) -> bytes:
    image = Image.new("L", (96, 96))
    ImageDraw.Draw(image).text((16, 16), text, font=font, fill=255)
    return image.tobytes()


def draws_glyphs(font: Font, text: str) -> bool:
    """Whether every character of `text` has a real glyph, not the font's missing-glyph box.

    A private-use code point is never in a text font, so its rendering is the .notdef box; a
    character drawn identically to it is missing. Pillow does not expose a font's cmap, and this
    way needs no font-parsing library.
    """
    missing = _render(font, "\ue000")
    return all(_render(font, ch) != missing for ch in unicodedata.normalize("NFC", text))


@cache
def font_path(bold: bool = False) -> Path | None:
    """The first font file found that draws Vietnamese, or None (then Pillow's default is used)."""
    system = [Path(r).with_name(b) if bold else Path(r) for r, b in _SYSTEM_FONTS]
    candidates = [_packaged_font(bold), *system]
    for candidate in candidates:
        if candidate is None or not candidate.is_file():
            continue
        if draws_glyphs(ImageFont.truetype(str(candidate), 32), VIETNAMESE_PROBE):
            return candidate
    log.warning(
        "no font with Vietnamese glyphs found: install the PyPI package font-source-sans-pro"
    )
    return None


@cache
def load_font(size: int, bold: bool = False) -> Font:
    path = font_path(bold)
    if path is None:
        return ImageFont.load_default(size=size)
    return ImageFont.truetype(str(path), size)


# --- drawing helpers ---------------------------------------------------------------------------


def _palette(spec: Mapping[str, Any]) -> Palette:
    name = str(spec.get("palette", DEFAULT_PALETTE))
    if name not in PALETTES:
        raise ValueError(f"unknown palette {name!r}; known: {', '.join(sorted(PALETTES))}")
    return PALETTES[name]


def _text(spec: Mapping[str, Any], key: str) -> str:
    # NFC so that precomposed glyphs are used: decomposed marks stack badly in some fonts.
    return unicodedata.normalize("NFC", str(spec.get(key) or "")).strip()


def gradient(size: tuple[int, int], top: RGB, bottom: RGB) -> Image.Image:
    """A diagonal gradient, built by scaling a tiny image: fast and needs no numpy."""
    mask = Image.linear_gradient("L").rotate(-30, resample=Image.Resampling.BICUBIC, expand=True)
    # The centre square of the rotated gradient: the largest part without empty corners.
    x0, y0 = (mask.width - 182) // 2, (mask.height - 182) // 2
    mask = mask.crop((x0, y0, x0 + 182, y0 + 182)).resize(size, Image.Resampling.BICUBIC)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


def wrap(text: str, font: Font, width: float) -> list[str]:
    """Greedy word wrap by rendered width (a character count lies for proportional fonts)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if line and font.getlength(candidate) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def wrap_balanced(text: str, font: Font, width: float) -> list[str]:
    """Wrap into as few lines as greedy wrapping, but with lines of even length (no widows)."""
    lines = wrap(text, font, width)
    if len(lines) < 2:
        return lines
    low, high = width / 2, width
    for _ in range(12):
        middle = (low + high) / 2
        if len(wrap(text, font, middle)) > len(lines):
            low = middle
        else:
            high = middle
    return wrap(text, font, high)


def _ellipsize(text: str, font: Font, width: float) -> str:
    words = text.split()
    while len(words) > 1 and font.getlength(" ".join(words) + " …") > width:
        words.pop()
    return " ".join(words) + " …"


def fit_text(
    text: str, box: tuple[float, float], sizes: tuple[float, float], max_lines: int, bold: bool
) -> tuple[Font, list[str], int]:
    """The largest size from sizes[0] down to sizes[1] at which `text` fits in box (w, h).

    Returns the font, the lines and the line step; below the smallest size, the last line is cut.
    """
    width, height = box
    size, smallest = round(sizes[0]), round(sizes[1])
    while True:
        font = load_font(size, bold)
        lines = wrap_balanced(text, font, width)
        step = round(size * 1.22)
        if size <= smallest or (len(lines) <= max_lines and len(lines) * step <= height):
            if len(lines) > max_lines:
                lines = [
                    *lines[: max_lines - 1],
                    _ellipsize(" ".join(lines[max_lines - 1 :]), font, width),
                ]
            return font, lines, step
        size -= 2


def _decorate(image: Image.Image, palette: Palette, unit: float) -> None:
    """Concentric rings at the top right: a quiet nod to the circle of the ASEAN emblem."""
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    cx, cy = image.width - 70 * unit, 40 * unit
    for i, radius in enumerate((300, 230, 165, 105)):
        r = radius * unit
        draw.ellipse(
            (cx - r, cy - r, cx + r, cy + r),
            outline=(*palette.accent, 16 + 8 * i),
            width=max(2, round(6 * unit)),
        )
    image.paste(Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB"))


def _footer(draw: ImageDraw.ImageDraw, size: tuple[int, int], palette: Palette, unit: float) -> int:
    width, height = size
    bar = round(58 * unit)
    top = height - bar
    light = palette.text[0] < 128
    # A light palette gets its accent as the footer: a darkened beige reads as dirty grey.
    fill = palette.accent if light else _mix(palette.bottom, (0, 0, 0), 0.35)
    draw.rectangle((0, top, width, height), fill=fill)
    if not light:
        draw.rectangle((0, top, width, top + max(2, round(4 * unit))), fill=palette.accent)
    font, small = load_font(round(24 * unit), bold=True), load_font(round(20 * unit))
    middle = top + bar / 2
    draw.text((60 * unit, middle), FOOTER, font=font, fill=(255, 255, 255), anchor="lm")
    draw.text((width - 60 * unit, middle), SITE, font=small, fill=(220, 220, 230), anchor="rm")
    return top


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    r, g, bl = (round(x + (y - x) * t) for x, y in zip(a, b, strict=True))
    return (r, g, bl)


# --- infographic -------------------------------------------------------------------------------


def _draw_cards(
    image: Image.Image, figures: Figures, box: Box, palette: Palette, unit: float
) -> None:
    left, top, right, bottom = box
    gap = round(24 * unit)
    card_w = (right - left - gap * (len(figures) - 1)) / len(figures)
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    odraw = ImageDraw.Draw(overlay)
    light = palette.text[0] < 128  # dark text: a light palette, so tint cards darker
    tint = (0, 0, 0, 18) if light else (255, 255, 255, 30)
    for i in range(len(figures)):
        x0 = left + i * (card_w + gap)
        odraw.rounded_rectangle((x0, top, x0 + card_w, bottom), radius=round(18 * unit), fill=tint)
    image.paste(Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB"))
    draw = ImageDraw.Draw(image)
    pad = round(20 * unit)
    for i, (label, value) in enumerate(figures):
        x0 = left + i * (card_w + gap)
        inner, tall = card_w - 2 * pad, bottom - top
        vfont, vlines, _ = fit_text(value, (inner, tall * 0.5), (64 * unit, 28 * unit), 1, True)
        draw.text((x0 + pad, top + pad), vlines[0], font=vfont, fill=palette.accent, anchor="lt")
        lfont, llines, lstep = fit_text(
            label, (inner, tall * 0.4), (24 * unit, 16 * unit), 2, False
        )
        y = bottom - pad - lstep * len(llines)
        for line in llines:
            draw.text((x0 + pad, y), line, font=lfont, fill=palette.muted)
            y += lstep


def _draw_bars(
    image: Image.Image, figures: Figures, box: Box, palette: Palette, unit: float
) -> None:
    left, top, right, bottom = box
    values = [float(v.replace(",", ".").split()[0]) for _, v in figures]
    peak = max(values) or 1.0
    draw = ImageDraw.Draw(image)
    row = (bottom - top) / len(figures)
    label_w = (right - left) * 0.34
    lfont = load_font(round(24 * unit))
    vfont = load_font(round(26 * unit), bold=True)
    track = _mix(palette.bottom, palette.text, 0.18)
    for i, ((label, shown), value) in enumerate(zip(figures, values, strict=True)):
        y = top + i * row + row / 2
        text = wrap(label, lfont, label_w - 16 * unit)[0]
        draw.text((left, y), text, font=lfont, fill=palette.muted, anchor="lm")
        x0, x1 = left + label_w, right - 150 * unit
        half = row * 0.28
        radius = round(half)
        draw.rounded_rectangle((x0, y - half, x1, y + half), radius=radius, fill=track)
        end = x0 + max(2 * half, (x1 - x0) * value / peak)
        draw.rounded_rectangle((x0, y - half, end, y + half), radius=radius, fill=palette.accent)
        draw.text((end + 14 * unit, y), shown, font=vfont, fill=palette.text, anchor="lm")


def render_infographic(spec: Mapping[str, Any], size: tuple[int, int] = (1200, 675)) -> Image.Image:
    palette = _palette(spec)
    width = size[0]
    unit = width / 1200
    margin = round(60 * unit)
    image = gradient(size, palette.top, palette.bottom)
    _decorate(image, palette, unit)
    draw = ImageDraw.Draw(image)
    footer_top = _footer(draw, size, palette, unit)

    chart = spec.get("chart") == "bar"
    # More cards than four get too narrow for a big number; bars stay legible up to six.
    figures = [(_text(f, "label"), _text(f, "value")) for f in spec.get("figures") or []]
    figures = figures[: 6 if chart else 4]
    figures_h = 0 if not figures else round((52 * len(figures) if chart else 172) * unit)
    figures_top = footer_top - round(36 * unit) - figures_h

    kicker_font = load_font(round(22 * unit), bold=True)
    y = round(56 * unit)
    draw.rectangle((margin, y + 4 * unit, margin + 44 * unit, y + 9 * unit), fill=palette.accent)
    draw.text((margin + 58 * unit, y), KICKER, font=kicker_font, fill=palette.accent, anchor="lt")
    y += round(52 * unit)

    text_w = width - 2 * margin - (0 if figures else round(80 * unit))
    bottom = (figures_top if figures else footer_top) - round(28 * unit)
    subtitle = _text(spec, "subtitle")
    head_room = (bottom - y) * (0.62 if subtitle else 1.0)
    # Without figures the card is all headline: start bigger so it does not look empty.
    headline, sizes = _text(spec, "headline"), ((66 if figures else 84) * unit, 30 * unit)
    hfont, hlines, hstep = fit_text(headline, (text_w, head_room), sizes, 3, True)
    gap = round(20 * unit)
    sub_top = y + hstep * len(hlines) + gap
    sizes = ((32 if figures else 38) * unit, 20 * unit)
    sfont, slines, sstep = fit_text(subtitle, (text_w, bottom - sub_top), sizes, 3, False)
    slines = slines if subtitle else []
    text_end = sub_top + sstep * len(slines) if slines else sub_top - gap
    if not figures:
        # Centre the text block in the space between the kicker and the footer.
        y += max(0, (bottom - text_end) // 2)
    for line in hlines:
        draw.text((margin, y), line, font=hfont, fill=palette.text)
        y += hstep
    y += gap
    for line in slines:
        draw.text((margin, y), line, font=sfont, fill=palette.muted)
        y += sstep
    if figures:
        # Centre the figures between the text and the footer rather than pinning them down.
        free = figures_top - (text_end + round(28 * unit))
        shift = max(0, free // 2)
        box = (margin, figures_top - shift, width - margin, figures_top - shift + figures_h)
        (_draw_bars if chart else _draw_cards)(image, figures, box, palette, unit)
    return image


def generate_infographic(
    spec: Mapping[str, Any], path: Path, size: tuple[int, int] = (1200, 675)
) -> Path:
    """Draw the infographic described by `spec` and save it as a PNG at `path`.

    spec: headline, subtitle?, palette? (a key of PALETTES), figures? [{label, value}],
    chart? ("bar": figures drawn as bars; values must start with a number).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    render_infographic(spec, size).save(path, format="PNG")
    return path


# --- video -------------------------------------------------------------------------------------


def _video_text(spec: Mapping[str, Any], size: tuple[int, int], palette: Palette) -> Image.Image:
    width, height = size
    unit = width / 1280
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    box, sizes = (width * 0.8, height * 0.45), (72 * unit, 28 * unit)
    hfont, hlines, hstep = fit_text(_text(spec, "headline"), box, sizes, 3, True)
    subtitle = _text(spec, "subtitle")
    sfont = load_font(round(32 * unit))
    block = hstep * len(hlines) + (round(60 * unit) if subtitle else 0)
    y = (height - block) / 2 - 20 * unit
    for line in hlines:
        draw.text((width / 2, y), line, font=hfont, fill=(*palette.text, 255), anchor="mt")
        y += hstep
    centre, muted, accent = width / 2, (*palette.muted, 255), (*palette.accent, 255)
    if subtitle:
        line = wrap(subtitle, sfont, width * 0.8)[0]
        draw.text((centre, y + 18 * unit), line, font=sfont, fill=muted, anchor="mt")
    rule_y = round((height - block) / 2 - 50 * unit)
    draw.rectangle((centre - 40 * unit, rule_y, centre + 40 * unit, rule_y + 6 * unit), fill=accent)
    ffont = load_font(round(26 * unit), bold=True)
    draw.text((centre, height - 50 * unit), FOOTER, font=ffont, fill=accent, anchor="mm")
    return layer


def generate_video(
    spec: Mapping[str, Any], path: Path, size: tuple[int, int] = (1280, 720), fps: int = 25
) -> Path:
    """Write a short H.264 MP4: the headline over a slowly drifting gradient.

    spec: headline, seconds (3-6), subtitle?, palette?. The text fades in over the first half
    second: a clip that opens on a hard cut looks like a glitch in a feed's autoplay.
    """
    seconds = float(spec.get("seconds", 4))
    if not 1 <= seconds <= 30:
        raise ValueError(f"seconds must be between 1 and 30, not {seconds}")
    palette = _palette(spec)
    width, height = size
    # Twice as wide as a frame and mirrored, so the crop sliding across it never shows a seam.
    half = gradient((width, height), palette.top, palette.bottom)
    wide = Image.new("RGB", (width * 2, height))
    wide.paste(half, (0, 0))
    wide.paste(half.transpose(Image.Transpose.FLIP_LEFT_RIGHT), (width, 0))
    text = _video_text(spec, size, palette)
    frames = round(seconds * fps)
    fade = max(1, fps // 2)

    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        # One thread: x264's output then does not depend on the machine's core count.
        stream.options = {"crf": "24", "preset": "veryfast", "threads": "1"}
        stream.codec_context.time_base = Fraction(1, fps)
        for index in range(frames):
            offset = round(width * index / max(1, frames - 1))
            frame_img = wide.crop((offset, 0, offset + width, height)).convert("RGBA")
            layer = text
            if index < fade:
                alpha = layer.getchannel("A").point(lambda a, k=index: a * (k + 1) // (fade + 1))
                layer = text.copy()
                layer.putalpha(alpha)
            picture = Image.alpha_composite(frame_img, layer).convert("RGB")
            frame = av.VideoFrame.from_image(picture)  # type: ignore[no-untyped-call]
            frame.pts = index
            frame.time_base = Fraction(1, fps)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path
