"""The notebook as a PDF to bring to a meeting, an advocate or a lawyer (fpdf2).

Text is drawn with DejaVu Sans, shipped in forum/notebook/fonts/ with its licence,
so curly quotes, accents and most scripts print as typed; a character the font
lacks becomes "?" rather than vanishing. The layout follows the print page:
the service summary with the shortfall first, then the gaps, then the timeline.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from forum.notebook.models import DATE_KIND_LABELS, Notebook
from forum.notebook.timeline import TimelinePage, day, gap_sentence

FONT = Path(__file__).resolve().parent / "fonts" / "DejaVuSans.ttf"
FAMILY = "DejaVu"
ACCENT = (31, 95, 102)
HEAD = FontFace(fill_color=(235, 242, 242))


class NotebookPDF(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(format="Letter")
        self.footer_text = footer_text
        self.add_font(FAMILY, "", str(FONT))
        self.set_auto_page_break(True, margin=16)
        self.set_margins(14, 14, 14)
        self._cmap = self.fonts[FAMILY.lower()].cmap

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=7)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, self.clean(f"{self.footer_text} · page {self.page_no()}/{{nb}}"),
                  align="C")

    def clean(self, text: str) -> str:
        """Printable text: control characters out, glyphs the font lacks as '?'."""
        out = []
        for char in text:
            if char in "\n\t":
                out.append(char if char == "\n" else " ")
            elif unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn"):
                continue
            else:
                out.append(char if ord(char) in self._cmap else "?")
        return "".join(out)

    def heading(self, text: str, size: int = 12) -> None:
        self.ln(2)
        self.set_font(FAMILY, size=size)
        self.set_text_color(*ACCENT)
        self.multi_cell(0, size * 0.55, self.clean(text), new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        self.set_font(FAMILY, size=9)

    def paragraph(self, text: str) -> None:
        self.multi_cell(0, 4.6, self.clean(text), new_x="LMARGIN", new_y="NEXT")

    def rows(self, header: tuple[str, ...], rows: list[tuple[str, ...]],
             widths: tuple[int, ...]) -> None:
        with self.table(col_widths=widths, headings_style=HEAD, line_height=4.6,
                        text_align="LEFT", first_row_as_headings=True) as table:
            for values in (header, *rows):
                row = table.row()
                for value in values:
                    row.cell(self.clean(value))


def _minutes(value: int) -> str:
    hours, minutes = divmod(value, 60)
    if not hours:
        return f"{value} min"
    return f"{value:,} min ({hours:,} h" + (f" {minutes} min)" if minutes else ")")


def render_pdf(notebook: Notebook, page: TimelinePage, today: date, site_name: str) -> bytes:
    """The printable record as PDF bytes."""
    pdf = NotebookPDF(f"IEP notebook: {notebook.nickname} · as of {day(today)}")
    pdf.set_title(pdf.clean(f"IEP notebook: {notebook.nickname}"))
    pdf.set_creator(site_name)
    pdf.add_page()
    pdf.heading(f"IEP notebook: {notebook.nickname}", 16)
    pdf.paragraph(f"Timeline and services as of {day(today)}. A school day here is "
                  f"{notebook.school_day_minutes} minutes; breaks the parent marked are not "
                  "counted as school days.")
    if page.summaries:
        pdf.heading("What the IEP promises, and what was delivered")
        rows = []
        for s in page.summaries:
            t = s.tally
            short = _minutes(t.shortfall)
            if s.shortfall_days is not None:
                short = f"{s.shortfall_days} school days, {short}"
            ends = f" to {day(s.service.ends_on)}" if s.service.ends_on else ""
            rows.append((s.service.name, f"{s.amount_label}, from {day(s.service.starts_on)}{ends}",
                         _minutes(t.promised), _minutes(t.delivered), _minutes(t.missed), short))
        pdf.rows(("Service", "Promise", "Promised to date", "Delivered", "Logged missed",
                  "Shortfall"), rows, (26, 44, 26, 26, 24, 36))
        gaps = [gap_sentence(s, g) for s in page.summaries for g in s.tally.gaps]
        if gaps:
            pdf.heading("Gaps")
            for sentence in gaps:
                pdf.paragraph(f"• {sentence}")
    if page.upcoming:
        pdf.heading("Coming up")
        for d in page.upcoming:
            pdf.paragraph(f"• {day(d.due_on)}: {DATE_KIND_LABELS[d.kind]}"
                          + (f" ({d.note})" if d.note else ""))
    pdf.heading("Timeline")
    if page.items:
        rows = []
        for item in page.items:
            when = day(item.on) + (f" {item.at:%H:%M}" if item.at else "")
            details = item.text
            if item.roles:
                details = f"With: {item.roles}\n{details}" if details else f"With: {item.roles}"
            if item.tags:
                details += f"\nTopics: {', '.join(t.label for t in item.tags)}"
            what = item.label + (f"\n{item.service_name}" if item.service_name and item.entry
                                 else "")
            rows.append((when, what, details.strip() or "-"))
        pdf.rows(("Date", "What", "Details"), rows, (34, 42, 106))
    else:
        pdf.paragraph("Nothing recorded yet.")
    return bytes(pdf.output())
