"""The "Teachers" group: exactly the permissions a teacher needs in the admin.

Which rows a teacher reaches (their own classes and their students' attempts) is the
admin's business; these permissions say which kinds of rows and what they may do.
No auth.user permissions: teachers manage their roster from the class page.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TEACHERS = "Teachers"
PERMISSIONS = {
    # Shared content: write but never delete, since attempts and other classes use it.
    "lessons": {"lesson": "add change view", "section": "add change view"},
    "quizzes": {
        "quiz": "add change view",
        "question": "add change view",
        # A wrong option may be removed from a key (then regraded); a question may not.
        "choice": "add change delete view",
        # Attempts are the students' own work: read them, change only scores.
        "attempt": "view",
        "response": "change view",
        "scorechange": "view",
    },
    "classrooms": {
        "classroom": "add change delete view",
        "enrollment": "add delete view",
        "assignment": "add change delete view",
        "override": "add change delete view",
    },
}


def create_teachers_group(apps, schema_editor):
    # On a new database the permissions appear only after all migrations; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=TEACHERS)
    wanted = [
        Permission.objects.get(
            content_type__app_label=app_label,
            content_type__model=model,
            codename=f"{action}_{model}",
        )
        for app_label, models in PERMISSIONS.items()
        for model, actions in models.items()
        for action in actions.split()
    ]
    group.permissions.set(wanted)


def delete_teachers_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=TEACHERS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("classrooms", "0002_initial"),
        ("lessons", "0001_initial"),
        ("quizzes", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_teachers_group, delete_teachers_group)]
