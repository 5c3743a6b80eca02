"""For each URL with parameters: build a record in 江北区 (500105) and return the URL's kwargs.

The `staff` fixture's 渝中区 users must not see any of these.
"""

from pensioners.tests.factories import make_pensioner
from portal.models import ImportJob


def _pensioner_elsewhere(staff):
    return {"pk": make_pensioner(name="江北人", community="500105001001").pk}


def _import_job(staff):
    # Imports are city-wide files: only the city administrator sees them.
    job = ImportJob.objects.create(
        kind="roster", original_name="x.csv", created_by=staff["admin"], rejects_file="x.csv"
    )
    return {"pk": job.pk}


OUT_OF_SCOPE_BUILDERS: dict = {
    "pensioner-card": _pensioner_elsewhere,
    "pensioner-edit": _pensioner_elsewhere,
    "pensioner-reveal": _pensioner_elsewhere,
    "import-job": _import_job,
    "import-job-rejects": _import_job,
}
