from django.urls import path

from lessons import views

app_name = "lessons"
urlpatterns = [
    path("", views.lesson_list, name="lesson_list"),
    path("lessons/<slug:slug>/", views.lesson_detail, name="lesson_detail"),
]
