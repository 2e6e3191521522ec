"""Two languages: English and Simplified Chinese, chosen by the browser or the switch on every
page; every other browser gets English, marked as English."""

import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from lessons.factories import LessonFactory, SectionFactory
from lessons.models import Lesson
from quizzes.factories import QuestionFactory, QuizFactory
from quizzes.forms import answer_data
from quizzes.models import Attempt, Question

pytestmark = pytest.mark.django_db

BASE_DIR = Path(settings.BASE_DIR)
CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9,en;q=0.5"}
FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9"}
HTMX = {"HTTP_HX_REQUEST": "true"}


def chinese(text: str) -> str:
    """The interface's own translation of `text`, which must have one."""
    with translation.override("zh-hans"):
        translated = translation.gettext(text)
    assert translated != text, f"no Chinese for {text!r}"
    return translated


def page_language(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.text)[1]


def test_a_french_browser_gets_english_pages_marked_as_english(client):
    page = client.get(reverse("login"), **FRENCH)
    assert page_language(page) == "en"
    assert page["Content-Language"] == "en"
    # Django's own labels come in English too, not "Nom d'utilisateur" beside English text.
    assert "Username" in page.text and "Nom" not in page.text and "Connexion" not in page.text


def test_a_chinese_browser_gets_the_interface_in_chinese(client, practice_lesson):
    page = client.get(reverse("login"), **CHINESE)
    assert page_language(page) == "zh-hans"
    assert chinese("Log in") in page.text and chinese("Sign up") in page.text
    lesson = client.get(practice_lesson.get_absolute_url(), **CHINESE)
    assert page_language(lesson) == "zh-hans" and chinese("In this lesson") in lesson.text


def test_the_switch_is_on_every_page_and_brings_the_reader_back(client, practice_lesson):
    url = practice_lesson.get_absolute_url()
    page = client.get(url)
    switch = re.search(r'<form class="language-switch".*?</form>', page.text, re.S)[0]
    assert 'value="zh-hans" lang="zh-hans">简体中文</button>' in switch
    assert 'lang="en" aria-current="true">English</span>' in switch

    # Back to the page the form was on, as the browser names it in Referer.
    back = client.post(
        reverse("set_language"), {"language": "zh-hans"}, HTTP_REFERER=f"http://testserver{url}"
    )
    assert back.status_code == 302 and back["Location"] == f"http://testserver{url}"
    page = client.get(url, **FRENCH)  # the choice outranks what the browser asks for
    assert page_language(page) == "zh-hans" and chinese("In this lesson") in page.text
    assert 'lang="zh-hans" aria-current="true">简体中文</span>' in page.text


def test_a_student_switching_mid_quiz_stays_on_their_question(student_client, practice_quiz):
    quiz = practice_quiz
    student_client.post(reverse("quizzes:quiz_start", args=[quiz.slug]))
    attempt = Attempt.objects.get()
    question_2 = reverse("quizzes:attempt_question", args=[attempt.public_id, 2])
    referer = f"http://testserver{question_2}"
    back = student_client.post(
        reverse("set_language"), {"language": "zh-hans"}, HTTP_REFERER=referer
    )
    assert back["Location"] == referer
    page = student_client.get(question_2)
    assert page_language(page) == "zh-hans"
    assert chinese("Question %(number)s of %(total)s") % {"number": 2, "total": 2} in page.text


def test_error_pages_follow_the_language(client):
    page = client.get("/no-such-page/", **CHINESE)
    assert page.status_code == 404 and page_language(page) == "zh-hans"


# The embed keeps no cookie: the language travels as `lang`.


def embed_url(name, lesson, query=""):
    return reverse(f"embeds:{name}", args=[lesson.slug]) + query


def test_the_embed_follows_the_browser_or_the_address(client, practice_lesson):
    page = client.get(embed_url("lesson_embed", practice_lesson), **CHINESE)
    assert page_language(page) == "zh-hans"
    assert chinese("Start the practice quiz") in page.text
    # An embedding page may ask for a language in the frame's address.
    page = client.get(embed_url("lesson_embed", practice_lesson, "?lang=zh-hans"), **FRENCH)
    assert page_language(page) == "zh-hans"
    start = embed_url("practice_start", practice_lesson, "?lang=zh-hans")
    assert f'hx-post="{start}"' in page.text  # the choice goes on with every request
    page = client.get(embed_url("lesson_embed", practice_lesson, "?lang=fr"), **FRENCH)
    assert page_language(page) == "en"


def test_the_embed_switch_keeps_the_student_on_their_question(client, practice_lesson):
    started = client.post(embed_url("practice_start", practice_lesson))
    token = re.search(r'name="embed_token" value="([^"]+)"', started.text)[1]
    client.cookies.clear()  # as in a frame that keeps none
    switched = client.post(
        embed_url("lesson_embed", practice_lesson),
        {"embed_token": token, "number": "2", "lang": "zh-hans"},
    )
    assert switched.status_code == 200 and page_language(switched) == "zh-hans"
    assert chinese("Question %(number)s of %(total)s") % {"number": 2, "total": 2} in (
        switched.text
    )
    answer = embed_url("practice_answer", practice_lesson, "?lang=zh-hans")
    assert f'hx-post="{answer}"' in switched.text
    assert Attempt.objects.count() == 1  # the same attempt, not a new one


# Every string marked for translation has its Chinese.


@pytest.fixture(scope="module")
def fresh_catalog(tmp_path_factory) -> polib.POFile:
    """The Chinese catalog as bin/messages would make it from the code as it is now, in a
    copy of the project: new strings come out empty, changed ones fuzzy."""
    copy = tmp_path_factory.mktemp("project")
    skip = shutil.ignore_patterns(".*", "__pycache__", "staticfiles", "node_modules", "*.mo")
    for item in BASE_DIR.iterdir():
        if item.name.startswith(".") or item.name in {"staticfiles", "test-artifacts"}:
            continue
        if item.is_dir():
            shutil.copytree(item, copy / item.name, ignore=skip)
        else:
            shutil.copy2(item, copy / item.name)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "--locale=zh_Hans",
            "--no-obsolete",
            "--ignore=bench",
            "--ignore=tests",
            "--ignore=*/factories.py",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "quizsite.settings"},
    )
    return polib.pofile(str(copy / "locale/zh_Hans/LC_MESSAGES/django.po"))


def test_every_string_marked_for_translation_has_its_chinese(fresh_catalog):
    missing = [
        entry.msgid
        for entry in fresh_catalog
        if not entry.obsolete and (not entry.translated() or "fuzzy" in entry.flags)
    ]
    assert not missing, (
        f"{len(missing)} strings have no Chinese: run bin/messages and translate them in "
        f"locale/zh_Hans/LC_MESSAGES/django.po, starting with {missing[:20]}"
    )


def test_translations_keep_their_placeholders(fresh_catalog):
    placeholder = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}|\{\{ ?\w+ ?\}\}")
    wrong = [
        entry.msgid
        for entry in fresh_catalog
        if entry.translated()
        # Chinese has one form for every count: it reads the plural's placeholders.
        for original, translated in (
            [(entry.msgid_plural, form) for form in entry.msgstr_plural.values()]
            if entry.msgid_plural
            else [(entry.msgid, entry.msgstr)]
        )
        if sorted(placeholder.findall(original)) != sorted(placeholder.findall(translated))
    ]
    assert not wrong, f"these translations lose or add a placeholder: {wrong}"


def test_dates_follow_the_language(student_client, practice_quiz):
    quiz = practice_quiz
    student_client.post(reverse("quizzes:quiz_start", args=[quiz.slug]))
    started = Attempt.objects.get().started_at
    english = student_client.get(reverse("quizzes:attempt_list")).text
    assert f"{started:%-d %b %Y}, {started:%H:%M}" in english
    student_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    chinese_page = student_client.get(reverse("quizzes:attempt_list")).text
    assert f"{started.year}年{started.month}月{started.day}日" in chinese_page


def test_the_teachers_admin_is_in_chinese_with_its_switch(client, teacher):
    client.force_login(teacher)
    page = client.get(reverse("admin:index"), **CHINESE)
    assert page_language(page) == "zh-hans"
    assert chinese("Orbit Quiz for teachers") in page.text
    assert 'lang="en">English</button>' in page.text


def test_continuing_an_embed_in_a_new_tab_keeps_its_language(client, practice_lesson):
    started = client.post(embed_url("practice_start", practice_lesson))
    token = re.search(r'name="embed_token" value="([^"]+)"', started.text)[1]
    tab = client.post(
        embed_url("practice_continue", practice_lesson, "?lang=zh-hans"), {"embed_token": token}
    )
    assert tab.status_code == 302
    page = client.get(tab["Location"], follow=True, **FRENCH)
    assert page_language(page) == "zh-hans"


# Lessons in both languages: each block in the page's language where it has one, marked.


@pytest.fixture
def bilingual_lesson(db):
    lesson = LessonFactory(title="Making waves in space", title_zh="太空中的波澜", slug="waves")
    SectionFactory(
        lesson=lesson,
        anchor="law",
        heading="A law from 2011",
        heading_zh="2011年的一项法律",
        body="The Wolf Amendment limits NASA.",
        body_zh="沃尔夫条款限制了NASA。",
    )
    SectionFactory(lesson=lesson, anchor="words", heading="Words", body="Only in English.")
    return lesson


def test_a_chinese_page_shows_the_chinese_and_the_english_where_there_is_none(
    client, bilingual_lesson
):
    page = client.get(bilingual_lesson.get_absolute_url(), **CHINESE).text
    assert '<h1 lang="zh-hans">太空中的波澜</h1>' in page
    assert 'lang="zh-hans">2011年的一项法律</h2>' in page and "沃尔夫条款限制了NASA。" in page
    assert 'lang="en">Words</h2>' in page and "Only in English." in page
    english = client.get(bilingual_lesson.get_absolute_url()).text
    assert '<h1 lang="en">Making waves in space</h1>' in english and "沃尔夫条款" not in english


def test_a_reader_can_show_a_lesson_in_both_languages_side_by_side(client, bilingual_lesson):
    page = client.get(bilingual_lesson.get_absolute_url() + "?languages=both").text
    law = re.search(r'<section id="law".*?</section>', page, re.S)[0]
    assert '<div class="version" lang="en">' in law and "The Wolf Amendment limits NASA." in law
    assert '<div class="version" lang="zh-hans">' in law and "沃尔夫条款限制了NASA。" in law
    words = re.search(r'<section id="words".*?</section>', page, re.S)[0]
    assert words.count('class="version"') == 1  # no Chinese to put beside it
    assert "Show one language" in page


def test_the_embed_shows_the_lesson_in_chinese(client, bilingual_lesson):
    page = client.get(embed_url("lesson_embed", bilingual_lesson, "?lang=zh-hans")).text
    assert '<h1 id="lesson-title" lang="zh-hans">太空中的波澜</h1>' in page
    assert "沃尔夫条款限制了NASA。" in page


def test_teachers_write_each_text_beside_its_chinese(client, teacher, bilingual_lesson):
    client.force_login(teacher)
    teacher.is_superuser = True  # lessons are the site's, edited by its administrators
    teacher.save()
    page = client.get(reverse("admin:lessons_lesson_change", args=[bilingual_lesson.pk])).text
    row = re.search(
        r'<div class="form-row[^"]*field-title field-title_zh.*?</fieldset>', page, re.S
    )
    assert row and 'name="title_zh"' in row[0]
    assert 'name="sections-0-body_zh"' in page


def test_the_shipped_lesson_has_its_chinese_with_the_articles_names(db):
    from tests.test_fixtures import load_content

    load_content()
    lesson = Lesson.objects.get()
    assert lesson.title_zh and lesson.summary_zh
    sections = list(lesson.sections.all())
    assert all(section.heading_zh and section.body_zh for section in sections)
    chinese = "\n".join(section.body_zh for section in sections)
    for name in ("许洪亮", "伯恩斯", "沃尔夫条款", "嫦娥五号", "嫦娥石"):
        assert name in chinese, name
    for section in sections:  # every number of the English, in the Chinese
        for number in re.findall(r"(?<![-\w])\d[\d,]*", section.body):  # not Chang'e-5
            assert number.replace(",", "") in section.body_zh.replace(",", ""), (
                section.anchor,
                number,
            )


def test_the_articles_english_title_is_marked_inside_a_chinese_sentence(client, practice_lesson):
    page = client.get(practice_lesson.get_absolute_url(), **CHINESE).text
    assert '<span lang="en">Who is making waves in China-U.S. space collaboration?</span>' in page


def test_a_quiz_shows_its_chinese_title_wherever_it_is_named(student_client, practice_quiz):
    practice_quiz.title_zh = "太空基础"
    practice_quiz.lesson.title_zh = "太空中的波澜"
    practice_quiz.save()
    practice_quiz.lesson.save()
    student_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = student_client.get(practice_quiz.get_absolute_url()).text
    assert '<h1 lang="zh-hans">太空基础</h1>' in page and 'lang="zh-hans">太空中的波澜</a>' in page
    student_client.post(reverse("quizzes:quiz_start", args=[practice_quiz.slug]))
    attempt = Attempt.objects.get()
    question = student_client.get(reverse("quizzes:attempt_question", args=[attempt.public_id, 1]))
    assert '<h1 class="attempt-title" lang="zh-hans">太空基础</h1>' in question.text
    listed = student_client.get(reverse("quizzes:attempt_list")).text
    assert "太空基础" in listed and "Space basics" not in listed


def test_a_duplicated_quiz_keeps_its_chinese_title_as_a_copy(quiz, teacher):
    quiz.title_zh = "太空基础"
    quiz.save()
    copy = quiz.duplicate(teacher)
    assert copy.title_zh == chinese("%(title)s (copy)") % {"title": "太空基础"}


# Questions in both languages: shown in the page's, scored the same in either.


def with_chinese(question, *texts, matches=()):
    """Give the question's choices, in their order, their Chinese."""
    for choice, text, match in zip(
        question.choices.all(), texts, matches or [""] * len(texts), strict=True
    ):
        choice.text_zh, choice.match_text_zh = text, match
        choice.save()
    return question


@pytest.fixture
def bilingual_quiz(db):
    """A practice quiz whose questions all have their Chinese."""
    quiz = QuizFactory(title="Space basics", is_practice=True)
    with_chinese(
        QuestionFactory(
            quiz=quiz,
            position=1,
            prompt="Which agency is China's?",
            prompt_zh="哪个机构是中国的航天机构？",
            explanation="CNSA is China's space agency.",
            explanation_zh="国家航天局是中国的航天机构。",
            choices=[("CNSA", True), ("NASA", False)],
        ),
        "国家航天局",
        "美国国家航空航天局",
    )
    with_chinese(
        QuestionFactory(
            quiz=quiz,
            position=2,
            kind="fill_blanks",
            prompt="Chang'e-5 was a lunar [[1]]. It came back in [[2]] 2020.",
            prompt_zh="嫦娥五号是一个月球[[1]]，于2020年[[2]]返回。",
            explanation="A probe, back in December.",
            explanation_zh="它是探测器，12月返回。",
            choices=[("probe ~ telescope ~ space station", True), ("December | Dec", True)],
        ),
        "探测器 ~ 望远镜 ~ 空间站",
        "12月 | 十二月",
    )
    return quiz


def start_in_chinese(client, quiz) -> Attempt:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.post(reverse("quizzes:quiz_start", args=[quiz.slug]))
    return Attempt.objects.get()


def question_page(client, attempt, number, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(reverse("quizzes:attempt_question", args=[attempt.public_id, number])).text


def test_a_chinese_page_shows_the_question_in_chinese_marked_as_chinese(
    student_client, bilingual_quiz
):
    attempt = start_in_chinese(student_client, bilingual_quiz)
    page = question_page(student_client, attempt, 1, "zh-hans")
    assert '<span class="prompt" lang="zh-hans">哪个机构是中国的航天机构？</span>' in page
    assert '<div class="options" lang="zh-hans">' in page and "国家航天局" in page
    fields, other = page.split('<details class="other-language">')
    assert "CNSA" not in fields and "China&#x27;s" not in fields
    # The English beside it, to read: the same choices in the same order, no field of its own.
    shown = re.findall(r"<span>(\S+)</span>", fields)
    english = {"国家航天局": "CNSA", "美国国家航空航天局": "NASA"}
    assert '<div lang="en">\n    <p>Which agency is China&#x27;s?</p>' in other
    assert re.findall(r"<li>(\w+)</li>", other) == [english[text] for text in shown]
    assert "<input" not in other.split("</details>")[0]

    page = question_page(student_client, attempt, 1, "en")
    assert '<span class="prompt" lang="en">Which agency is China&#x27;s?</span>' in page
    fields, other = page.split('<details class="other-language">')
    assert '<div class="options" lang="en">' in fields and "国家航天局" not in fields
    assert '<div lang="zh-hans">\n    <p>哪个机构是中国的航天机构？</p>' in other

    # Answered on a Chinese page: feedback in Chinese, the same answer and points as in English.
    question = bilingual_quiz.questions.get(position=1)
    right = question.choices.get(text="CNSA")
    student_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    url = reverse("quizzes:attempt_question", args=[attempt.public_id, 1])
    reply = student_client.post(url, answer_data(attempt, question, right.pk), **HTMX).text
    assert '<div class="explanation" lang="zh-hans"><p>国家航天局是中国的航天机构。</p>' in reply
    response = attempt.responses.get()
    assert response.answer == right.pk and response.points == Decimal(1)


def test_a_word_picked_in_chinese_is_the_same_answer_on_an_english_page(
    student_client, bilingual_quiz
):
    attempt = start_in_chinese(student_client, bilingual_quiz)
    page = question_page(student_client, attempt, 2, "zh-hans")
    assert '<p class="passage" lang="zh-hans">嫦娥五号是一个月球' in page
    picked = re.search(r'<option value="([^"]+)">探测器</option>', page)[1]
    chosen, typed = re.findall(r'name="(gap-[^"]+)"', page)
    url = reverse("quizzes:attempt_question", args=[attempt.public_id, 2])
    student_client.post(url, {chosen: picked, typed: "十二月"}, **HTMX)

    response = attempt.responses.get()
    gaps = bilingual_quiz.questions.get(position=2).choices.all()
    # Stored as the English word at the same place: counted and scored as an English answer.
    assert response.answer == {str(gaps[0].pk): "probe", str(gaps[1].pk): "十二月"}
    assert response.points == Decimal(1)
    page = question_page(student_client, attempt, 2, "en")
    assert f'<option value="{picked}" selected>probe</option>' in page
    page = question_page(student_client, attempt, 2, "zh-hans")
    assert f'<option value="{picked}" selected>探测器</option>' in page


def test_typed_answers_score_the_same_in_either_language(db):
    author = with_chinese(
        QuestionFactory(kind="short_text", prompt_zh="作者是谁？", choices=[("Wu Lei", True)]),
        "吴蕾",
    )
    mass = QuestionFactory(
        kind="numeric", numeric_answer=Decimal(1731), unit="g", unit_zh="克", choices=[]
    )
    rounds = QuestionFactory(
        kind="numeric", numeric_answer=Decimal(3), unit="rounds", unit_zh="轮", choices=[]
    )

    def right(question, answer):
        return question.kind_rules.fraction(question.answer_key(), answer) == 1

    assert right(author, "吴蕾") and right(author, "Wu Lei") and not right(author, "伯恩斯")
    assert right(mass, "1731克") and right(mass, "1731 g") and right(mass, "１７３１克")
    assert right(mass, "1731 grams") and not right(mass, "1731 年")
    assert right(rounds, "3轮") and right(rounds, "3 rounds") and not right(rounds, "3 克")


def test_a_question_in_chinese_is_whole_in_chinese(db):
    question = QuestionFactory(
        prompt_zh="哪个机构是中国的？", choices=[("CNSA", True), ("NASA", False)]
    )
    with pytest.raises(ValidationError) as refused:
        question.full_clean()
    assert chinese("Give the explanation in Chinese too.") in str(refused.value)
    choices = list(question.choices.all())
    with translation.override("en"):
        problems = question.answer_key_problems(choices)
    assert problems == ["Give every choice its text in Chinese too."]

    mass = QuestionFactory(
        kind="numeric", numeric_answer=Decimal(1731), unit="g", prompt_zh="多少克？", choices=[]
    )
    with pytest.raises(ValidationError) as refused:
        mass.full_clean()
    assert "unit_zh" in refused.value.message_dict

    gaps = QuestionFactory(
        kind="fill_blanks",
        prompt="A [[1]].",
        prompt_zh="一个[[1]]。",
        choices=[("probe ~ rover", True)],
    )
    gap = gaps.choices.get()
    gap.text_zh = "探测器 ~ 月球车 ~ 望远镜"  # a third word: the places would not line up
    with translation.override("en"):
        problems = gaps.answer_key_problems([gap])
    assert problems == [
        "Gap 1 needs as many words in Chinese as in English, in the same order: the right "
        "one first."
    ]
    gaps.prompt_zh = "一个[[2]]。"
    gap.text_zh = "探测器 ~ 月球车"
    with translation.override("en"):
        problems = gaps.answer_key_problems([gap])
    assert problems == ["The question in Chinese needs the same [[numbers]] as in English."]


def test_a_question_shown_in_chinese_is_never_saved_over_the_english(bilingual_quiz):
    question = bilingual_quiz.questions.get(position=1)
    shown = question.translated("zh-hans")
    assert (
        shown.prompt == "哪个机构是中国的航天机构？"
        and question.prompt == "Which agency is China's?"
    )
    with pytest.raises(TypeError):
        shown.save()
    with pytest.raises(TypeError):
        shown.choices.all()[0].save()
    question.refresh_from_db()
    assert question.prompt == "Which agency is China's?"


def test_teachers_write_each_question_beside_its_chinese(client, teacher, bilingual_quiz):
    bilingual_quiz.owners.set([teacher])
    client.force_login(teacher)
    question = bilingual_quiz.questions.get(position=2)
    page = client.get(reverse("admin:quizzes_question_change", args=[question.pk])).text
    row = re.search(
        r'<div class="form-row[^"]*field-prompt field-prompt_zh">.*?</fieldset>', page, re.S
    )
    assert 'name="prompt"' in row[0] and 'name="prompt_zh"' in row[0]
    assert 'name="choices-0-text_zh"' in page and 'value="12月 | 十二月"' in page


def test_the_shipped_questions_have_their_chinese_and_score_in_it(db):
    from tests.test_fixtures import load_content

    load_content()
    questions = Question.objects.prefetch_related("choices")
    for question in questions:
        choices = list(question.choices.all())
        assert question.prompt_zh and question.explanation_zh, question.key
        question.full_clean(validate_unique=False)
        assert question.answer_key_problems(choices) == [], question.key
        key = question.answer_key()
        for choice in choices:  # every accepted answer in Chinese is right
            if question.kind == "short_text" and choice.text_zh:
                assert question.kind_rules.fraction(key, choice.text_zh) == 1, choice.text_zh
    written = "\n".join(q.prompt_zh + q.explanation_zh for q in questions)
    for name in ("许洪亮", "伯恩斯", "沃尔夫条款", "嫦娥五号", "嫦娥石"):
        assert name in written, name
