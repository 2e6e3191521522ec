from django.urls import path, re_path

from embeds import views

app_name = "embeds"
urlpatterns = [
    path("lessons/<slug:slug>/", views.lesson_embed, name="lesson_embed"),
    path("lessons/<slug:slug>/start/", views.practice_start, name="practice_start"),
    path("lessons/<slug:slug>/answer/", views.practice_answer, name="practice_answer"),
    path("lessons/<slug:slug>/question/", views.practice_question, name="practice_question"),
    path("lessons/<slug:slug>/finish/", views.practice_finish, name="practice_finish"),
    path("lessons/<slug:slug>/continue/", views.practice_continue, name="practice_continue"),
    # Any other address under /embed/ is a 404 that can still be shown inside the frame.
    re_path(r"^(?P<path>.*/)?$", views.embed_not_found, name="embed_not_found"),
]
