from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # The database cache (used when no REDIS_URL is set) needs its table; `migrate` is the one
    # setup step every machine, test database and deploy already runs. A no-op with Redis.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("classrooms", "0003_teachers_group")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
