import pytest

from quizzes.factories import QuestionFactory, QuizFactory, UserFactory


@pytest.fixture
def student(db):
    return UserFactory(username="student")


@pytest.fixture
def student_client(client, student):
    client.force_login(student)
    return client


@pytest.fixture
def quiz(db):
    """A two-question single-choice quiz; the right choice of each is 'Right'."""
    quiz = QuizFactory(title="Space basics")
    QuestionFactory(
        quiz=quiz,
        position=1,
        prompt="Which agency is China's?",
        choices=[("CNSA", True), ("NASA", False), ("OSTP", False)],
    )
    QuestionFactory(
        quiz=quiz,
        position=2,
        prompt="When was the Wolf Amendment passed?",
        choices=[("2011", True), ("2006", False)],
    )
    return quiz
