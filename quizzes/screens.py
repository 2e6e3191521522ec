"""The attempt's screens, built once for the student pages, the embed and an LMS's frame.

The progress line, a question with its fields and (once revealed) its feedback, and the
results. Around them the pages differ, not the screens: the student pages
(quizzes/views.py) link every question in a navigator and save as the student goes; the
embed (embeds/views.py) and an LMS's frame (lti/views.py) have no navigator and post forms
that carry their token.
"""

from collections.abc import Callable

from django.utils.translation import gettext as _

from quizzes import content_cache
from quizzes.models import Attempt

QuestionURL = Callable[[Attempt, int], str]


def progress(
    attempt,
    question_ids,
    number,
    responses,
    question_url: QuestionURL | None = None,
    current_only=False,
    answered: int | None = None,
) -> dict:
    """What the progress line shows, and with `question_url` the navigator: every
    question's number, link and state (or, `current_only`, the one on screen: all an
    answer can change). `answered`, when known, counts the answered questions in place of
    `responses`, which then need only the one on screen."""

    def item(n):
        response = responses.get(question_ids[n - 1])
        return {
            "number": n,
            "url": question_url(attempt, n),
            "answered": response is not None and response.is_answered,
            "flagged": response is not None and response.flagged,
            "current": n == number,
        }

    if answered is None:
        answered = sum(1 for r in responses.values() if r.is_answered)
    context = {
        "attempt": attempt,
        "number": number,
        "total": len(question_ids),
        "answered": answered,
        "unanswered": len(question_ids) - answered,
    }
    if question_url is None:
        return context
    if current_only:
        context["navigator_item"] = item(number)
    else:
        context["navigator"] = [item(n) for n in range(1, len(question_ids) + 1)]
    return context


def question_screen(
    attempt, question_ids, question, number, responses, question_url: QuestionURL | None = None
) -> dict:
    """The screen of one question: progress, its fields with the saved answer, and, once
    the answer is in and the attempt gives feedback at once, the feedback (`locked`)."""
    question = question.translated()  # in the page's language
    response = responses.get(question.pk)
    if response is not None:
        response.question = question  # feedback shows its evidence, already loaded
    reveal = attempt.feedback_is_immediate and response is not None and response.is_answered
    return {
        **progress(attempt, question_ids, number, responses, question_url),
        "question": question,
        "response": response,
        "locked": reveal,
        "view": question_view(attempt, question, response, number, reveal=reveal),
    }


def question_screen_at(attempt, number) -> dict:
    """The question screen at `number` or, if there is no such question, where the student
    left off: for the pages without a navigator (the embed, an LMS's frame), whose forms
    post the number."""
    question_ids, question = content_cache.question_at(attempt, number or 0)
    if question is None:
        number = attempt.resume_number()
        question_ids, question = content_cache.question_at(attempt, number)
    responses = {r.question_id: r for r in attempt.responses.all()}
    return question_screen(attempt, question_ids, question, number, responses)


def question_view(attempt, question, response, number, reveal=False):
    """What _question_fields.html needs: the kind's template and its items in this
    attempt's order, each under its item token (never its id), and the saved answer."""
    answer = response.answer if response else None
    kind = question.kind_rules
    return {
        **kind.widget(attempt, question, answer),
        "number": number,
        "template": kind.template,
        "legend": kind.legend(question),
        "legend_is_prompt": kind.legend_is_prompt,
        "reveal": reveal,
        "answer_text": question.answer_display(answer) if response and response.is_answered else "",
        "other_language": other_language(attempt, question),
        "key_text": question.key_display() if reveal else "",
    }


def other_language(attempt, question) -> dict | None:
    """The question in the language the page doesn't show, when it has both: to read beside
    the page's (never with fields of its own, which would post twice, nor with a key)."""
    other = question.in_other_language()
    if other is None:
        return None
    return {
        "lang": other.shown_lang,
        "prompt": other.prompt_text,
        "lists": other.kind_rules.reading(attempt, other),
    }


def closed_message(attempt) -> str:
    """Why a submitted attempt took no answer."""
    if attempt.deadline and attempt.submitted_at == attempt.deadline:
        return _("Time is up: your attempt was submitted with the answers saved in time.")
    return _("This attempt was already submitted; answers can no longer change.")


def results_rows(attempt) -> list[dict]:
    """Each question of a submitted attempt with the student's answer, and the right answer
    and explanation only where the attempt's review shows them."""
    responses = {r.question_id: r for r in attempt.responses.all()}
    rows = []
    for number, question in enumerate(attempt.questions(), 1):
        question = question.translated()  # in the page's language
        response = responses.get(question.pk)
        answered = response is not None and response.is_answered
        if answered:
            response.question = question  # already has its evidence and lesson loaded
        rows.append(
            {
                "number": number,
                "question": question,
                "response": response if answered else None,
                "answer_text": question.answer_display(response.answer) if answered else "",
                "key_text": question.key_display() if attempt.review_shows_answers else "",
                "hide_explanation": not attempt.review_shows_answers,
            }
        )
    return rows
