"""A large made-up school for load tests and benchmarks.

    manage.py generate_school                 # 10,000 students, 300 classes, 1,000,000 answers
    manage.py generate_school --scale 0.1     # a tenth of each
    manage.py generate_school --students 40 --classes 2 --responses 2000 --seed 3

Teachers (one per five classes), classes, enrollments, the shipped quizzes assigned to every
class, and attempts whose answers are scored by the real scoring functions, so each
attempt's score is the sum of its answers' points. Rows are written with bulk_create in
large batches inside one transaction; the same seed makes the same school. Running it again
adds another school of the given size next to the first, numbered after it.
"""

import math
import random
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.groups import TEACHERS_GROUP
from classrooms.models import (
    JOIN_CODE_ALPHABET,
    JOIN_CODE_LENGTH,
    Assignment,
    Classroom,
    Enrollment,
)
from quizzes import kinds, scoring
from quizzes.models import Attempt, Quiz, Response

PREFIX = "generated-"  # every generated account's username starts with it
EMAIL_DOMAIN = "generated.invalid"  # a domain that can never receive mail
CLASSES_PER_TEACHER = 5
SKIPPED = 0.04  # share of questions a student leaves unanswered
WAITING = 0.1  # share of essays in submitted attempts a teacher hasn't marked yet
BATCH = 5000
SUBJECTS = ["Physics", "Geography", "Science", "English", "Global Politics", "Current Affairs"]


@dataclass(frozen=True)
class Candidate:
    """One possible answer to a question, with the points it scores."""

    answer: object
    points: Decimal | None


@dataclass
class QuizPlan:
    quiz: Quiz
    max_score: Decimal
    # Per question: (question id, right answer, wrong answers, points, difficulty).
    questions: list


class Command(BaseCommand):
    help = (
        "Fill the database with a made-up school (teachers, classes, students, assignments "
        "of the shipped quizzes, scored attempts) for load tests. Refuses a database with "
        "real students unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--students", type=int, default=10_000)
        parser.add_argument("--classes", type=int, default=300)
        parser.add_argument(
            "--responses", type=int, default=1_000_000, help="Answers to write, in all."
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Multiply the three sizes, e.g. 0.1 for a tenth of the school.",
        )
        parser.add_argument("--seed", type=int, default=1, help="The same seed, the same school.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though the database has students this command didn't make.",
        )

    def handle(self, *args, students, classes, responses, scale, seed, force, **options):
        students = max(1, round(students * scale))
        classes = max(1, min(round(classes * scale), students))
        responses = max(0, round(responses * scale))
        User = get_user_model()
        real = (
            User.objects.filter(is_staff=False, is_superuser=False)
            .exclude(username__startswith=PREFIX)
            .count()
        )
        if real and not force:
            raise CommandError(
                f"This database has real students ({real} accounts that generate_school "
                "didn't make). Use a scratch database, or pass --force."
            )
        started = time.perf_counter()
        if not Quiz.objects.filter(is_practice=False).exists():
            call_command("loaddata", "lessons", "quizzes", verbosity=0)
        quizzes = list(Quiz.objects.filter(is_practice=False).order_by("pk"))
        # A second run adds to the first: new numbers, and a stream of its own from the seed.
        first = User.objects.filter(username__startswith=f"{PREFIX}student-").count()
        rng = random.Random(f"{seed}:{first}")
        with transaction.atomic():
            made = School(rng, first, quizzes, self.stdout).build(students, classes, responses)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Made {made['teachers']} teachers, {made['classes']} classes, "
                f"{made['students']} students, {made['assignments']} assignments, "
                f"{made['attempts']} attempts ({made['in_progress']} in progress) and "
                f"{made['responses']} responses in {elapsed:.1f} s."
            )
        )


class School:
    def __init__(self, rng: random.Random, first: int, quizzes: list, stdout):
        self.rng = rng
        self.first = first  # generated students already in the database
        self.quizzes = quizzes
        self.stdout = stdout
        self.now = timezone.now()

    def build(self, students: int, classes: int, responses: int) -> dict:
        teachers, classrooms = self.classrooms(classes)
        pupils = self.students(students)
        rosters = [pupils[i::classes] for i in range(classes)]  # sizes differ by one at most
        Enrollment.objects.bulk_create(
            (
                Enrollment(classroom=classroom, student=student)
                for classroom, roster in zip(classrooms, rosters, strict=True)
                for student in roster
            ),
            batch_size=BATCH,
        )
        assignments = self.assignments(classrooms)
        plans = {quiz.pk: self.plan(quiz) for quiz in self.quizzes}
        ability = {student.pk: self.rng.betavariate(5, 3) for student in pupils}
        attempts = self.attempt_plan(assignments, rosters, plans, responses)
        written = self.write_attempts(attempts, plans, ability, responses)
        return {
            "teachers": len(teachers),
            "classes": len(classrooms),
            "students": len(pupils),
            "assignments": sum(len(a) for a in assignments),
            **written,
        }

    # Accounts, classes, assignments

    def classrooms(self, count: int):
        User = get_user_model()
        first_class = Classroom.objects.filter(name__startswith="Generated ").count()
        first_teacher = User.objects.filter(username__startswith=f"{PREFIX}teacher-").count()
        password = make_password(None)  # nobody signs in with a password: no hashing per row
        teachers = User.objects.bulk_create(
            User(
                username=f"{PREFIX}teacher-{first_teacher + n:04d}",
                email=f"teacher-{first_teacher + n}@{EMAIL_DOMAIN}",
                first_name="Teacher",
                last_name=f"{first_teacher + n:04d}",
                is_staff=True,
                password=password,
            )
            for n in range(math.ceil(count / CLASSES_PER_TEACHER))
        )
        group = Group.objects.get(name=TEACHERS_GROUP)
        User.groups.through.objects.bulk_create(
            User.groups.through(user_id=t.pk, group_id=group.pk) for t in teachers
        )
        taken = set(Classroom.objects.values_list("join_code", flat=True))
        classrooms = []
        for n in range(count):
            code = self.join_code(taken)
            number = first_class + n
            name = (
                f"Generated Year {7 + number % 6} {SUBJECTS[number % len(SUBJECTS)]} {number:04d}"
            )
            classrooms.append(Classroom(name=name, join_code=code))
        classrooms = Classroom.objects.bulk_create(classrooms, batch_size=BATCH)
        Classroom.teachers.through.objects.bulk_create(
            Classroom.teachers.through(
                classroom_id=c.pk, user_id=teachers[i // CLASSES_PER_TEACHER].pk
            )
            for i, c in enumerate(classrooms)
        )
        return teachers, classrooms

    def join_code(self, taken: set) -> str:
        while True:
            code = "".join(self.rng.choices(JOIN_CODE_ALPHABET, k=JOIN_CODE_LENGTH))
            if code not in taken:
                taken.add(code)
                return code

    def students(self, count: int):
        User = get_user_model()
        password = make_password(None)
        first_names = ["Ada", "Bo", "Chen", "Dana", "Eli", "Fatima", "Gus", "Hana", "Ivo", "Jin"]
        last_names = ["Li", "Smith", "Garcia", "Wang", "Okafor", "Novak", "Silva", "Kim"]
        return User.objects.bulk_create(
            (
                User(
                    username=f"{PREFIX}student-{self.first + n:06d}",
                    email=f"student-{self.first + n}@{EMAIL_DOMAIN}",
                    first_name=self.rng.choice(first_names),
                    last_name=self.rng.choice(last_names),
                    password=password,
                )
                for n in range(count)
            ),
            batch_size=BATCH,
        )

    def assignments(self, classrooms) -> list[list[Assignment]]:
        """Every shipped quiz for every class: all closed but the last, due next week."""
        rows = []
        for classroom in classrooms:
            opens = self.now - timedelta(days=self.rng.randint(60, 150))
            for i, quiz in enumerate(self.quizzes):
                current = i == len(self.quizzes) - 1
                opens_at = self.now - timedelta(days=3) if current else opens
                rows.append(
                    Assignment(
                        classroom=classroom,
                        quiz=quiz,
                        opens_at=opens_at,
                        due_at=self.now + timedelta(days=7)
                        if current
                        else opens_at + timedelta(days=14),
                        # The current quiz has no time limit, so attempts in progress never
                        # expire (and close) while a benchmark reads the pages.
                        time_limit=None
                        if current
                        else self.rng.choice([None, timedelta(minutes=30)]),
                        attempts_allowed=self.rng.choice([1, 2, 3, None]),
                        grading_method=self.rng.choice(Assignment.GradingMethod.values),
                        feedback_mode=self.rng.choice(Assignment.FeedbackMode.values),
                    )
                )
                opens += timedelta(days=self.rng.randint(7, 21))
        created = Assignment.objects.bulk_create(rows, batch_size=BATCH)
        per_class = len(self.quizzes)
        return [created[i : i + per_class] for i in range(0, len(created), per_class)]

    # Answers

    def plan(self, quiz) -> QuizPlan:
        questions = []
        for question in quiz.questions.current().prefetch_related("choices"):
            key = question.answer_key()
            candidates = []
            for answer in question.kind_rules.sample_answers(key):
                try:
                    answer = kinds.clean_answer(key, answer)  # the form a Response stores
                except scoring.InvalidAnswer:
                    continue  # e.g. the single item of a one-item question, reversed
                candidates.append(Candidate(answer, kinds.score(key, answer, question.points)))
            right = max(candidates, key=lambda c: c.points or 0)
            wrong = [c for c in candidates if c.points is not None and c.points < right.points]
            difficulty = self.rng.uniform(-0.25, 0.2)
            questions.append((question.pk, right, wrong, question.points, difficulty))
        max_score = sum((q[3] for q in questions), Decimal(0))
        return QuizPlan(quiz, max_score, questions)

    def attempt_plan(self, assignments, rosters, plans, responses) -> list[tuple]:
        """(student, assignment, try number, tries) for enough attempts to write `responses` answers
        with about SKIPPED of the questions left out: one attempt for as many students
        as that needs, then second and third ones where the assignment allows them."""
        pairs = [
            (student, assignment)
            for roster, class_assignments in zip(rosters, assignments, strict=True)
            for assignment in class_assignments
            for student in roster
        ]
        if not pairs:
            return []
        per_attempt = sum(len(plans[a.quiz_id].questions) for _s, a in pairs) / len(pairs)
        wanted = math.ceil(responses / (per_attempt * (1 - SKIPPED)))
        if wanted <= len(pairs):
            chosen = sorted(self.rng.sample(range(len(pairs)), wanted))
            counts = dict.fromkeys(chosen, 1)
        else:
            counts = dict.fromkeys(range(len(pairs)), 1)
            room = {i: (a.attempts_allowed or 4) - 1 for i, (_s, a) in enumerate(pairs)}
            open_pairs = [i for i, left in room.items() if left]
            for _extra in range(wanted - len(pairs)):
                if not open_pairs:
                    break  # every student used every attempt: fewer answers than asked
                k = self.rng.randrange(len(open_pairs))
                i = open_pairs[k]
                counts[i] += 1
                room[i] -= 1
                if not room[i]:
                    open_pairs[k] = open_pairs[-1]
                    open_pairs.pop()
        return [
            (pairs[i][0], pairs[i][1], n, count)
            for i, count in sorted(counts.items())
            for n in range(count)
        ]

    def write_attempts(self, plan, plans, ability, responses) -> dict:
        slots = sum(len(plans[a.quiz_id].questions) for _s, a, _n, _count in plan)
        skipped = set(self.rng.sample(range(slots), max(0, slots - responses)))
        slot = 0
        written = {"attempts": 0, "in_progress": 0, "responses": 0}
        last_report = time.perf_counter()
        for start in range(0, len(plan), BATCH):
            attempts, answers = [], []
            for student, assignment, number, tries in plan[start : start + BATCH]:
                quiz_plan = plans[assignment.quiz_id]
                attempt, rows = self.attempt(
                    student,
                    assignment,
                    (number, tries),
                    quiz_plan,
                    ability[student.pk],
                    skipped,
                    slot,
                )
                slot += len(quiz_plan.questions)
                attempts.append(attempt)
                answers.append(rows)
            Attempt.objects.bulk_create(attempts, batch_size=BATCH)
            Response.objects.bulk_create(
                (
                    Response(attempt_id=attempt.pk, **row)
                    for attempt, rows in zip(attempts, answers, strict=True)
                    for row in rows
                ),
                batch_size=BATCH,
            )
            written["attempts"] += len(attempts)
            written["in_progress"] += sum(1 for a in attempts if a.submitted_at is None)
            written["responses"] += sum(len(rows) for rows in answers)
            if time.perf_counter() - last_report > 10:
                last_report = time.perf_counter()
                self.stdout.write(f"  … {written['responses']} responses so far")
        return written

    def attempt(self, student, assignment, try_of, quiz_plan, ability, skipped, slot):
        """Attempt `number` of `tries` (from 0) by one student, and its answers' rows."""
        rng = self.rng
        number, tries = try_of
        # The current assignment is still open: some students are answering their last try.
        in_progress = number == tries - 1 and assignment.due_at > self.now and rng.random() < 0.1
        # Each try starts in its own stretch of the time the assignment was open, in order.
        window = (min(assignment.due_at, self.now) - assignment.opens_at).total_seconds()
        started = assignment.opens_at + timedelta(
            seconds=window * (number + 0.9 * rng.random()) / tries
        )
        skill = min(ability + 0.05 * number, 0.98)  # a later try goes a little better
        rows, seconds = [], 0
        for n, (question_id, right, wrong, points, difficulty) in enumerate(quiz_plan.questions):
            if slot + n in skipped:
                continue
            spent = rng.randint(15, 150)
            seconds += spent
            if right.points is None:  # an essay: marked by the teacher, or waiting
                waiting = in_progress or rng.random() < WAITING
                given = (
                    None
                    if waiting
                    else (points * Decimal(round(skill * 4)) / 4).quantize(Decimal("0.01"))
                )
                rows.append(row(question_id, right.answer, given, spent))
            elif not wrong or rng.random() < skill + difficulty:
                rows.append(row(question_id, right.answer, right.points, spent))
            else:
                pick = rng.choice(wrong)
                rows.append(row(question_id, pick.answer, pick.points, spent))
        submitted_at = None if in_progress else started + timedelta(seconds=seconds)
        deadline = deadline_for(assignment, started)
        if submitted_at and deadline and submitted_at > deadline:
            submitted_at = deadline
        points = [r["points"] for r in rows]
        attempt = Attempt(
            user_id=student.pk,
            quiz_id=assignment.quiz_id,
            assignment_id=assignment.pk,
            public_id=uuid.UUID(int=rng.getrandbits(128), version=4),
            seed=rng.randrange(2**31),
            started_at=started,
            deadline=deadline,
            last_seen_at=submitted_at or started + timedelta(seconds=seconds),
            submitted_at=submitted_at,
            score=None if in_progress else sum((p for p in points if p is not None), Decimal(0)),
            max_score=quiz_plan.max_score,
            is_provisional=not in_progress and any(p is None for p in points),
        )
        return attempt, rows


def row(question_id, answer, points, seconds) -> dict:
    return {
        "question_id": question_id,
        "answer": answer,
        "points": points,
        "seconds_spent": seconds,
    }


def deadline_for(assignment, started):
    """What Rules.deadline_from gives: the time limit or the due date, whichever first."""
    ends = [assignment.due_at]
    if assignment.time_limit:
        ends.append(started + assignment.time_limit)
    return min(ends)
