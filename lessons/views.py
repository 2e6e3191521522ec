from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from lessons.bilingual import CHINESE, ENGLISH
from lessons.models import Lesson


@require_GET
def lesson_list(request):
    lessons = Lesson.objects.prefetch_related("quizzes")
    return render(request, "lessons/lesson_list.html", {"lessons": lessons})


@require_GET
def lesson_detail(request, slug):
    lesson = get_object_or_404(Lesson.objects.prefetch_related("sections", "quizzes"), slug=slug)
    # ?languages=both: each section in English beside its Chinese; otherwise in the page's
    # language (None: the page's, falling back to English where there is no Chinese).
    both = request.GET.get("languages") == "both"
    context = {
        "lesson": lesson,
        "both_languages": both,
        "shown_languages": [ENGLISH, CHINESE] if both else [None],
    }
    return render(request, "lessons/lesson_detail.html", context)
