from django.urls import path

from quizzes import views

app_name = "quizzes"
urlpatterns = [
    path("quizzes/<slug:slug>/", views.quiz_detail, name="quiz_detail"),
    path("quizzes/<slug:slug>/start/", views.quiz_start, name="quiz_start"),
    path("attempts/", views.my_attempts, name="attempt_list"),
    path("attempts/<uuid:public_id>/", views.attempt_detail, name="attempt_detail"),
    path(
        "attempts/<uuid:public_id>/questions/<int:number>/",
        views.attempt_question,
        name="attempt_question",
    ),
    path(
        "attempts/<uuid:public_id>/questions/<int:number>/flag/",
        views.attempt_flag,
        name="attempt_flag",
    ),
    path("attempts/<uuid:public_id>/summary/", views.attempt_summary, name="attempt_summary"),
    path("attempts/<uuid:public_id>/submit/", views.attempt_submit, name="attempt_submit"),
    path("attempts/<uuid:public_id>/results/", views.attempt_results, name="attempt_results"),
]
