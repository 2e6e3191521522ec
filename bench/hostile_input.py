"""How long the worst input we can construct takes: teachers' Markdown and roster CSV files.

    .venv/bin/python bench/hostile_input.py              # about half a minute
    .venv/bin/python bench/hostile_input.py markdown     # only the cases whose name has "markdown"

1. Markdown (lessons/markdown.py): texts of the longest length allowed (20,000 characters),
   each built to push one of Python-Markdown's costs as far as the renderer's bounds let it
   (as many constructs as they allow, padded with prose in the same paragraph), and a few
   beyond the bounds, which are shown as plain paragraphs. Best of 5 renders, cache cleared.
   Target: every one under 100 ms.
2. Roster CSV (classrooms/roster.py): files of 1,000,000 bytes, the most the import takes,
   built against csv.Sniffer and the checks of each line, posted to the admin's import page
   through Django's test client (a scratch in-memory SQLite database). Target: under 2 s.

Prints each case's wall time and the process's CPU time (the difference is other load on
the machine), then the worst of each part against its target.
"""

import json
import os
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")
os.environ["DATABASE_URL"] = "sqlite://:memory:"  # scratch: the roster imports write users

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from lessons import markdown as md  # noqa: E402

MARKDOWN_TARGET_MS = 100
ROSTER_TARGET_MS = 2000
ROSTER_BYTES = 1_000_000  # RosterForm.MAX_BYTES
N = md.MAX_LENGTH
LINES = md.MAX_LINES_PER_PARAGRAPH - 1


def fill(unit: str, length: int = N) -> str:
    return (unit * (length // len(unit) + 1))[:length]


def build(unit, count, per_paragraph, pad):
    if per_paragraph:
        groups = range(0, count, per_paragraph)
        body = "\n\n".join(unit * min(per_paragraph, count - i) for i in groups) + "\n\n"
    else:
        body = unit * count
    return body + fill(pad, N - len(body)) if len(body) <= N else None


def most(unit: str, per_paragraph: int | None = None, pad: str = " a") -> str:
    """As many `unit`s as the renderer's bounds allow (per_paragraph to a paragraph), then
    prose up to the longest allowed length."""
    low, high = 0, N // len(unit)
    while low < high:
        middle = (low + high + 1) // 2
        text = build(unit, middle, per_paragraph, pad)
        if text is not None and md.is_bounded(text):
            low = middle
        else:
            high = middle - 1
    return build(unit, low, per_paragraph, pad)


def markdown_cases() -> dict[str, str]:
    fixture = json.loads((ROOT / "fixtures" / "lessons.json").read_text())
    shipped = "\n\n".join(o["fields"]["body"] for o in fixture if o["model"] == "lessons.section")
    nested_list = "".join("    " * depth + "- a\n" for depth in range(LINES))
    return {
        "shipped lesson, repeated": fill(shipped + "\n\n"),
        "one line of letters": fill("a"),
        # What a closing character is looked for from
        "an unclosed [ at the start": "[" + fill(" a", N - 1),
        "links [a](b)": most("[a](b) "),
        "images ![a](b)": most("![a](b) "),
        'link titles [a](b "c")': most('[a](b "c") '),
        "unclosed ( after ](": "[a](" + fill("(", N - 4),
        "short references [a]": most("[a] "),
        "reference definitions": most("[r]: http://x.example/ 'title'\n", LINES),
        "unclosed tags <a": most("<a "),
        "tags <b>x</b>": most("<b>x</b> "),
        "quoted > in tags": most('<a title="> '),
        "autolinks <http://a": most("<http://a "),
        "comments <!--": most("<!-- "),
        "html blocks <div>": most("<div>\n\n"),
        "backtick runs of growing length": most("".join("`" * n + "a" for n in range(1, 35))),
        "code spans `a`": most("`a` "),
        # What each line of a paragraph costs
        "list items - a": most("- a\n", LINES),
        "list items, long": most("- " + "a " * 15 + "\n", LINES),
        "numbered items 1. a": most("1. a\n", LINES),
        "loose list items": most("- a\n\n"),
        "lists nested 99 deep": most(nested_list, 1),
        "headings ### a": most("### a\n", LINES),
        "underlined headings": most("a\n===\n", LINES // 2),
        "rules ***": most("***" + " " * 30 + "\n", LINES),
        "quote lines > a": most("> a\n", LINES),
        "quotes 10 deep": most("> " * md.MAX_QUOTE_DEPTH + "a\n", LINES),
        "line breaks (two spaces)": most("a  \n", LINES),
        "indented code": most("    a\n", LINES),
        # Emphasis, escapes, entities
        "emphasis *a*": most("*a* "),
        "unclosed emphasis *a": most("*a "),
        "intraword a*b*": most("a*b*"),
        "nested emphasis": most("*a **b ***c "),
        "backslash escapes": most("\\*"),
        "entities &amp;": most("&amp;"),
        "mixed punctuation": most("*_`\\&!#"),
        # Beyond the bounds: plain paragraphs
        "beyond: 20,000 unclosed [": fill("["),
        "beyond: [ nested 10,000 deep": "[" * 10_000 + "]" * 10_000,
        "beyond: 20,000 <a": fill("<a "),
        "beyond: 6,666 unclosed *a": fill("*a "),
        "beyond: 5,000 list items": fill("- a\n"),
        "beyond: quotes 20,000 deep": fill(">"),
        "beyond: over the length cap": fill("[a](b) ", 10 * N),
    }


def time_markdown(text: str) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(5):
        md.render_markdown.cache_clear()
        wall, cpu = time.perf_counter(), time.process_time()
        md.render_markdown(text)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls) * 1000, min(cpus) * 1000


def roster_cases() -> dict[str, str]:
    line = "Ann Lee,ann@example.org\n"
    long_name = "Ann " * 40 + "Lee"  # over the 150 characters of a name
    return {
        # csv.Sniffer reads the first line; these are its slowest (quadratic) inputs
        'sniffer: `,"` repeated': fill(',"', ROSTER_BYTES),
        'sniffer: `, "a` repeated': fill(', "a', ROSTER_BYTES),
        "sniffer: commas only": fill(",", ROSTER_BYTES),
        "sniffer: `,;\\t` repeated": fill(",;\t", ROSTER_BYTES),
        "one line, no separator": fill("a", ROSTER_BYTES),
        "one quoted field": '"' + fill("a", ROSTER_BYTES - 2) + '"',
        "quote and line break repeated": fill('"\n', ROSTER_BYTES),
        # A good header, then rows
        "41,000 good rows": "name,email\n" + fill(line, ROSTER_BYTES - 11),
        "250,000 short bad rows": "name,email\n" + fill("A,b\n", ROSTER_BYTES - 11),
        "500 rows, each with every problem": "name,email\n"
        + "".join(f'"{long_name}",{"x" * 1900}@{n}\n' for n in range(500))[: ROSTER_BYTES - 11],
        "500 good rows of long names": "first name,last name,email\n"
        + "".join(f"{'A' * 150},{'L' * 150},s{n}@{'e' * 1600}.org\n" for n in range(500))[
            : ROSTER_BYTES - 27
        ],
    }


def time_roster_upload(client, url, content: bytes) -> tuple[float, float, str]:
    wall, cpu = time.perf_counter(), time.process_time()
    page = client.post(url, {"file": SimpleUploadedFile("class.csv", content, "text/csv")})
    wall, cpu = (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000
    if "Nothing was imported" in page.text:
        outcome = "refused: " + page.text.split('<ul class="errorlist')[1].split("</li>")[0]
        outcome = outcome.split(">", 2)[-1]
    elif page.status_code == 302:
        outcome = "accepted: importing in the background"
    else:
        outcome = f"status {page.status_code}"
    return wall, cpu, outcome


def roster_client():
    from accounts.factories import TeacherFactory
    from classrooms.factories import ClassroomFactory

    call_command("migrate", verbosity=0)
    teacher = TeacherFactory(username="bench-teacher")
    client = Client()
    client.force_login(teacher)
    return client, ClassroomFactory(name="Bench class", teachers=[teacher])


def main(selected: list[str]) -> None:
    def wanted(name):
        return not selected or any(s in name for s in selected)

    print(f"Markdown: {N:,} characters at most; best of 5 renders")
    print(f"{'case':40} {'renders as':>10} {'wall ms':>8} {'cpu ms':>7}")
    worst = 0.0
    for name, text in markdown_cases().items():
        if not wanted("markdown " + name):
            continue
        shown = "markdown" if md.is_bounded(text.replace("\r\n", "\n")) else "plain"
        wall, cpu = time_markdown(text)
        worst = max(worst, wall)
        print(f"{name:40} {shown:>10} {wall:8.1f} {cpu:7.1f}", flush=True)
    if worst:
        verdict = "within" if worst < MARKDOWN_TARGET_MS else "OVER"
        print(f"Worst {worst:.1f} ms: {verdict} the {MARKDOWN_TARGET_MS} ms target.\n")

    cases = {name: text for name, text in roster_cases().items() if wanted("roster " + name)}
    if not cases:
        return
    setup_test_environment()  # the test client's host name
    warnings.filterwarnings("ignore", message="No directory at")  # no collectstatic here
    plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
            "staticfiles": plain_static,
        },
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    ):
        client, classroom = roster_client()
        url = f"/admin/classrooms/classroom/{classroom.pk}/roster/"
        print(f"Roster CSV: files of {ROSTER_BYTES:,} bytes posted to the import page")
        print(f"{'case':40} {'wall ms':>8} {'cpu ms':>7}  outcome")
        worst = 0.0
        for name, text in cases.items():
            content = text.encode()
            assert len(content) <= ROSTER_BYTES, (name, len(content))
            wall, cpu, outcome = time_roster_upload(client, url, content)
            worst = max(worst, wall)
            print(f"{name:40} {wall:8.1f} {cpu:7.1f}  {outcome[:70]}", flush=True)
        verdict = "within" if worst < ROSTER_TARGET_MS else "OVER"
        print(f"Worst {worst:.1f} ms: {verdict} the {ROSTER_TARGET_MS} ms target.")


if __name__ == "__main__":
    main(sys.argv[1:])
