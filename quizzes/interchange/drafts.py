"""What a format module reads from a file: question drafts and the lines it could not read.

Plain Python, no Django: a draft is a question as the file has it (its text, the shape of its
answers, its title and feedback), before any kind of this app is chosen for it.
"""

import html
import re
from dataclasses import dataclass, field
from decimal import Decimal

import nh3

from quizzes.interchange.shapes import Shape

MAX_FILE_BYTES = 1_000_000  # a bank of 500 questions in Moodle XML takes about 400 kB
MAX_QUESTIONS = 500
MAX_PROMPT = 5_000  # the longest shipped question is 250 characters
MAX_EXPLANATION = 5_000  # as an explanation written in the admin (lessons.markdown)
MAX_CHOICE = 300  # Choice.text and Choice.match_text
MAX_ANSWERS = 100  # answers, pairs or items of one question: no student reads more
TOO_MANY_ANSWERS = f"A question has at most {MAX_ANSWERS} answers."


@dataclass
class Draft:
    line: int  # where the question starts in the file
    prompt: str
    shape: Shape | None  # None: text only, no answer (a description)
    title: str = ""
    explanation: str = ""
    points: Decimal | None = None  # None: the format doesn't say (GIFT, Aiken)
    changes: list[str] = field(default_factory=list)
    skipped: str = ""  # why a question the file holds won't be made; empty: it will
    kind: str = ""  # the kind the format names (Moodle XML's type); empty: the shape decides


@dataclass(frozen=True)
class Problem:
    line: int
    reason: str


@dataclass
class Parsed:
    drafts: list[Draft] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # about the whole file


# --- text in other formats -----------------------------------------------------------------
KEPT = {"p", "br", "strong", "b", "em", "i", "ul", "ol", "li"}
TAG = re.compile(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9]*)")
MARKDOWN = {
    r"<br\s*/?>": "\n",
    r"</p>": "\n\n",
    r"<p>": "",
    r"</?(strong|b)>": "**",
    r"</?(em|i)>": "*",
    r"<li>": "- ",
    r"</li>": "\n",
    r"</?(ul|ol)>": "\n",
}
PLAIN = {**MARKDOWN, r"</?(strong|b)>": "", r"</?(em|i)>": ""}


def from_html(text: str, markdown: bool) -> tuple[str, list[str]]:
    """HTML as Markdown (an explanation) or plain text (a question), and what was lost:
    nh3 keeps only a few formatting tags, which then become Markdown or go."""
    found = {name.lower() for name in TAG.findall(text)}
    if not found:
        return html.unescape(text).strip(), []
    cleaned = nh3.clean(text, tags=KEPT, attributes={})
    for pattern, replacement in (MARKDOWN if markdown else PLAIN).items():
        cleaned = re.sub(pattern, replacement, cleaned)
    cleaned = re.sub(r"\n{3,}", "\n\n", html.unescape(cleaned)).strip()
    changes = ["HTML formatting becomes Markdown." if markdown else "HTML becomes plain text."]
    if dropped := sorted(found - KEPT):
        if "img" in dropped:
            changes.append("Images are dropped.")
        removed = ", ".join(f"<{name}>" for name in dropped)
        changes.append(f"HTML removed: {removed}.")
    return cleaned, changes
