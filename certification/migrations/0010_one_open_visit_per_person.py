"""At most one open home visit per person.

Before the constraint, two simultaneous requests could open two visits for one person. Any such doubles
already in the database are closed first (the oldest open visit is kept, the later ones cancelled with a
note), so the constraint can always be created.
"""

from django.conf import settings
from django.db import migrations, models
from django.utils import translation
from django.utils.translation import gettext

CANCEL_DOUBLES = """
UPDATE certification_homevisit v
SET status = 'cancelled', outcome_note = %s, closed_at = now()
WHERE v.status IN ('requested', 'scheduled')
  AND EXISTS (SELECT 1 FROM certification_homevisit older
              WHERE older.pensioner_id = v.pensioner_id AND older.status IN ('requested', 'scheduled')
                AND older.id < v.id)
"""


def cancel_doubles(apps, schema_editor):
    with translation.override(settings.LANGUAGE_CODE):
        note = gettext("Duplicate request: another visit for this person was already open.")
    schema_editor.execute(CANCEL_DOUBLES, [note])


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0009_certification_references_checked_by_the_app"),
    ]

    operations = [
        migrations.RunPython(cancel_doubles, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="homevisit",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["requested", "scheduled"])),
                fields=("pensioner",),
                name="one_open_visit_per_person",
            ),
        ),
    ]
