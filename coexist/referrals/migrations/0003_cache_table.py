"""The shared cache table (settings.CACHES, DatabaseCache) that the self-referral rate limit counts in.

Created by a migration so a fresh clone, `make run` and the test database all have it without a
separate `createcachetable` step. `createcachetable` does nothing if the table exists, or if the
configured cache is not a database cache.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0002_triage_decline_history_drop_in")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
