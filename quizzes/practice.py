"""Anonymous practice attempts a browser's session may open: started on the site, or
continued in a tab of its own from an embed."""

SESSION_KEY = "practice_attempts"
KEEP = 20


def remembered_practice_ids(request) -> list[str]:
    return request.session.get(SESSION_KEY, [])


def remember_practice_attempt(request, attempt):
    """Let this browser's session open an anonymous practice attempt (the last 20 kept)."""
    remembered = remembered_practice_ids(request)
    if str(attempt.public_id) not in remembered:
        request.session[SESSION_KEY] = [*remembered[-(KEEP - 1) :], str(attempt.public_id)]
