import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    # Chained after the current leaf (0011) rather than 0009 so that the shared tree keeps one leaf and
    # everyone's test database still migrates; the lead may re-chain it.
    dependencies = [
        ("certification", "0011_message_skipped_for_a_void"),
    ]

    operations = [
        migrations.AddField(
            model_name="contactattempt",
            name="contacted_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="contacted at"),
        ),
        # Attempts logged before this field existed were logged as they happened.
        migrations.RunSQL(
            "UPDATE certification_contactattempt SET contacted_at = made_at",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.AlterModelOptions(
            name="contactattempt",
            options={
                "ordering": ["-contacted_at", "-id"],
                "verbose_name": "contact attempt",
                "verbose_name_plural": "contact attempts",
            },
        ),
    ]
