"""Home visits in a real browser, as staff work them: the planner ticks requests and schedules them, the
visitor sees them on the phone list and the sheet; a certification elsewhere calls a visit off on the
visitor's list; a 5 MB phone photo and an iPhone HEIC go through the visitor's certification form."""

import io
import random
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from browser_tests.conftest import DESKTOP, PHONE
from certification.models import Certification, Channel, EvidenceFile, HomeVisit, VisitTeam
from certification.recording.photos import PHOTO_LONG_EDGE
from certification.visits.services import certified_elsewhere_note, home_visit_request, home_visit_schedule
from pensioners.tests.factories import make_pensioner
from portal.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.usefixtures("transactional_db")


@pytest.fixture
def team(areas, staff):
    team = VisitTeam.objects.create(name="解放碑一组", street=areas["500103003"])
    team.members.add(staff["visit"])
    return team


def request_visit(staff, name: str, number: int) -> HomeVisit:
    person = make_pensioner(
        name=name,
        male=number % 2 == 0,
        born=timezone.localdate().replace(year=1940, month=1, day=number + 1),
        certified_on=timezone.localdate() - timedelta(days=300),
        address=f"重庆市渝中区民生路{number + 8}号",
    )
    visit, _created = home_visit_request(
        pensioner=person, actor=staff["street"], requested_via="hotline", reason="illness"
    )
    return visit


def test_the_planner_ticks_requests_and_the_visitor_finds_them_on_the_list_and_the_sheet(
    staff, team, new_page, log_in, live_server
):
    for number, name in enumerate(["刘奶奶", "陈大爷", "王婆婆"]):
        request_visit(staff, name, number)
    day = (timezone.localdate() + timedelta(days=1)).isoformat()
    page = new_page(DESKTOP)
    log_in(page, "t_street", TEST_PASSWORD)
    page.goto(f"{live_server.url}/certification/visits/")
    page.check("tr:has-text('刘奶奶') input[name=select]")
    page.check("tr:has-text('陈大爷') input[name=select]")
    page.select_option("#id_team", label="解放碑一组")
    page.fill("#id_visit_date", day)
    page.click("[data-testid=schedule-form] button[type=submit]")
    page.wait_for_load_state()
    assert "请至少选择一项" not in page.content()
    assert page.locator("tr:has-text('刘奶奶')").inner_text().count("解放碑一组") == 1

    phone = new_page(PHONE)
    log_in(phone, "t_visit", TEST_PASSWORD)
    phone.goto(f"{live_server.url}/certification/visits/mine/?date={day}")
    listed = phone.locator("[data-testid=my-visits]").inner_text()
    assert "刘奶奶" in listed and "陈大爷" in listed and "王婆婆" not in listed
    phone.goto(f"{live_server.url}/certification/visits/sheet/?team={team.pk}&date={day}")
    sheet = phone.locator("[data-testid=visit-sheet]").inner_text()
    assert "刘奶奶" in sheet and "陈大爷" in sheet and "王婆婆" not in sheet
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_select_all_ticks_every_row_and_schedules_them(staff, team, new_page, log_in, live_server):
    for number, name in enumerate(["刘奶奶", "陈大爷", "王婆婆"]):
        request_visit(staff, name, number)
    day = (timezone.localdate() + timedelta(days=2)).isoformat()
    page = new_page(DESKTOP)
    log_in(page, "t_street", TEST_PASSWORD)
    page.goto(f"{live_server.url}/certification/visits/")
    page.check("thead input[type=checkbox]")
    assert page.locator("input[name=select]:checked").count() == 3
    page.select_option("#id_team", label="解放碑一组")
    page.fill("#id_visit_date", day)
    page.click("[data-testid=schedule-form] button[type=submit]")
    page.wait_for_load_state()
    phone = new_page(PHONE)
    log_in(phone, "t_visit", TEST_PASSWORD)
    phone.goto(f"{live_server.url}/certification/visits/mine/?date={day}")
    assert phone.locator("[data-testid=my-visits] a.list-group-item").count() == 3


def test_a_counter_certification_calls_off_the_visit_on_the_visitors_list(
    staff, team, new_page, log_in, live_server
):
    visit = request_visit(staff, "刘奶奶", 0)
    day = timezone.localdate() + timedelta(days=1)
    home_visit_schedule(visits=[visit], team=team, visit_date=day, actor=staff["street"])
    page = new_page(DESKTOP)
    log_in(page, "t_street", TEST_PASSWORD)
    page.goto(f"{live_server.url}/certification/counter/")
    page.fill("#id_id_number", visit.pensioner.id_number)
    page.click("[data-testid=counter-lookup] button")
    page.wait_for_selector("[data-testid=person-summary]")
    page.check("input[name=id_document][value=id_card]")
    page.check("input[name=method][value=face]")
    page.click("[data-testid=record-form] button[type=submit]")
    page.wait_for_selector("[data-testid=receipt]")

    note = certified_elsewhere_note(
        channel_label=str(Channel.COUNTER.label), certified_on=timezone.localdate()
    )
    phone = new_page(PHONE)
    log_in(phone, "t_visit", TEST_PASSWORD)
    phone.goto(f"{live_server.url}/certification/visits/mine/?date={day.isoformat()}")
    assert phone.locator("[data-testid=visit-closed-note]").inner_text() == note
    page.goto(f"{live_server.url}/certification/visits/?status=cancelled")
    assert note in page.locator("tr:has-text('刘奶奶')").inner_text()


def big_phone_jpeg() -> bytes:
    rng = random.Random(3)
    picture = Image.frombytes("RGB", (1000, 750), rng.randbytes(1000 * 750 * 3)).resize((4000, 3000))
    for quality in (90, 95, 98, 100):
        output = io.BytesIO()
        picture.save(output, "JPEG", quality=quality)
        if output.tell() >= 5 * 1024 * 1024:
            return output.getvalue()
    raise AssertionError("could not make a 5 MB JPEG")


def iphone_heic() -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    rng = random.Random(5)
    picture = Image.frombytes("RGB", (160, 120), rng.randbytes(160 * 120 * 3)).resize((640, 480))
    output = io.BytesIO()
    picture.save(output, "HEIF", quality=60)
    return output.getvalue()


@pytest.mark.parametrize(
    ("file_name", "make", "input_selector"),
    [
        ("IMG_0001.JPG", big_phone_jpeg, "[data-testid=camera-photo]"),
        ("IMG_0002.HEIC", iphone_heic, "#id_photo"),
    ],
)
def test_the_visitor_certifies_at_the_door_with_a_phone_photo(
    staff, team, new_page, log_in, live_server, tmp_path, settings, file_name, make, input_selector
):
    settings.MEDIA_ROOT = tmp_path / "media"
    visit = request_visit(staff, "刘奶奶", 0)
    home_visit_schedule(visits=[visit], team=team, visit_date=timezone.localdate(), actor=staff["street"])
    photo = tmp_path / file_name
    photo.write_bytes(make())
    page = new_page(PHONE)
    log_in(page, "t_visit", TEST_PASSWORD)
    page.goto(f"{live_server.url}/certification/visits/mine/")
    page.get_by_text("刘奶奶").click()
    page.click("[data-testid=certify-here]")
    page.wait_for_selector("[data-testid=record-form]")
    assert page.locator("[data-testid=camera-photo]").get_attribute("capture") == "environment"
    page.fill("#id_signer", "本人")
    page.set_input_files(input_selector, str(photo))
    page.click("[data-testid=record-form] button[type=submit]")
    page.wait_for_url("**/visits/mine/")
    visit.refresh_from_db()
    assert (visit.status, visit.outcome) == ("visited", "certified")
    stored = EvidenceFile.objects.get(certification=Certification.objects.get(pensioner=visit.pensioner))
    assert stored.content_type == "image/jpeg" and stored.original_name.endswith(".jpg")
    if file_name.endswith(".JPG"):
        assert stored.size < photo.stat().st_size / 2
    with Image.open(stored.file.path) as image:
        assert image.format == "JPEG" and max(image.size) <= PHOTO_LONG_EDGE
