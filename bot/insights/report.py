"""The report as tables and charts, in Dutch, with every small count suppressed.

`build_report` turns the exact `Figures` into what the network reads: each table cell is already
text, so the HTML page, the CSV and the Markdown file show exactly the same figures. A count of 1
or 2 people or questions reads "<3"; a share built on such a count reads "–"; a theme of unmet
demand shows example questions only when at least 3 questions by at least 3 people belong to it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.insights import charts
from bot.insights.figures import Figures, Organisation
from bot.insights.period import Period
from bot.insights.themes import Theme
from bot.lang.languages import LANGUAGES
from bot.platform.texts import Texts

MIN_GROUP = 3
MAX_THEMES = 15
MAX_EXAMPLES = 3
MAX_ACTIVITIES = 15
OUTCOMES = ("answered", "nothing", "out_of_scope", "empty")
KINDS = ("activity", "discount", "transport", "support")


def count(n: int) -> str:
    """A count of people or questions as shown: '<3' for 1 and 2, Dutch thousands separator."""
    if 0 < n < MIN_GROUP:
        return "<3"
    return f"{n:,}".replace(",", ".")


def hidden(n: int) -> int | None:
    """The value a chart may draw: None for 1 and 2."""
    return None if 0 < n < MIN_GROUP else n


def share(part: int, whole: int) -> str:
    """A percentage, or '–' when it would reveal a group of fewer than 3."""
    if whole < MIN_GROUP or 0 < part < MIN_GROUP:
        return "–"
    return f"{round(100 * part / whole)}%"


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""
    empty: str = ""  # said instead of the table when it has no rows


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    alt: str  # what the chart shows, for screen readers and mail clients without images
    png: charts.Png


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    intro: str = ""
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()


@dataclass(frozen=True)
class Report:
    title: str
    period: Period
    period_text: str
    generated_text: str
    highlights: tuple[tuple[str, str], ...]  # (label, value) shown at the top and in the Telegram summary
    sections: tuple[Section, ...]
    notes: tuple[str, ...] = field(default=())

    def table(self, key: str) -> Table:
        """The table with this key (tests and the summary read figures back by key)."""
        for section in self.sections:
            for table in section.tables:
                if table.key == key:
                    return table
        raise KeyError(key)


class ReportBuilder:
    def __init__(self, texts: Texts, *, with_charts: bool = True) -> None:
        self.texts = texts
        self.with_charts = with_charts

    def t(self, key: str, **values: object) -> str:
        return self.texts.label(f"report.{key}", **values)

    # --- dates in Dutch ---------------------------------------------------------------------

    def day(self, day: dt.date) -> str:
        return f"{day.day} {self.texts.items('calendar.months')[day.month - 1]} {day.year}"

    def month(self, month: str) -> str:
        year, number = int(month[:4]), int(month[5:7])
        return f"{self.texts.items('calendar.months')[number - 1]} {year}"

    def week(self, monday: dt.date, period: Period) -> str:
        """'4/1 – 10/1'; the first and last week only as far as they lie in the period."""
        first, last = max(monday, period.start), min(monday + dt.timedelta(days=6), period.end)
        return self.t("week", start=f"{first.day}/{first.month}", end=f"{last.day}/{last.month}")

    def hours(self, hours: float | None) -> str:
        if hours is None:
            return "–"
        if hours < 1:
            return self.t("duration_minutes", n=max(1, round(hours * 60)))
        if hours < 48:
            return self.t("duration_hours", n=_decimal(hours))
        return self.t("duration_days", n=_decimal(hours / 24))

    # --- the report -------------------------------------------------------------------------

    def build(self, figures: Figures) -> Report:
        period = figures.period
        questions = figures.questions
        highlights = (
            (self.t("hl_people"), count(figures.people)),
            (self.t("hl_new"), count(figures.new_people)),
            (self.t("hl_questions"), count(questions)),
            (self.t("hl_answered"), share(figures.answered, questions)),
            (self.t("hl_followed"), share(figures.led_to_either, figures.answered)),
            (self.t("hl_unmet"), count(figures.unanswered)),
            (self.t("hl_submitted"), str(figures.submitted)),
        )
        return Report(
            title=self.t("title"),
            period=period,
            period_text=self.t("period", start=self.day(period.start), end=self.day(period.end)),
            generated_text=self.t("generated", day=self.day(figures.generated_at.date())),
            highlights=highlights,
            sections=(
                self._people(figures),
                self._questions(figures),
                self._asked(figures),
                self._unmet(figures),
                self._reminders(figures),
                self._keyfigures(figures),
                self._campaigns(figures),
                self._care(figures),
            ),
            notes=tuple(self.texts.items("report.notes")),
        )

    def _chart(self, key: str, title: str, alt: str, png: charts.Png | None) -> tuple[Chart, ...]:
        return (Chart(key, title, alt, png),) if png is not None else ()

    def _people(self, f: Figures) -> Section:
        rows = [(self.month(m.month), count(m.people), count(m.new), count(m.returning)) for m in f.months]
        rows.append((self.t("whole_period"), count(f.people), count(f.new_people), count(f.people - f.new_people)))
        table = Table(
            "people",
            self.t("people_table"),
            (self.t("col_month"), self.t("col_people"), self.t("col_new"), self.t("col_returning")),
            tuple(rows),
            note=self.t("people_note"),
        )
        png = None
        if self.with_charts and f.people:
            png = charts.bars(
                [self.month(m.month) for m in f.months],
                [
                    charts.Series(self.t("col_new"), [hidden(m.new) for m in f.months]),
                    charts.Series(self.t("col_returning"), [hidden(m.returning) for m in f.months]),
                ],
                stacked=True,
                ylabel=self.t("col_people").lower(),
            )
        chart = self._chart("people", self.t("people_chart"), self.t("people_chart_alt"), png)
        return Section("people", self.t("people_title"), self.t("people_intro"), (table,), chart)

    def _questions(self, f: Figures) -> Section:
        total = f.questions
        weeks = Table(
            "weeks",
            self.t("weeks_table"),
            (self.t("col_week"), self.t("col_questions"), self.t("col_answered"), self.t("col_share_answered")),
            tuple(
                (self.week(w.monday, f.period), count(w.questions), count(w.answered), share(w.answered, w.questions))
                for w in f.weeks
            ),
        )
        outcomes = Table(
            "outcomes",
            self.t("outcomes_table"),
            (self.t("col_outcome"), self.t("col_questions"), self.t("col_share")),
            (
                *(
                    (self.t(f"outcome_{o}"), count(f.outcomes.get(o, 0)), share(f.outcomes.get(o, 0), total))
                    for o in OUTCOMES
                ),
                (self.t("total"), count(total), share(total, total)),
            ),
        )
        followed = Table(
            "followed",
            self.t("followed_table"),
            (self.t("col_after_answer"), self.t("col_questions"), self.t("col_share_of_answered")),
            (
                (self.t("followed_info"), count(f.led_to_info), share(f.led_to_info, f.answered)),
                (self.t("followed_reminder"), count(f.led_to_reminder), share(f.led_to_reminder, f.answered)),
                (self.t("followed_either"), count(f.led_to_either), share(f.led_to_either, f.answered)),
            ),
            note=self.t("followed_note"),
        )
        png = None
        if self.with_charts and total:
            png = charts.bars(
                [self.week(w.monday, f.period) for w in f.weeks],
                [
                    charts.Series(self.t("col_answered"), [hidden(w.answered) for w in f.weeks]),
                    charts.Series(self.t("not_answered"), [hidden(w.questions - w.answered) for w in f.weeks]),
                ],
                stacked=True,
                ylabel=self.t("col_questions").lower(),
            )
        chart = self._chart("weeks", self.t("weeks_chart"), self.t("weeks_chart_alt"), png)
        languages = Table(
            "languages",
            self.t("languages_table"),
            (self.t("col_language"), self.t("col_questions"), self.t("col_share")),
            tuple(
                (self.t(f"language_names.{lang}"), count(n), share(n, total))
                for lang, n in sorted(f.languages.items(), key=lambda item: LANGUAGES.index(item[0]))
                if lang in LANGUAGES and n
            ),
            note=self.t("languages_note"),
            empty=self.t("no_data"),
        )
        return Section("questions", self.t("questions_title"), "", (outcomes, followed, languages, weeks), chart)

    def _asked(self, f: Figures) -> Section:
        kinds = Table(
            "kinds",
            self.t("kinds_table"),
            (self.t("col_kind"), self.t("col_questions")),
            tuple((self._kind(k), count(n)) for k, n in f.kinds.items()),
            note=self.t("kinds_note"),
            empty=self.t("no_data"),
        )
        categories = Table(
            "categories",
            self.t("categories_table"),
            (self.t("col_category"), self.t("col_questions")),
            tuple((c, count(n)) for c, n in f.categories.items()),
            empty=self.t("no_data"),
        )
        top = Table(
            "top_offers",
            self.t("top_table"),
            (
                self.t("col_offer"),
                self.t("col_kind"),
                self.t("col_questions"),
                self.t("col_info"),
                self.t("col_remind"),
            ),
            tuple(
                (o.title, self._kind(o.kind), count(o.questions), count(o.info), count(o.reminders))
                for o in f.top_offers
            ),
            empty=self.t("no_data"),
        )
        unfound = Table(
            "unfound",
            self.t("unfound_table"),
            (self.t("col_offer"), self.t("col_kind")),
            tuple((o.title, self._kind(o.kind)) for o in f.unfound_offers),
            note=self.t("unfound_note"),
            empty=self.t("unfound_none"),
        )
        png = None
        if self.with_charts and f.kinds:
            png = charts.bars(
                [self._kind(k) for k in f.kinds],
                [charts.Series(self.t("col_questions"), [hidden(n) for n in f.kinds.values()])],
                horizontal=True,
            )
        chart = self._chart("kinds", self.t("kinds_chart"), self.t("kinds_chart_alt"), png)
        return Section("asked", self.t("asked_title"), "", (kinds, categories, top, unfound), chart)

    def _kind(self, kind: str | None) -> str:
        return self.t(f"kind_{kind}") if kind in KINDS else self.t("kind_unknown")

    def _unmet(self, f: Figures) -> Section:
        shown: list[Theme] = []
        other = 0
        for theme in f.themes:
            if theme.questions >= MIN_GROUP and theme.people >= MIN_GROUP and len(shown) < MAX_THEMES:
                shown.append(theme)
            else:
                other += theme.questions
        rows = [(t.label, count(t.questions), " · ".join(t.examples[:MAX_EXAMPLES])) for t in shown]
        if other:
            rows.append((self.t("themes_other"), count(other), ""))
        table = Table(
            "themes",
            self.t("themes_table"),
            (self.t("col_theme"), self.t("col_times"), self.t("col_examples")),
            tuple(rows),
            note=self.t("themes_note"),
            empty=self.t("themes_none"),
        )
        png = None
        if self.with_charts and shown:
            png = charts.bars(
                [t.label for t in shown],
                [charts.Series(self.t("col_times"), [t.questions for t in shown])],
                horizontal=True,
            )
        chart = self._chart("themes", self.t("themes_chart"), self.t("themes_chart_alt"), png)
        return Section("unmet", self.t("unmet_title"), self.t("unmet_intro", n=count(f.unanswered)), (table,), chart)

    def _reminders(self, f: Figures) -> Section:
        r = f.reminders
        if r is None:
            return Section("reminders", self.t("reminders_title"), self.t("no_data_yet"))
        totals = r.totals
        dropped = sum(totals.get(a, 0) for a in ("remind_blocked", "remind_late", "remind_dropped", "remind_failed"))
        summary = Table(
            "reminders",
            self.t("reminders_table"),
            (self.t("col_what"), self.t("col_count")),
            tuple(
                (self.t(f"reminders_{key}"), count(n))
                for key, n in (
                    ("planned", totals.get("remind", 0)),
                    ("sent", totals.get("remind_sent", 0)),
                    ("dropped", dropped),
                    ("blocked", totals.get("remind_blocked", 0)),
                    ("late", totals.get("remind_late", 0)),
                    ("other", totals.get("remind_dropped", 0)),
                    ("failed", totals.get("remind_failed", 0)),
                    ("going", totals.get("going", 0)),
                    ("not_going", totals.get("not_going", 0)),
                )
            ),
            note=" ".join(
                [*(self.t(f"reminders_source_{s}") for s in sorted(r.sources)), self.t("reminders_people_note")]
            ),
        )
        ranked = sorted(r.per_offer.items(), key=lambda item: (-item[1].get("remind", 0), -item[1].get("going", 0)))
        per_activity = Table(
            "reminders_per_activity",
            self.t("reminders_per_activity"),
            (
                self.t("col_activity"),
                self.t("col_planned"),
                self.t("col_sent"),
                self.t("col_going"),
                self.t("col_not_going"),
            ),
            tuple(
                (
                    f.reminder_titles.get(offer_id, offer_id),
                    *(count(c.get(a, 0)) for a in ("remind", "remind_sent", "going", "not_going")),
                )
                for offer_id, c in ranked[:MAX_ACTIVITIES]
            ),
            note=self.t("reminders_people_note"),
            empty=self.t("no_data"),
        )
        return Section("reminders", self.t("reminders_title"), "", (summary, per_activity))

    def _keyfigures(self, f: Figures) -> Section:
        def row(o: Organisation) -> tuple[str, ...]:
            return (
                o.name or self.t("organisation_unknown"),
                str(o.submitted),
                str(o.approved),
                str(o.direct),
                str(o.refused),
                str(o.waiting),
                self.hours(o.median_hours),
                self.hours(o.max_hours),
            )

        table = Table(
            "keyfigures",
            self.t("keyfigures_table"),
            (self.t("col_organisation"), self.t("col_submitted"), self.t("col_approved"), self.t("col_direct"),
             self.t("col_refused"), self.t("col_waiting"), self.t("col_median_wait"), self.t("col_max_wait")),
            tuple(row(o) for o in f.organisations),
            note=self.t("keyfigures_note"),
            empty=self.t("no_data_yet"),
        )  # fmt: skip
        return Section("keyfigures", self.t("keyfigures_title"), "", (table,))

    def _care(self, f: Figures) -> Section:
        """People who wrote in trouble, per month and kind, and the line they were sent to: counts only."""
        table = Table(
            "care",
            self.t("care_table"),
            (self.t("col_month"), self.t("col_care"), self.t("col_people"), self.t("col_sent_to")),
            _care_rows(self, f),
            note=self.t("care_note"),
            empty=self.t("care_none"),
        )
        return Section("care", self.t("care_title"), self.t("care_intro"), (table,))

    def _campaigns(self, f: Figures) -> Section:
        rows = []
        for c in f.campaigns:
            day = self.day(c.date) if c.date else self.t("campaign_no_date")
            if not c.window_days:
                note = self.t("campaign_outside") if c.date else ""
                rows.append((c.tag, day, ", ".join(c.offers), note, "", "", "", "", "", ""))
                continue
            b, a = c.before, c.after
            rows.append(
                (c.tag, day, ", ".join(c.offers), str(c.window_days),
                 count(b["questions"]), count(a["questions"]), count(b["info"]), count(a["info"]),
                 count(b["reminders"]), count(a["reminders"]))
            )  # fmt: skip
        table = Table(
            "campaigns",
            self.t("campaigns_table"),
            (self.t("col_campaign"), self.t("col_date"), self.t("col_offers"), self.t("col_days"),
             self.t("col_questions_before"), self.t("col_questions_after"), self.t("col_info_before"),
             self.t("col_info_after"), self.t("col_remind_before"), self.t("col_remind_after")),
            tuple(rows),
            note=self.t("campaigns_note"),
            empty=self.t("campaigns_none"),
        )  # fmt: skip
        return Section("campaigns", self.t("campaigns_title"), "", (table,))


CARE_ORDER = ("suicide", "violence", "emergency", "material", "distress", "money")


def _care_rows(builder: ReportBuilder, f: Figures) -> tuple[tuple[str, ...], ...]:
    rows = []
    for c in sorted(f.care, key=lambda c: (c.period, CARE_ORDER.index(c.category), c.sent_to)):
        rows.append((builder.month(c.period), builder.t(f"care_{c.category}"), count(c.people), c.sent_to))
    return tuple(rows)


def _decimal(value: float) -> str:
    """One decimal with a Dutch comma, none when it is a whole number: '2,5', '3'."""
    text = f"{value:.1f}".replace(".", ",")
    return text.removesuffix(",0")
