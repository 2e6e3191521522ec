"""Durations as teachers say them: "20", "20 min", "1 h 30", "90 minutes", "1:30".

A bare number is minutes, the unit of every time limit a school sets. Django's own
DurationField reads "20" as twenty seconds and says nothing: a 20-second quiz.
"""

import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

HOURS = {"h", "hr", "hrs", "hour", "hours"}
MINUTES = {"m", "min", "mins", "minute", "minutes"}
# A number, then perhaps a unit; anything else in the text is a mistake to report.
PART = re.compile(r"\s*(\d+(?:[.,]\d+)?)\s*([a-z]*)\s*", re.ASCII)
LONGEST = timedelta(days=7)


def parse(text: str) -> timedelta | None:
    """The duration the text says, None for an empty text; ValueError when it says none."""
    text = text.strip().lower().replace(" and ", " ")
    if not text:
        return None
    if clock := re.fullmatch(r"(\d{1,3}):([0-5]\d)(?::([0-5]\d))?", text, re.ASCII):
        hours, minutes, seconds = (int(part or 0) for part in clock.groups())  # h:mm[:ss]
        return timedelta(hours=hours, minutes=minutes, seconds=seconds)
    total, position, last_unit = timedelta(0), 0, None
    while position < len(text):
        part = PART.match(text, position)
        if part is None or part.end() == position:
            raise ValueError(text)
        number, unit = part.groups()
        try:
            amount = Decimal(number.replace(",", "."))
        except InvalidOperation:
            raise ValueError(text) from None
        if amount > LONGEST.total_seconds() / 60:  # too long in any unit; timedelta would overflow
            raise ValueError(text)
        if unit in HOURS:
            last_unit = "hours"
        elif unit in MINUTES or (not unit and last_unit in (None, "hours")):
            last_unit = "minutes"  # "1 h 30": the number after hours is minutes
        else:
            raise ValueError(text)
        total += timedelta(**{last_unit: float(amount)})
        position = part.end()
    if total > LONGEST:
        raise ValueError(text)
    return total


def in_words(duration: timedelta | None) -> str:
    """The duration as a teacher would write it: "20 min", "1 h", "1 h 30 min"."""
    if duration is None:
        return ""
    minutes = round(duration.total_seconds() / 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours} h" if hours else "", f"{minutes} min" if minutes or not hours else ""]
    return " ".join(part for part in parts if part)


class DurationInWordsField(forms.Field):
    """A duration typed as words, shown the same way; minutes unless the text says hours."""

    default_error_messages = {
        "invalid": _(
            "Type a duration such as 20 (minutes), 45 min, 1 h 30 or 1:30 (up to 7 days)."
        ),
    }

    def prepare_value(self, value):
        return in_words(value) if isinstance(value, timedelta) else value

    def to_python(self, value):
        if isinstance(value, timedelta) or value is None:
            return value
        try:
            return parse(str(value))
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
