from datetime import date

from django.urls import reverse

from pensioners.models import CertificationState, Pensioner
from pensioners.tests.factories import make_pensioner
from portal.models import AuditEvent


def form_data(**overrides):
    data = {
        "id_number": "11010519491231002x",
        "name": "李秀英",
        "phone": "138 0000 1111",
        "alternate_phone": "",
        "address": "重庆市渝中区民生路8号",
        "community": "500103003001",
        "abroad_country": "",
        "home_service_reason": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-scheme": "enterprise",
        "lines-0-first_benefit_date": "2010-03-01",
        "lines-0-monthly_amount": "3000.00",
    }
    data.update(overrides)
    return data


def test_registering_a_pensioner_sets_the_first_deadline_from_the_first_payment(client_for, staff):
    response = client_for(staff["street"]).post(
        reverse("pensioner-create"), form_data(**{"lines-0-first_benefit_date": "2026-03-01"})
    )
    pensioner = Pensioner.objects.get()
    assert response.status_code == 302
    assert pensioner.id_number == "11010519491231002X"
    assert (pensioner.gender, pensioner.birth_date) == ("F", date(1949, 12, 31))
    assert pensioner.phone == "13800001111"
    assert (pensioner.name_pinyin, pensioner.name_initials) == ("lixiuying", "lxy")
    assert CertificationState.objects.get(pensioner=pensioner).next_due_on == date(2027, 3, 1)
    assert AuditEvent.objects.filter(action="pensioner.created", object_id=str(pensioner.pk)).exists()


def test_a_bad_id_number_is_explained_and_what_was_typed_is_kept(client_for, staff):
    response = client_for(staff["street"]).post(
        reverse("pensioner-create"), form_data(id_number="440308199901101513")
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "校验码错误" in body
    assert 'value="440308199901101513"' in body
    assert 'value="李秀英"' in body
    assert not Pensioner.objects.exists()


def test_a_duplicate_id_number_is_refused(client_for, staff):
    make_pensioner(id_number="11010519491231002X")
    response = client_for(staff["street"]).post(reverse("pensioner-create"), form_data())
    assert "该身份证号已登记" in response.content.decode()
    assert Pensioner.objects.count() == 1


def test_a_community_outside_the_scope_cannot_be_chosen(client_for, staff):
    response = client_for(staff["street"]).post(
        reverse("pensioner-create"), form_data(community="500105001001")
    )
    assert response.status_code == 400
    assert not Pensioner.objects.exists()


def test_a_future_first_benefit_date_is_refused(client_for, staff):
    response = client_for(staff["street"]).post(
        reverse("pensioner-create"), form_data(**{"lines-0-first_benefit_date": "2099-01-01"})
    )
    assert "首次领取日期不能晚于今天" in response.content.decode()


def test_editing_records_before_and_after_in_the_audit_log(client_for, staff):
    pensioner = make_pensioner(name="李秀英", phone="13800001111")
    line = pensioner.benefit_lines.get()
    data = form_data(
        phone="13900002222",
        **{
            "lines-INITIAL_FORMS": "1",
            "lines-0-id": str(line.pk),
            "lines-0-pensioner": str(pensioner.pk),
            "lines-0-first_benefit_date": "2010-01-01",
        },
    )
    del data["id_number"]
    response = client_for(staff["street"]).post(reverse("pensioner-edit", args=[pensioner.pk]), data)
    assert response.status_code == 302
    pensioner.refresh_from_db()
    assert pensioner.phone == "13900002222"
    event = AuditEvent.objects.get(action="pensioner.changed")
    assert event.before["phone"] == "13800001111" and event.after["phone"] == "13900002222"


def test_moving_community_moves_the_person_between_queues(client_for, staff):
    pensioner = make_pensioner(name="李秀英")
    line = pensioner.benefit_lines.get()
    data = form_data(
        community="500103003002",
        **{
            "lines-INITIAL_FORMS": "1",
            "lines-0-id": str(line.pk),
            "lines-0-pensioner": str(pensioner.pk),
            "lines-0-first_benefit_date": "2010-01-01",
        },
    )
    del data["id_number"]
    client_for(staff["street"]).post(reverse("pensioner-edit", args=[pensioner.pk]), data)
    assert CertificationState.objects.get(pensioner=pensioner).area_code == "500103003002"
