from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from lessons.models import Lesson


@require_GET
def lesson_list(request):
    lessons = Lesson.objects.prefetch_related("quizzes")
    return render(request, "lessons/lesson_list.html", {"lessons": lessons})


@require_GET
def lesson_detail(request, slug):
    lesson = get_object_or_404(Lesson.objects.prefetch_related("sections", "quizzes"), slug=slug)
    return render(request, "lessons/lesson_detail.html", {"lesson": lesson})
