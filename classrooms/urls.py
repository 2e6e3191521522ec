from django.urls import path

from classrooms import views

app_name = "classrooms"
urlpatterns = [
    path("join/", views.join, name="join"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("assignments/<int:pk>/start/", views.assignment_start, name="assignment_start"),
]
