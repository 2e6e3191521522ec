from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # The database cache (settings.CACHES when no REDIS_URL is set) needs this table, and
    # `migrate` is the one setup step every machine, test database and deploy runs. Made
    # whatever CACHES says now: a server may run without REDIS_URL later. Skips if present.
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, "orbit_cache", dry_run=False)


class Migration(migrations.Migration):
    dependencies = [("classrooms", "0003_teachers_group")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
