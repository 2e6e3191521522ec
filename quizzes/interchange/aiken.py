"""Aiken: multiple choice questions in plain text, as Moodle documents the format.

    What is the capital of France?
    A. Paris
    B) London
    ANSWER: A

The question, then its options each after a capital letter and "." or ")", then "ANSWER:"
and the right option's letter; a blank line may separate questions. Every question is
single choice with one right answer: that is all Aiken holds.
"""

import re
from fractions import Fraction

from quizzes.interchange import shapes
from quizzes.interchange.drafts import Draft, Parsed, Problem

OPTION = re.compile(r"([A-Z])\s*[.)]\s+(.*)")
ANSWER = re.compile(r"ANSWER\s*:\s*(.*)", re.IGNORECASE)


def read(text: str) -> Parsed:
    parsed = Parsed()
    prompt: list[str] = []
    options: list[tuple[str, str]] = []
    start = 0

    def reset():
        prompt.clear()
        options.clear()

    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped:
            if prompt and not options:
                continue  # a blank line inside the question's text
            if options:
                parsed.problems.append(Problem(number, "The options end without an ANSWER: line."))
                reset()
            continue
        if answer := ANSWER.fullmatch(stripped):
            letter = answer[1].strip().upper()
            letters = [letter for letter, _ in options]
            if not prompt or len(options) < 2:
                parsed.problems.append(
                    Problem(number, "ANSWER: comes before a question with at least two options.")
                )
            elif letter not in letters:
                parsed.problems.append(
                    Problem(
                        number,
                        f"ANSWER: {letter} names no option; the options are {', '.join(letters)}.",
                    )
                )
            else:
                answers = tuple(
                    shapes.Answer(text, Fraction(int(letter == right))) for right, text in options
                )
                parsed.drafts.append(
                    Draft(start, " ".join(prompt), shapes.Choices(answers, several=False))
                )
            reset()
            continue
        if (option := OPTION.fullmatch(stripped)) and prompt:
            expected = chr(ord("A") + len(options))
            if option[1] != expected:
                parsed.problems.append(
                    Problem(number, f"Option {option[1]} comes where option {expected} should.")
                )
            options.append((option[1], option[2].strip()))
            continue
        if options:
            parsed.problems.append(
                Problem(
                    number,
                    "After the options only ANSWER: may come, or another option "
                    "written as a capital letter, then “.” or “)”.",
                )
            )
            reset()
            continue
        if not prompt:
            start = number
        prompt.append(stripped)
    if prompt:
        parsed.problems.append(
            Problem(start, "The last question has no options and ANSWER: line.")
            if not options
            else Problem(start, "The last question has no ANSWER: line.")
        )
    return parsed
