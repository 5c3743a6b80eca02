"""For each URL with parameters: build a record in 江北区 (500105) and return the URL's kwargs.

The `staff` fixture's 渝中区 users must not see any of these.
"""

from datetime import date

from certification.decisions.services import death_case_open, extension_propose, stop_propose
from certification.models import EvidenceFile, VisitTeam
from certification.tests.helpers import record_counter
from certification.visits.services import home_visit_request, home_visit_schedule
from pensioners.models import Area
from pensioners.tests.factories import make_pensioner
from portal.models import ExportJob, ImportJob


def _pensioner_elsewhere(staff):
    return {"pk": make_pensioner(name="江北人", community="500105001001").pk}


def _import_job(staff):
    # Imports are city-wide files: only the city administrator sees them.
    job = ImportJob.objects.create(
        kind="roster", original_name="x.csv", created_by=staff["admin"], rejects_file="x.csv"
    )
    return {"pk": job.pk}


def _certification_elsewhere(staff):
    person = make_pensioner(name="江北人", community="500105001001")
    return record_counter(person, staff["other_street"], date(2026, 1, 5))


def _certification(staff):
    return {"pk": _certification_elsewhere(staff).pk}


def _evidence_file(staff):
    certification = _certification_elsewhere(staff)
    stored = EvidenceFile.objects.create(
        certification=certification,
        file="evidence/x.pdf",
        original_name="x.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        uploaded_by=staff["other_street"],
    )
    return {"pk": stored.pk}


def _export_job(staff):
    # A finished export of someone in 江北区: only its owner, in scope, may see or download it.
    job = ExportJob.objects.create(
        path="/certification/overdue/",
        query="_export=csv",
        export_format="csv",
        filename="queue-overdue",
        area_code="500105001",
        status="done",
        file="exports/x.csv",
        created_by=staff["other_street"],
    )
    return {"pk": job.pk}


def _visit(staff):
    person = make_pensioner(name="江北人", community="500105001001")
    team = VisitTeam.objects.create(name="华新街一组", street_id="500105001")
    visit, _ = home_visit_request(
        pensioner=person, actor=staff["other_street"], requested_via="family", reason="age"
    )
    home_visit_schedule(visits=[visit], team=team, visit_date=date.today(), actor=staff["other_street"])
    return {"pk": visit.pk}


def _staff_elsewhere(staff):
    return {"pk": staff["other_street"].pk}


def _team_elsewhere(staff):
    return {"pk": VisitTeam.objects.create(name="华新街二组", street_id="500105001").pk}


def _death_case(staff):
    person = make_pensioner(name="江北人", community="500105001001")
    case, _ = death_case_open(pensioner=person, origin="contact", actor=staff["other_street"])
    return {"pk": case.pk}


def _batch_elsewhere(staff):
    person = make_pensioner(name="江北人", community="500105001001")
    batch = stop_propose(
        actor=staff["other_street"],
        pensioner=person,
        reference="(2026)渝0105刑初1号",
        court_date=date(2026, 1, 5),
    )
    return {"pk": batch.pk}


def _payment_file_elsewhere(staff):
    return {**_batch_elsewhere(staff), "file_format": "csv"}


def _extension_elsewhere(staff):
    extension = extension_propose(
        actor=staff["other_supervisor"],
        area=Area.objects.get(pk="500105"),
        due_from=date(2026, 7, 1),
        due_until=date(2026, 7, 31),
        days=30,
        reason="洪水",
    )
    return {"pk": extension.pk}


def _state_elsewhere(staff):
    return {"pensioner_id": make_pensioner(name="江北人", community="500105001001").pk}


def _channel_client(staff):
    from certification.api.services import channel_client_create

    client, _token = channel_client_create(
        actor=staff["admin"], name="境外网关", channels=["abroad_app"], scopes=[]
    )
    return {"pk": client.pk}


def _review_elsewhere(staff):
    from django.utils import timezone

    from certification.api.models import ChannelRecord, RecordStatus, ReviewStatus

    person = make_pensioner(community="500105001001", name="江北人")
    client, _token = channel_client_create_for_tests()
    record = ChannelRecord.objects.create(
        client=client,
        reference="ELSEWHERE-1",
        received_at=timezone.now(),
        status=RecordStatus.PENDING_REVIEW,
        channel="abroad_app",
        pensioner=person,
        area_code=person.community_id,
        certified_on=timezone.localdate(),
        review_status=ReviewStatus.PENDING,
    )
    return {"pk": record.pk}


def channel_client_create_for_tests():
    from certification.api.services import channel_client_create

    return channel_client_create(actor=None, name="测试网关", channels=["abroad_app"], scopes=[])


OUT_OF_SCOPE_BUILDERS: dict = {
    "channel-client": _channel_client,
    "channel-review": _review_elsewhere,
    "decision-batch": _batch_elsewhere,
    "decision-batch-decide": _batch_elsewhere,
    "payment-file": _payment_file_elsewhere,
    "payment-stop": _state_elsewhere,
    "suspension-exclude": _state_elsewhere,
    "deadline-extension": _extension_elsewhere,
    "pensioner-card": _pensioner_elsewhere,
    "pensioner-edit": _pensioner_elsewhere,
    "pensioner-reveal": _pensioner_elsewhere,
    "import-job": _import_job,
    "import-job-rejects": _import_job,
    "import-job-again": _import_job,
    "import-job-credentials": _import_job,
    "staff-detail": _staff_elsewhere,
    "staff-disable": _staff_elsewhere,
    "staff-temporary-password": _staff_elsewhere,
    "staff-enable": _staff_elsewhere,
    "staff-reset-password": _staff_elsewhere,
    "staff-reset-second-factor": _staff_elsewhere,
    "visit-team": _team_elsewhere,
    "record-counter": _pensioner_elsewhere,
    "record-home-visit": _pensioner_elsewhere,
    "record-consular": _pensioner_elsewhere,
    "certification-receipt": _certification,
    "certification-void": _certification,
    "evidence-file": _evidence_file,
    "contact-attempt": _pensioner_elsewhere,
    "home-visit-request": _pensioner_elsewhere,
    "home-visit": _visit,
    "home-visit-outcome": _visit,
    "home-visit-certify": _visit,
    "home-visit-cancel": _visit,
    "death-case": _death_case,
    "export-job": _export_job,
    "export-job-download": _export_job,
}


# URLs whose parameter names something city-wide, not a record of an area: the role decides (tested with
# 403 elsewhere); anonymous visitors still get the login page.
CITY_WIDE_PARAMETERS: dict = {
    "message-template-edit": {"key": "first_reminder"},
    "data-source-edit": {"pk": 1},
}
