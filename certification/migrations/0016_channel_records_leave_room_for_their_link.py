"""Channel records leave a fifth of each page free: the batch writes each accepted record's certification
id into it right after inserting it, and with room on the page that update is a HOT update (no index
entries, little WAL) instead of a new row version everywhere (bench/results/api_findings.md)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("certification", "0015_channel_api")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE certification_channelrecord SET (fillfactor = 80)",
            reverse_sql="ALTER TABLE certification_channelrecord RESET (fillfactor)",
        ),
    ]
