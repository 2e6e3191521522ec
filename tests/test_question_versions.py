"""Question versions: one teacher's edit never silently changes another class's grades.

Teacher B owns a quiz; teacher A assigns it to class A, B to class B. B changes which
choice is right after both classes answered. Every test here fails without versions: the
edit changed the one row that A's answers were scored, reviewed and counted against.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.factories import TeacherFactory, UserFactory
from classrooms.assignment_statistics import assignment_statistics
from classrooms.factories import AssignmentFactory, ClassroomFactory
from quizzes import kinds, marking
from quizzes.factories import QuestionFactory, QuizFactory
from quizzes.models import Attempt, Question, Response, ScoreChange
from tests.admin_forms import client_for, question_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def school(take_quiz):
    teacher_a, teacher_b = TeacherFactory(username="teacher_a"), TeacherFactory(username="b")
    quiz = QuizFactory(title="Space dialogue", owners=[teacher_b])
    agency = QuestionFactory(
        quiz=quiz, position=1, prompt="Which agency?", choices=[("CNSA", True), ("NASA", False)]
    )
    year = QuestionFactory(
        quiz=quiz, position=2, prompt="Which year?", choices=[("2011", True), ("2020", False)]
    )
    class_a = AssignmentFactory(quiz=quiz, classroom=ClassroomFactory(teachers=[teacher_a]))
    class_b = AssignmentFactory(quiz=quiz, classroom=ClassroomFactory(teachers=[teacher_b]))
    cnsa, nasa = agency.choices.order_by("position")
    right_year = year.choices.get(is_correct=True)
    # Ada picked the right agency, Mae the one B is about to make right.
    ada = take_quiz(class_a, UserFactory(username="ada"), {agency: cnsa.pk, year: right_year.pk})
    mae = take_quiz(class_a, UserFactory(username="mae"), {agency: nasa.pk, year: right_year.pk})
    take_quiz(class_b, UserFactory(username="bo"), {agency: nasa.pk})
    return {
        "a": client_for(teacher_a),
        "b": client_for(teacher_b),
        "teacher_a": teacher_a,
        "quiz": quiz,
        "agency": agency,
        "year": year,
        "class_a": class_a,
        "class_b": class_b,
        "ada": ada,
        "mae": mae,
    }


def b_makes_nasa_right(school):
    agency = school["agency"]
    url = reverse("admin:quizzes_question_change", args=[agency.pk])
    return school["b"].post(url, question_form(agency, right="NASA"), follow=True)


def scores(assignment):
    return dict(assignment.attempts.values_list("user__username", "score"))


def current(question) -> Question:
    return Question.objects.get(key=question.key, is_current=True)


def test_an_edit_by_teacher_b_makes_a_version_and_says_who_keeps_the_old_one(school):
    page = b_makes_nasa_right(school)
    assert page.status_code == 200
    new = current(school["agency"])
    assert (new.version, new.choices.get(is_correct=True).text) == (2, "NASA")
    old = Question.objects.get(pk=school["agency"].pk)
    assert (old.version, old.is_current, old.choices.get(is_correct=True).text) == (
        1,
        False,
        "CNSA",
    )
    (line,) = [str(m) for m in page.context["messages"] if "version" in str(m)]
    assert "Saved as version 2." in line
    assert "Version 1 stays with the classes that answered it" in line
    assert "1 class of other teachers" in line  # teacher A's, counted, not named
    assert reverse("admin:classrooms_assignment_versions", args=[school["class_b"].pk]) in line


def test_teacher_a_scores_reviews_and_statistics_stay_as_they_were(school):
    def figures():
        rows = assignment_statistics(school["class_a"])["rows"]
        return [
            (
                row.summary.facility,
                [(c["choice"].text, c["choice"].is_correct, c["count"]) for c in row.choices],
            )
            for row in rows
        ]

    before = figures()
    b_makes_nasa_right(school)
    assert scores(school["class_a"]) == {"ada": Decimal(2), "mae": Decimal(1)}
    assert figures() == before
    # Mae's review shows the key she was scored against: CNSA, not B's NASA.
    mae = Client()
    mae.force_login(school["mae"].user)
    review = mae.get(reverse("quizzes:attempt_results", args=[school["mae"].public_id]))
    assert [row["key_text"] for row in review.context["rows"]] == ["CNSA", "2011"]


def test_a_new_attempt_in_teacher_as_class_still_scores_against_the_kept_version(school, take_quiz):
    b_makes_nasa_right(school)
    agency = school["agency"]
    attempt = take_quiz(
        school["class_a"], UserFactory(username="kai"), {agency: agency.choices.get(text="CNSA").pk}
    )
    assert [q.pk for q in attempt.questions()] == [agency.pk, school["year"].pk]
    assert attempt.score == Decimal(1)


def test_a_student_in_the_middle_of_an_attempt_keeps_the_version_they_started_with(school):
    agency = school["agency"]
    student = UserFactory(username="lu")
    attempt = Attempt.objects.create(
        quiz=school["quiz"], assignment=school["class_a"], user=student
    )
    client = Client()
    client.force_login(student)
    question_url = reverse("quizzes:attempt_question", args=[attempt.public_id, 1])
    first_page = client.get(question_url).text
    b_makes_nasa_right(school)
    url = reverse("admin:quizzes_question_change", args=[current(agency).pk])
    school["b"].post(
        url, question_form(current(agency), right="NASA", prompt="Which space agency?")
    )
    assert "Which agency?" in client.get(question_url).text
    # The choices keep their tokens: the page she loaded still saves.
    token = attempt.item_tokens(agency, "choice")[agency.choices.get(text="CNSA").pk]
    assert token in first_page
    saved = client.post(question_url, {"choice": token})
    assert saved.status_code == 302
    attempt.submit()
    assert attempt.responses.get().question_id == agency.pk
    assert attempt.score == Decimal(1)


def test_teacher_a_sees_the_newer_version_and_moves_to_it_after_a_dry_run(school, run_tasks):
    b_makes_nasa_right(school)
    assignment_page = school["a"].get(
        reverse("admin:classrooms_assignment_change", args=[school["class_a"].pk])
    )
    versions_url = reverse("admin:classrooms_assignment_versions", args=[school["class_a"].pk])
    assert versions_url in assignment_page.text
    assert "A newer version of 1 question" in assignment_page.text

    dry_run = school["a"].get(versions_url).text
    assert "Version 1 → version 2" in dry_run
    assert "2 answers move to the current version." in dry_run
    assert "2 scores change: 1 up, 1 down." in dry_run
    assert scores(school["class_a"]) == {"ada": Decimal(2), "mae": Decimal(1)}  # not yet

    school["a"].post(versions_url)
    run_tasks()
    assert scores(school["class_a"]) == {"ada": Decimal(1), "mae": Decimal(2)}
    new = current(school["agency"])
    assert set(
        Response.objects.filter(
            attempt__assignment=school["class_a"], question__key=new.key
        ).values_list("question", flat=True)
    ) == {new.pk}
    change = ScoreChange.objects.filter(response__attempt=school["mae"]).get()
    assert (change.changed_by, change.by_hand) == (school["teacher_a"], False)
    assert school["class_a"].newer_versions() == []
    # Teacher B's class was not moved by teacher A.
    assert school["class_b"].newer_versions() != []


def test_another_teacher_cannot_move_an_assignment_that_is_not_theirs(school):
    b_makes_nasa_right(school)
    versions_url = reverse("admin:classrooms_assignment_versions", args=[school["class_a"].pk])
    assert school["b"].post(versions_url).status_code == 404
    assert scores(school["class_a"]) == {"ada": Decimal(2), "mae": Decimal(1)}


def test_an_older_version_is_read_only_and_no_version_is_deleted(school):
    b_makes_nasa_right(school)
    old = school["agency"]
    refused = school["b"].post(
        reverse("admin:quizzes_question_change", args=[old.pk]),
        question_form(old, right="NASA", prompt="Rewritten"),
    )
    assert refused.status_code == 403
    assert Question.objects.get(pk=old.pk).prompt == "Which agency?"
    page = school["b"].get(reverse("admin:quizzes_question_change", args=[old.pk])).text
    assert "This is version 1" in page
    delete_url = reverse("admin:quizzes_question_delete", args=[current(old).pk])
    assert school["b"].post(delete_url, {"post": "yes"}).status_code == 403


def test_the_question_page_counts_each_versions_attempts_and_classes(school):
    b_makes_nasa_right(school)
    page = school["b"].get(
        reverse("admin:quizzes_question_change", args=[current(school["agency"]).pk])
    )
    rows = [
        (row["question"].version, row["question"].attempt_count, len(row["mine"]), row["others"])
        for row in page.context["versions"]
    ]
    # Version 1: three attempts answered it; B's class and A's class keep it.
    assert rows == [(1, 3, 1, 1), (2, 0, 0, 0)]


def test_a_question_no_attempt_has_shown_changes_in_place(teacher_client, teacher):
    quiz = QuizFactory(owners=[teacher])
    question = QuestionFactory(quiz=quiz, choices=[("CNSA", True), ("NASA", False)])
    AssignmentFactory(quiz=quiz, classroom=ClassroomFactory(teachers=[teacher]))
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    teacher_client.post(url, question_form(question, right="NASA"))
    assert list(Question.objects.values_list("pk", "version")) == [(question.pk, 1)]
    assert question.choices.get(is_correct=True).text == "NASA"


def test_saving_an_answered_question_unchanged_makes_no_version(school):
    agency = school["agency"]
    url = reverse("admin:quizzes_question_change", args=[agency.pk])
    school["b"].post(url, question_form(agency, right="CNSA"))
    assert Question.objects.filter(key=agency.key).count() == 1


def test_practice_attempts_follow_the_current_version(practice_lesson):
    quiz = practice_lesson.quizzes.get(is_practice=True)
    question = quiz.questions.get(position=1)
    right = question.choices.get(is_correct=True)
    attempt = Attempt.objects.create(quiz=quiz)
    attempt.save_answer(question, right.pk)
    question.prompt = "Changed"
    previous = question.new_version()
    for choice in previous.choices.all():
        choice.carry_into(question)
        choice.save()
    question.keep_previous(previous)
    response = attempt.responses.get()
    assert response.question_id == question.pk
    assert response.answer == question.choices.get(text=right.text).pk
    assert response.points == question.points


@pytest.mark.parametrize("kind", kinds.KINDS)
def test_every_kind_of_answer_moves_to_an_unchanged_version_with_its_score(kind):
    fields, choices = kinds.get(kind).example()
    sample = QuestionFactory(kind=kind, choices=choices, **fields)
    for answer in sample.kind_rules.sample_answers(sample.answer_key()):
        question = QuestionFactory(kind=kind, choices=choices, **fields)
        answer = question.kind_rules.carry(
            answer,
            dict(
                zip(
                    sample.choices.values_list("pk", flat=True),
                    question.choices.values_list("pk", flat=True),
                    strict=True,
                )
            ),
        )
        attempt = Attempt.objects.create(quiz=question.quiz, user=UserFactory())
        response = attempt.save_answer(question, answer)
        new = Question.objects.get(pk=question.pk)
        previous = new.new_version()
        for choice in reversed(previous.choices.all()):  # new ids, in another order
            choice.carry_into(new)
            choice.save()
        report = marking.move_answers(new, Attempt.objects.all(), by=None, dry_run=False)
        response.refresh_from_db()
        assert (report.answers, report.unfit, report.changes) == (1, 0, []), answer
        assert response.question_id == new.pk
        assert response.points == kinds.score(question.answer_key(), answer, question.points)
        shown, given = new.answer_display(response.answer), question.answer_display(answer)
        assert sorted(shown.split("; ")) == sorted(given.split("; "))  # ticks in id order


def test_fixtures_load_as_version_1_and_loading_twice_changes_nothing(db):
    call_command("loaddata", "lessons", "quizzes", verbosity=0)
    first = sorted(Question.objects.values_list("key", "version", "is_current", "prompt"))
    assert {(version, is_current) for _k, version, is_current, _p in first} == {(1, True)}
    call_command("loaddata", "lessons", "quizzes", verbosity=0)
    assert sorted(Question.objects.values_list("key", "version", "is_current", "prompt")) == first


def test_loading_the_fixtures_again_keeps_a_later_version_current(db):
    call_command("loaddata", "lessons", "quizzes", verbosity=0)
    question = Question.objects.order_by("pk").first()
    question.prompt = "A superuser's rewording"
    question.new_version()
    call_command("loaddata", "lessons", "quizzes", verbosity=0)
    versions = Question.objects.filter(key=question.key).order_by("version")
    assert [(q.version, q.is_current) for q in versions] == [(1, False), (2, True)]
    assert current(question).prompt == "A superuser's rewording"


def test_a_change_made_from_a_replaced_version_is_refused(school):
    stale = Question.objects.get(pk=school["agency"].pk)
    b_makes_nasa_right(school)
    stale.prompt = "Written over the newer version"
    with pytest.raises(PermissionDenied):
        stale.new_version()
    assert current(stale).prompt == "Which agency?"
    assert current(stale).version == 2


def test_an_answer_naming_a_dropped_choice_no_longer_fits_and_the_dry_run_says_so(
    school, run_tasks
):
    agency = school["agency"]
    form = question_form(agency, right="CNSA")
    form |= {
        "choices-1-DELETE": "on",  # NASA, Mae's answer
        "choices-TOTAL_FORMS": "3",
        "choices-2-position": "3",
        "choices-2-text": "ESA",
    }
    url = reverse("admin:quizzes_question_change", args=[agency.pk])
    school["b"].post(url, form)
    assert sorted(current(agency).choices.values_list("text", flat=True)) == ["CNSA", "ESA"]
    versions_url = reverse("admin:classrooms_assignment_versions", args=[school["class_a"].pk])
    dry_run = school["a"].get(versions_url).text
    assert "1 answer no longer fits (a choice it used is gone) and scores 0." in dry_run
    assert "No score changes." in dry_run  # Mae's 0 stays 0; Ada's CNSA carries over
    school["a"].post(versions_url)
    run_tasks()
    assert scores(school["class_a"]) == {"ada": Decimal(2), "mae": Decimal(1)}
    ada = Response.objects.get(attempt=school["ada"], question__key=agency.key)
    assert ada.answer == current(agency).choices.get(text="CNSA").pk


def test_save_and_continue_opens_the_new_version(school):
    agency = school["agency"]
    url = reverse("admin:quizzes_question_change", args=[agency.pk])
    reply = school["b"].post(url, question_form(agency, right="NASA", _continue="1"))
    assert reply.url == reverse("admin:quizzes_question_change", args=[current(agency).pk])


def test_a_quiz_classes_have_attempted_keeps_its_questions(school):
    """Adding or deleting a question would change every class's full marks."""
    agency, quiz = school["agency"], school["quiz"]
    add = question_form(agency, right="CNSA", key="new-question", prompt="Added later?")
    add |= {f"choices-{n}-{field}": "" for n in (0, 1) for field in ("id", "question")}
    add["choices-INITIAL_FORMS"] = "0"
    page = school["b"].post(reverse("admin:quizzes_question_add") + "?kind=single", add)
    assert "Classes have attempted this quiz" in page.text
    delete = school["b"].post(
        reverse("admin:quizzes_question_delete", args=[agency.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    imported = school["b"].post(
        reverse("admin:quizzes_quiz_import", args=[quiz.pk]),
        {"text": "Added by import? {T}", "format": "gift"},
    )
    assert "Classes have attempted this quiz" in imported.text
    assert quiz.questions.count() == 2


def test_the_gradebook_counts_the_points_of_the_versions_each_class_has(school):
    from classrooms.gradebook import class_assignments

    url = reverse("admin:quizzes_question_change", args=[school["agency"].pk])
    school["b"].post(url, question_form(school["agency"], right="CNSA", points="3"))
    (class_a,) = class_assignments(school["class_a"].classroom)
    assert class_a.quiz_max_score == Decimal(2)  # its versions: 1 + 1, not B's 3 + 1
    class_a.move_to_current_versions(by=None, dry_run=False)
    (class_a,) = class_assignments(school["class_a"].classroom)
    assert class_a.quiz_max_score == Decimal(4)


def test_a_move_killed_halfway_leaves_each_question_whole_and_finishes_once_restarted(
    school, run_tasks, monkeypatch
):
    """One question at a time: between two, each attempt shows each question in the
    version its answers name, and a restart moves the rest without scoring anything twice."""
    from background.models import Task
    from classrooms import tasks
    from tests.test_background_tasks import WorkerKilled, dies_on_call, restart_after_stall

    b_makes_nasa_right(school)
    year = school["year"]
    url = reverse("admin:quizzes_question_change", args=[year.pk])
    school["b"].post(url, question_form(year, right="2020"))
    school["a"].post(reverse("admin:classrooms_assignment_versions", args=[school["class_a"].pk]))
    task = Task.objects.get()
    revive = dies_on_call(monkeypatch, "advance", 2)
    with pytest.raises(WorkerKilled):
        tasks.move_to_current_versions.call(task.pk)
    revive()
    ((kept, newer),) = school["class_a"].newer_versions()
    for attempt in (school["ada"], school["mae"]):
        shown = set(attempt.shown_questions().values_list("pk", flat=True))
        answered = set(attempt.responses.values_list("question", flat=True))
        assert answered == shown and kept.pk in shown and newer.pk not in shown
    page = school["a"].get(reverse("admin:background_task_change", args=[task.pk]))
    assert "1 of 2 done." in page.text
    versions = school["a"].get(
        reverse("admin:classrooms_assignment_versions", args=[school["class_a"].pk])
    )
    assert "See its progress" in versions.text

    restart_after_stall(task)
    run_tasks()
    assert school["class_a"].newer_versions() == []
    assert scores(school["class_a"]) == {"ada": Decimal(0), "mae": Decimal(1)}
    assert ScoreChange.objects.filter(response__attempt__assignment=school["class_a"]).count() == 4
    task.refresh_from_db()
    assert task.outcome == (
        "The assignment shows the current versions of 2 questions from now on; 4 scores changed."
    )
