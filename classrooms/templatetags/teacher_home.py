from django import template

from classrooms.teacher_home import RECENT, teacher_home

register = template.Library()


@register.inclusion_tag("admin/teacher_home.html", takes_context=True)
def teacher_home_section(context):
    """The teacher's work at the top of the admin's home page (like the admin's own
    get_admin_log, which lists the user's recent actions beside it)."""
    return {"home": teacher_home(context["request"].user), "recent_days": RECENT.days}
