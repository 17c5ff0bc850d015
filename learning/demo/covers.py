"""Generated course covers for the demo content: a gradient in the course's colour, a motif
that says what the course is about (code for programming, charts for data, check marks for
testing) and the course title, with alt text that describes them."""

from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw, ImageFont

SIZE = (1280, 720)  # at least the card rendition (800x450)


def _shade(color: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    if factor >= 1:
        return tuple(min(255, int(c + (255 - c) * (factor - 1))) for c in color)
    return tuple(int(c * factor) for c in color)


def _gradient(color: tuple[int, int, int]) -> Image.Image:
    width, height = SIZE
    top, bottom = _shade(color, 1.25), _shade(color, 0.55)
    image = Image.new("RGB", SIZE, top)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / (height - 1)
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    return image


def _font(size: int):
    return ImageFont.load_default(size=size)


def _code_motif(draw: ImageDraw.ImageDraw, color) -> None:
    """An editor window with indented lines of code and a prompt."""
    draw.rounded_rectangle([700, 110, 1200, 560], radius=28, fill=_shade(color, 0.35))
    for i, dot in enumerate(((255, 95, 86), (255, 189, 46), (39, 201, 63))):
        draw.ellipse([730 + i * 34, 136, 752 + i * 34, 158], fill=dot)
    lines = [(0, 260), (1, 200), (1, 240), (2, 150), (1, 120), (0, 220), (1, 280)]
    for row, (indent, length) in enumerate(lines):
        y = 200 + row * 46
        x = 740 + indent * 40
        draw.rounded_rectangle([x, y, x + length, y + 18], radius=9, fill=_shade(color, 1.6))
    draw.text((740, 505), ">>> print('hello')", font=_font(30), fill=(240, 240, 240))


def _chart_motif(draw: ImageDraw.ImageDraw, color) -> None:
    """A bar chart with a trend line over it."""
    base = 560
    heights = [120, 190, 160, 260, 230, 330]
    points = []
    for i, bar in enumerate(heights):
        x = 720 + i * 78
        draw.rounded_rectangle([x, base - bar, x + 52, base], radius=8, fill=_shade(color, 1.5))
        points.append((x + 26, base - bar - 40))
    draw.line([(700, base), (1200, base)], fill=(245, 245, 245), width=4)
    draw.line(points, fill=(255, 214, 102), width=8, joint="curve")
    for x, y in points:
        draw.ellipse([x - 10, y - 10, x + 10, y + 10], fill=(255, 214, 102))


def _check_motif(draw: ImageDraw.ImageDraw, color) -> None:
    """A checklist of passing tests."""
    for row in range(4):
        y = 170 + row * 96
        draw.rounded_rectangle([720, y, 1190, y + 68], radius=16, fill=_shade(color, 0.4))
        draw.line([(748, y + 36), (766, y + 52), (798, y + 18)], fill=(134, 239, 172), width=9)
        draw.rounded_rectangle(
            [830, y + 26, 830 + 300 - row * 40, y + 44], radius=9, fill=_shade(color, 1.6)
        )


MOTIFS = {
    "code": (_code_motif, "an editor window with lines of code and a Python prompt"),
    "chart": (_chart_motif, "a bar chart with a rising trend line"),
    "checks": (_check_motif, "a checklist of passing tests"),
}


def cover_png(*, title: str, subtitle: str, color: tuple[int, int, int], motif: str) -> bytes:
    image = _gradient(color)
    draw = ImageDraw.Draw(image)
    # Soft circles for depth.
    for i in range(6):
        radius = 90 + 40 * i
        cx = 180 + int(120 * math.cos(i))
        cy = 600 - 30 * i
        draw.ellipse(
            [cx - radius, cy - radius, cx + radius, cy + radius],
            outline=_shade(color, 1.35),
            width=3,
        )
    MOTIFS[motif][0](draw, color)
    words, lines = title.split(), [""]
    for word in words:  # wrap the title to the left half
        candidate = f"{lines[-1]} {word}".strip()
        if draw.textlength(candidate, font=_font(84)) > 560 and lines[-1]:
            lines.append(word)
        else:
            lines[-1] = candidate
    y = 150
    for line in lines:
        draw.text((80, y), line, font=_font(84), fill=(255, 255, 255))
        y += 100
    for line in _wrap(draw, subtitle, 40, 560):
        draw.text((80, y + 20), line, font=_font(40), fill=(235, 240, 245))
        y += 52
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _wrap(draw, text: str, size: int, width: int) -> list[str]:
    lines = [""]
    for word in text.split():
        candidate = f"{lines[-1]} {word}".strip()
        if draw.textlength(candidate, font=_font(size)) > width and lines[-1]:
            lines.append(word)
        else:
            lines[-1] = candidate
    return [line for line in lines if line]


def cover_alt(*, title: str, motif: str) -> str:
    return f"Course cover for “{title}”: {MOTIFS[motif][1]}, with the course title."
