"""The report as one self-contained HTML5 page, as CSV, as Markdown, and as a short Telegram summary.

The HTML page carries its charts as PNG data URIs and its styles inline, so it survives being
mailed or printed: no links to fetch, tables beside every chart (with the same numbers) for
readers whose mail program hides images.
"""

from __future__ import annotations

import base64
import csv
import io
import re

from markupsafe import Markup, escape

from bot.insights.report import Report, Table
from bot.platform.texts import Texts

_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
CSS = """
body { font-family: "Segoe UI", Arial, sans-serif; color: #1a1a1a; max-width: 60rem; margin: 1.5rem auto;
       padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; color: #1f4e79; }
h2 { font-size: 1.3rem; border-bottom: 2px solid #1f4e79; padding-bottom: .2rem; margin-top: 2rem; color: #1f4e79; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
.period { font-size: 1.1rem; margin-top: 0; }
.generated, .note { color: #555; font-size: .9rem; }
dl.highlights { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); gap: .6rem; }
dl.highlights div { border: 1px solid #c8d6e5; border-radius: 6px; padding: .5rem .7rem; }
dl.highlights dt { font-size: .85rem; color: #444; }
dl.highlights dd { margin: 0; font-size: 1.4rem; font-weight: bold; color: #1f4e79; }
table { border-collapse: collapse; width: 100%; margin: .3rem 0 .4rem; font-size: .92rem; }
th, td { border: 1px solid #c8d6e5; padding: .25rem .45rem; text-align: left; vertical-align: top; }
th { background: #eef3f8; }
td.n { text-align: right; white-space: nowrap; }
figure { margin: .8rem 0; }
img { max-width: 100%; height: auto; }
footer { margin-top: 2.5rem; border-top: 1px solid #c8d6e5; font-size: .88rem; color: #333; }
@media print {
  body { max-width: none; margin: 0; font-size: 10pt; }
  figure, tr, dl.highlights div { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  thead { display: table-header-group; }
}
"""


def _numeric(value: str) -> bool:
    return bool(value) and (value[0].isdigit() or value.startswith(("<", "–"))) and len(value) < 12


def html_page(report: Report) -> str:
    """One HTML5 document, charts embedded as data:image/png;base64 URIs."""
    parts: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="nl">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(report.title)} – {escape(report.period_text)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{escape(report.title)}</h1>",
        f'<p class="period">{escape(report.period_text)}</p>',
        f'<p class="generated">{escape(report.generated_text)}</p>',
        "</header>",
        "<main>",
        '<dl class="highlights">',
        *(f"<div><dt>{escape(label)}</dt><dd>{escape(value)}</dd></div>" for label, value in report.highlights),
        "</dl>",
    ]
    for section in report.sections:
        parts += [f'<section id="{escape(section.key)}">', f"<h2>{escape(section.title)}</h2>"]
        if section.intro:
            parts.append(f"<p>{escape(section.intro)}</p>")
        for chart in section.charts:
            data = base64.b64encode(chart.png.data).decode("ascii")
            parts += [
                "<figure>",
                f'<img src="data:image/png;base64,{data}" width="{chart.png.width}" height="{chart.png.height}" '
                f'alt="{escape(chart.alt)}">',
                f"<figcaption>{escape(chart.title)}</figcaption>",
                "</figure>",
            ]
        for table in section.tables:
            parts += _html_table(table)
        parts.append("</section>")
    parts += [
        "</main>",
        "<footer>",
        *(f"<p>{escape(note)}</p>" for note in report.notes),
        "</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _html_table(table: Table) -> list[str]:
    parts = [f'<h3 id="{escape(table.key)}">{escape(table.title)}</h3>']
    if not table.rows:
        return [*parts, f'<p class="note">{escape(table.empty)}</p>']
    parts += ["<table>", "<thead>", "<tr>", *(f'<th scope="col">{escape(c)}</th>' for c in table.columns)]
    parts += ["</tr>", "</thead>", "<tbody>"]
    for row in table.rows:
        cells = [f'<td class="n">{escape(v)}</td>' if _numeric(v) else f"<td>{escape(v)}</td>" for v in row[1:]]
        parts.append(f'<tr><th scope="row">{escape(row[0])}</th>{"".join(cells)}</tr>')
    parts += ["</tbody>", "</table>"]
    if table.note:
        parts.append(f'<p class="note">{escape(table.note)}</p>')
    return parts


def csv_text(report: Report) -> str:
    """The same tables one after the other, a title line above each and an empty line between.

    Semicolons and a byte order mark, so Excel with Belgian settings opens it in columns.
    """
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([report.title, report.period_text])
    writer.writerow([])
    for label, value in report.highlights:
        writer.writerow([label, value])
    for section in report.sections:
        if not section.tables and section.intro:
            writer.writerow([])
            writer.writerow([section.title])
            writer.writerow([section.intro])
        for table in section.tables:
            writer.writerow([])
            writer.writerow([table.title])
            if not table.rows:
                writer.writerow([table.empty])
                continue
            writer.writerow(table.columns)
            writer.writerows(table.rows)
    return out.getvalue()


def markdown_text(report: Report) -> str:
    """The same tables in Markdown, for a wiki or a mail in plain text."""
    lines = [f"# {report.title}", "", f"**{_md(report.period_text)}** · {_md(report.generated_text)}", ""]
    lines += [f"- {_md(label)}: **{_md(value)}**" for label, value in report.highlights]
    for section in report.sections:
        lines += ["", f"## {_md(section.title)}", ""]
        if section.intro:
            lines += [_md(section.intro), ""]
        for table in section.tables:
            lines += [f"### {_md(table.title)}", ""]
            if not table.rows:
                lines += [_md(table.empty), ""]
                continue
            lines.append("| " + " | ".join(_md(c) for c in table.columns) + " |")
            numeric = [
                i > 0 and all(_numeric(row[i]) or not row[i] for row in table.rows) for i in range(len(table.columns))
            ]
            lines.append("|" + "|".join(" ---: " if n else " --- " for n in numeric) + "|")
            lines += ["| " + " | ".join(_md(v) for v in row) + " |" for row in table.rows]
            if table.note:
                lines += ["", f"_{_md(table.note)}_"]
            lines.append("")
    lines += ["", "---", ""] + [f"{_md(note)}  " for note in report.notes]
    return "\n".join(lines).rstrip() + "\n"


def _md(text: str) -> str:
    """Text safe inside a Markdown table: pipes, emphasis and anything that could start an HTML tag escaped."""
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")
    return _TAG_START.sub("&lt;", text).replace("\n", " ")  # "<3" stays readable


def telegram_summary(report: Report, texts: Texts, *, themes: int = 3) -> Markup:
    """The short message an admin gets with /rapport; the full report follows as a document."""
    lines = [texts("insights.summary_title", title=report.title, period=report.period_text)]
    lines += [texts("insights.summary_line", label=label, value=value) for label, value in report.highlights]
    unmet = report.table("themes")
    named = [row for row in unmet.rows if row[2]][:themes]
    if named:
        lines.append(texts("insights.summary_unmet"))
        lines += [texts("insights.summary_theme", theme=row[0], times=row[1]) for row in named]
    lines.append(texts("insights.summary_document"))
    return Markup("\n").join(lines)
