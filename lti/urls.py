from django.urls import path

from lti import views

app_name = "lti"

urlpatterns = [
    path("jwks.json", views.jwks, name="jwks"),
    # An LMS names its registration by issuer and client id; the address with the
    # registration's UUID serves LMSs that send no client id with the login.
    path("login/", views.Login.as_view(), name="login_any"),
    path("<uuid:registration_uuid>/login/", views.Login.as_view(), name="login"),
    path("launch/", views.Launch.as_view(), name="launch"),
    path("deep-link/", views.deep_link, name="deep_link"),
    path("continue/<uuid:ticket>/", views.continue_launch, name="continue"),
    # The quiz in the LMS's frame: every request a POST carrying the attempt's token.
    path("attempt/question/", views.attempt_question, name="attempt_question"),
    path("attempt/answer/", views.attempt_answer, name="attempt_answer"),
    path("attempt/submit/", views.attempt_submit, name="attempt_submit"),
]
