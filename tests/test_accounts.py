import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command


@pytest.mark.django_db
def test_demo_accounts_can_log_in_with_the_printed_passwords(client, capsys):
    call_command("demo_accounts")
    output = capsys.readouterr().out
    for username in ("demo-teacher", "demo-student"):
        password = output.split(f"username: {username}  password: ")[1].split()[0]
        assert client.login(username=username, password=password)
    assert get_user_model().objects.get(username="demo-teacher").is_staff
    assert not get_user_model().objects.get(username="demo-student").is_staff


@pytest.mark.django_db
def test_login_page_works(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert 'name="username"' in response.text


@pytest.mark.django_db
def test_no_password_reset_by_email_that_anyone_could_trigger(client):
    # Teachers reset students' passwords in the admin; an open reset form could flood inboxes.
    assert client.get("/accounts/password_reset/").status_code == 404
    assert client.post("/accounts/password_reset/", {"email": "a@b.example"}).status_code == 404
