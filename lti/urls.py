from django.urls import path

from lti import views

app_name = "lti"

urlpatterns = [
    path("jwks.json", views.jwks, name="jwks"),
    path("<uuid:registration_uuid>/login/", views.Login.as_view(), name="login"),
    path("launch/", views.Launch.as_view(), name="launch"),
    path("deep-link/", views.deep_link, name="deep_link"),
    path("continue/<uuid:ticket>/", views.continue_launch, name="continue"),
]
