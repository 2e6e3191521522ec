"""Teacher-written text (section bodies, explanations, summaries, descriptions) as Markdown.

Markdown passes any HTML in the text straight through, so its output is cleaned with nh3
down to a few formatting tags: nothing that runs script, loads anything or restyles the
page. Plain text renders as before: a blank line starts a paragraph, a line break stays one.

Python-Markdown's work grows faster than the text on some input (a "[" that nothing closes
is read to the end of its paragraph, a paragraph is read again for each of its lines), so
each field has a length cap, and a text beyond the bounds below, which no lesson needs, is
shown as plain paragraphs. `bench/hostile_input.py` times the worst texts within them.
"""

import re
from functools import lru_cache

import markdown as markdown_lib
import nh3
from django.core.validators import MaxLengthValidator
from django.utils.deconstruct import deconstructible
from django.utils.html import linebreaks
from django.utils.translation import gettext_lazy as _

ALLOWED_TAGS = {
    "p", "br", "em", "strong", "a", "ul", "ol", "li", "code", "pre", "blockquote", "h3", "h4",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}

# About seven times the longest of each in the shipped lesson: a section of 2,945
# characters, an explanation of 729, a summary of 310, a quiz description of 114.
SECTION_MAX_LENGTH = 20_000  # some 3,000 words, more than anyone reads in one passage
EXPLANATION_MAX_LENGTH = 5_000
SUMMARY_MAX_LENGTH = 2_000
DESCRIPTION_MAX_LENGTH = 2_000
MAX_LENGTH = max(SECTION_MAX_LENGTH, EXPLANATION_MAX_LENGTH, SUMMARY_MAX_LENGTH)

# Bounds on Markdown's work: it spends up to ~100 µs on each construct (a list item, a
# link), reads ahead for what closes some of them, and reads a paragraph again for each of
# its lines. The shipped texts use none of this: no "[", "<" or "*", no line break inside
# a paragraph.
MAX_MARKUP = 600  # line breaks and characters that may start a construct
MARKUP = re.compile(r"[\n*_`\[<\\&]")
MAX_READING = 20_000  # characters read ahead, over the whole text (see `reading`)
MAX_LINES_PER_PARAGRAPH = 100
MAX_QUOTE_DEPTH = 10  # quotes in quotes (">>>"), each level parsed again
BLANK_LINE = re.compile(r"\n[ \t]*\n")  # where Python-Markdown ends a paragraph
QUOTE_MARKS = re.compile(r"^[ >]*", re.MULTILINE)
BACKTICKS = re.compile(r"`+")


@deconstructible
class MaxMarkdownLength(MaxLengthValidator):
    message = _(
        "This text has %(show_value)s characters; the most is %(limit_value)s, so that "
        "pages stay quick to show. Shorten it, or split a long section in two."
    )


def reading(text: str) -> int:
    """About how many characters Python-Markdown reads ahead to find what closes each "<"
    (the next ">"), each "[" and "](" (the "]" or ")" that balances it) and each run of
    backticks (the next run as long): up to there, or to the end of the paragraph (of the
    whole text, for "<") when nothing closes it."""
    total = 0
    for segment in text.split(">"):
        total += sum(len(segment) - tag.start() for tag in re.finditer("<", segment))
    for paragraph in BLANK_LINE.split(text):
        end = len(paragraph)
        brackets, parens = [], []
        for i, ch in enumerate(paragraph):
            if ch == "[":
                brackets.append(i)
            elif ch == "]" and brackets:
                total += i - brackets.pop()
            elif ch == "(":
                parens.append(i)
            elif ch == ")" and parens:
                start = parens.pop()
                total += i - start if paragraph[start - 1] == "]" else 0
        total += sum(end - i for i in brackets)
        total += sum(end - i for i in parens if paragraph[i - 1] == "]")
        next_run = {}  # where the next run of backticks of each length starts
        for run in reversed(list(BACKTICKS.finditer(paragraph))):
            total += next_run.get(len(run[0]), end) - run.start()
            next_run[len(run[0])] = run.start()
    return total


def is_bounded(text: str) -> bool:
    """Whether Python-Markdown's work on `text` (with "\\n" line ends) stays within what
    bench/hostile_input.py measured: under 100 ms for the longest allowed text."""
    return (
        len(text) <= MAX_LENGTH
        and len(MARKUP.findall(text)) <= MAX_MARKUP
        and all(p.count("\n") < MAX_LINES_PER_PARAGRAPH for p in BLANK_LINE.split(text))
        and max(marks.count(">") for marks in QUOTE_MARKS.findall(text)) <= MAX_QUOTE_DEPTH
        and reading(text) <= MAX_READING
    )


@lru_cache(maxsize=256)  # the same lesson text is drawn for every student
def render_markdown(text: str) -> str:
    """The text as cleaned HTML: Markdown within the bounds, else escaped paragraphs."""
    text = text.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate becomes "?"
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # as browsers send a textarea
    if not is_bounded(text):
        return linebreaks(text, autoescape=True)
    html = markdown_lib.markdown(text, extensions=["nl2br", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener nofollow",
    )
