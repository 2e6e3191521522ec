"""Reading a class roster from a CSV file of names and emails.

The first line names the columns: `name` and `email`, or `first name`, `last name`
and `email` (case, spaces and underscores don't matter; `surname`, `given name` and
`e-mail` work too). Commas, semicolons or tabs separate the values, as spreadsheets
save them. Every problem is reported with its line, so a file is either all good or
not imported at all.
"""

import csv
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

MAX_STUDENTS = 500
# csv.Sniffer takes time growing with the square of what it reads (8 KB of `,"` take 0.6 s,
# 1 MB did not finish in ten minutes), and a header line is a few dozen characters.
SNIFF_LENGTH = 1024
MAX_COLUMNS = 50
NAME_MAX_LENGTH = 150  # Django's first_name and last_name
COLUMNS = {
    "name": "name",
    "fullname": "name",
    "student": "name",
    "firstname": "first_name",
    "givenname": "first_name",
    "forename": "first_name",
    "lastname": "last_name",
    "surname": "last_name",
    "familyname": "last_name",
    "email": "email",
    "emailaddress": "email",
    "mail": "email",
}


@dataclass(frozen=True)
class RosterRow:
    line: int
    first_name: str
    last_name: str
    email: str


def read_roster(text: str) -> tuple[list[RosterRow], list[str]]:
    """The students listed in `text`, and the problems found (empty when there are none)."""
    lines = text.lstrip("\ufeff").splitlines()
    if not any(line.strip() for line in lines):
        return [], [_("The file is empty.")]
    try:
        dialect = csv.Sniffer().sniff(lines[0][:SNIFF_LENGTH], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # Read no further than a class can be: a 1 MB file may hold 250,000 lines to check.
    records = csv.reader(lines, dialect)
    filled = []
    try:
        first = next(records)
        header = [COLUMNS.get(_column_key(cell)) for cell in first[:MAX_COLUMNS]]
        for line, record in enumerate(records, start=2):
            if any(cell.strip() for cell in record):
                filled.append((line, record))
                if len(filled) > MAX_STUDENTS:
                    break
    except csv.Error as error:
        return [], [_("This is not a CSV file we can read: %(error)s.") % {"error": error}]
    if len(first) > MAX_COLUMNS or "email" not in header or not {"name", "first_name"} & {*header}:
        return [], [
            _(
                "The first line must name the columns: “name” and “email”, or “first name”, "
                "“last name” and “email”."
            )
        ]
    if len(filled) > MAX_STUDENTS:
        return [], [
            _("A file may list at most %(max)s students; split it in two.") % {"max": MAX_STUDENTS}
        ]
    rows, problems, seen = [], [], {}
    for line, record in filled:
        if len(record) != len(header):
            problems.append(
                _("Line %(line)s has %(found)s values; the first line names %(wanted)s.")
                % {"line": line, "found": len(record), "wanted": len(header)}
            )
            continue
        values = {
            column: " ".join(cell.split())
            for column, cell in zip(header, record, strict=True)
            if column
        }
        row, row_problems = _student(line, values)
        problems += row_problems
        if row is None:
            continue
        if row.email in seen:
            problems.append(
                _("Line %(line)s: %(email)s is already on line %(first)s.")
                % {"line": line, "email": row.email, "first": seen[row.email]}
            )
            continue
        seen[row.email] = line
        rows.append(row)
    if not rows and not problems:
        problems.append(_("The file lists no students."))
    return rows, problems


def _student(line: int, values: dict[str, str]) -> tuple[RosterRow | None, list[str]]:
    problems = []
    email = values.get("email", "").lower()
    first_name, last_name = values.get("first_name", ""), values.get("last_name", "")
    if "name" in values and not first_name:
        first_name, _space, last_name = values["name"].rpartition(" ")
        if not first_name:  # a single word: a first name
            first_name, last_name = last_name, ""
    if not first_name and not last_name:
        problems.append(_("Line %(line)s: the name is missing.") % {"line": line})
    if max(len(first_name), len(last_name)) > NAME_MAX_LENGTH:
        problems.append(_("Line %(line)s: the name is too long.") % {"line": line})
    if not email:
        problems.append(_("Line %(line)s: the email is missing.") % {"line": line})
    else:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(
                _("Line %(line)s: “%(email)s” is not an email address.")
                % {"line": line, "email": email}
            )
    if problems:
        return None, problems
    return RosterRow(line, first_name, last_name, email), []


def _column_key(cell: str) -> str:
    return "".join(ch for ch in cell.casefold() if ch.isalnum())
