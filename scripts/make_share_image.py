"""Draw themes/default/static/share.png, the default link-preview image (og:image).

A 1200×630 card in the theme's colours: the brand mark (a heart on a disc) and three
mission cards. Standard library only (zlib writes the PNG), so anyone can regenerate
it without installing an imaging library:

    python scripts/make_share_image.py
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path

WIDTH, HEIGHT = 1200, 630
OUT = Path(__file__).resolve().parent.parent / "themes" / "default" / "static" / "share.png"

RGB = tuple[int, int, int]
BRAND = (0x0F, 0x5C, 0x63)
BRAND_STRONG = (0x0A, 0x44, 0x49)
BRAND_SOFT = (0xDC, 0xEC, 0xEA)
ACCENT = (0xFF, 0xB8, 0x6B)
WHITE = (0xFF, 0xFF, 0xFF)
MUTED = (0xB7, 0xC9, 0xC7)


def rounded_rect(x0: float, y0: float, x1: float, y1: float, r: float) -> Callable[..., bool]:
    def inside(x: float, y: float) -> bool:
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            return False
        cx = min(max(x, x0 + r), x1 - r)
        cy = min(max(y, y0 + r), y1 - r)
        return (x - cx) ** 2 + (y - cy) ** 2 <= r * r

    return inside


def disc(cx: float, cy: float, r: float) -> Callable[..., bool]:
    return lambda x, y: (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def heart(cx: float, cy: float, size: float) -> Callable[..., bool]:
    # The classic implicit heart (x² + y² − 1)³ − x²y³ ≤ 0, y pointing up.
    def inside(x: float, y: float) -> bool:
        u = (x - cx) / size
        v = -(y - cy) / size
        return (u * u + v * v - 1) ** 3 - u * u * v ** 3 <= 0

    return inside


SHAPES: list[tuple[Callable[..., bool], RGB]] = []  # painted last first: topmost wins
for row, top in enumerate((150, 290, 430)):
    SHAPES += [
        (rounded_rect(660, top + 80, 760 + 40 * row, top + 96, 8), ACCENT),
        (rounded_rect(660, top + 52, 1010 - 60 * row, top + 64, 6), MUTED),
        (rounded_rect(660, top + 22, 960 - 40 * row, top + 40, 9), BRAND),
        (rounded_rect(630, top, 1100, top + 112, 18), WHITE),
    ]
SHAPES += [
    (heart(330, 300, 120), ACCENT),
    (disc(330, 315, 200), BRAND_STRONG),
    (rounded_rect(0, HEIGHT - 22, WIDTH, HEIGHT, 0), ACCENT),
]


def colour(x: float, y: float) -> RGB:
    for inside, rgb in SHAPES:
        if inside(x, y):
            return rgb
    return BRAND


def pixel(x: int, y: int) -> RGB:
    corners = {colour(x + dx, y + dy) for dx in (0.05, 0.95) for dy in (0.05, 0.95)}
    if len(corners) == 1:
        return corners.pop()
    # An edge: average 4×4 samples so curves are smooth.
    samples = [colour(x + (i + 0.5) / 4, y + (j + 0.5) / 4) for i in range(4) for j in range(4)]
    red, green, blue = (round(sum(s[k] for s in samples) / len(samples)) for k in range(3))
    return red, green, blue


def png(width: int, height: int, rows: list[bytes]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 on every row
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main() -> None:
    rows = [bytes(c for x in range(WIDTH) for c in pixel(x, y)) for y in range(HEIGHT)]
    OUT.write_bytes(png(WIDTH, HEIGHT, rows))
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
