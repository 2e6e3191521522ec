"""What the admin's forms post, for tests that change things as a teacher does."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client


def client_for(user) -> Client:
    """A browser signed in as `user`."""
    client = Client()
    client.force_login(user)
    return client


def question_form(question, *, right: str, **changes) -> dict:
    """What the single-choice question's change form posts, with `right` the correct choice
    and any other field `changes`."""
    choices = list(question.choices.all())
    data = {
        "quiz": question.quiz_id,
        "key": question.key,
        "position": question.position,
        "level": question.level,
        "points": "1",
        "prompt": question.prompt,
        "explanation": question.explanation,
        "evidence": question.evidence_id,
        "also_cites": [section.pk for section in question.also_cites.all()],
        "shuffle": "on",
        "choices-TOTAL_FORMS": str(len(choices)),
        "choices-INITIAL_FORMS": str(len(choices)),
    }
    for n, choice in enumerate(choices):
        data |= {
            f"choices-{n}-id": choice.pk,
            f"choices-{n}-question": question.pk,
            f"choices-{n}-position": choice.position,
            f"choices-{n}-text": choice.text,
        }
        if choice.text == right:
            data[f"choices-{n}-is_correct"] = "on"
    return data | changes


def upload(client, classroom, content: bytes):
    """Post a class list (CSV bytes) to the class's import page."""
    return client.post(
        f"/admin/classrooms/classroom/{classroom.pk}/roster/",
        {"file": SimpleUploadedFile("class.csv", content, content_type="text/csv")},
    )
