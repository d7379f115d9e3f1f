"""Horizontal bar charts as inline SVG for the HTML audit: no script, no external asset, every label
escaped (it comes from the scanned code). Colours come from the page's CSS classes."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

ROW = 22  # px per bar
BAR = 14
LABEL_CHARS = 44  # longer labels are cut with "…" (the full text is the bar's tooltip)
CHAR_PX = 7.8  # width of a 12px monospace character, with a margin for wider fallback fonts
GAP = 10
BAR_WIDTH = 420
NOTE_WIDTH = 190


@dataclass(frozen=True, slots=True)
class Segment:
    value: int
    css: str  # "seg-ok", "seg-assumed", "seg-bad", "seg-warn"
    title: str  # tooltip: "12 proven"


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    segments: tuple[Segment, ...]
    note: str  # right of the bar: "12 of 20 proven (60.0%)"
    tooltip: str = ""  # the label's full text, when it was cut


def _cut(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "\u2026"


def bar_chart(bars: list[Bar], title: str, *, normalise: bool) -> Markup:
    """One SVG: a row per bar, segments stacked left to right. ``normalise``: every bar is 100%
    wide (shares); else widths are proportional to the largest total."""
    if not bars:
        return Markup("")
    label_px = int(max(len(_cut(b.label)) for b in bars) * CHAR_PX) + GAP
    width = label_px + BAR_WIDTH + GAP + NOTE_WIDTH
    height = ROW * len(bars) + 4
    largest = max(sum(s.value for s in b.segments) for b in bars) or 1
    parts = [
        f'<svg class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, bar in enumerate(bars):
        y = i * ROW + 2
        total = sum(s.value for s in bar.segments)
        scale = BAR_WIDTH / (total if normalise else largest) if total else 0.0
        full = bar.tooltip or bar.label
        parts.append(f'<g class="row"><title>{escape(full)}: {escape(bar.note)}</title>')
        parts.append(f'<text class="label" x="0" y="{y + BAR - 2}">{escape(_cut(bar.label))}</text>')
        parts.append(f'<rect class="track" x="{label_px}" y="{y}" width="{BAR_WIDTH}" '
                     f'height="{BAR}" rx="2"/>')
        x = float(label_px)
        for seg in bar.segments:
            if seg.value <= 0:
                continue
            w = seg.value * scale
            parts.append(f'<rect class="{escape(seg.css)}" x="{x:.1f}" y="{y}" width="{w:.1f}" '
                         f'height="{BAR}"><title>{escape(seg.title)}</title></rect>')
            x += w
        parts.append(f'<text class="note" x="{label_px + BAR_WIDTH + GAP}" y="{y + BAR - 2}">'
                     f"{escape(bar.note)}</text></g>")
    parts.append("</svg>")
    return Markup("".join(parts))
