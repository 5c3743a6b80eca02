"""seed_demo's history gives every certified person a real channel, in a city's proportions."""

import random
from collections import Counter
from datetime import timedelta

from django.utils import timezone

from certification.demo import demo_work_create
from certification.models import Certification, MessageStatus, OutboxMessage, PaymentDecision
from pensioners.models import CertificationState
from pensioners.tests.factories import make_pensioner
from portal.demo import demo_staff_create


def test_the_demo_history_names_a_real_channel_for_everyone_certified(areas, settings):
    settings.SMS_BACKEND = "console"
    demo_staff_create()
    chooser = random.Random(3)
    today = timezone.localdate()
    communities = ["500103003001", "500103003002", "500103003003", "500103001001", "500105001001"]
    for number in range(120):
        make_pensioner(
            name=f"演示{number}",
            community=chooser.choice(communities),
            certified_on=today - timedelta(days=chooser.randrange(0, 500)),
            abroad_country="加拿大" if number % 40 == 0 else "",
        )
    make_pensioner(name="新退休", first_benefit_date=today - timedelta(days=60))

    demo_work_create(seed=3)

    states = CertificationState.objects.exclude(latest_certified_on=None)
    assert states.count() == 120
    assert not states.filter(latest_channel="").exists()
    channels = Counter(states.values_list("latest_channel", flat=True))
    assert channels.most_common(1)[0][0] == "data_match"
    assert {"data_match", "app_self", "app_assisted", "counter"} <= set(channels)
    abroad = CertificationState.objects.exclude(pensioner__abroad_country="").values_list(
        "latest_channel", flat=True
    )
    assert set(abroad) <= {"consular_paper", "abroad_app"}
    # One certification per person with a date, and one more today for the demo's resumed person (a
    # suspension approved "last summer", certified at the counter so a resumption waits for approval).
    resumed = PaymentDecision.objects.filter(kind="resume").count()
    assert resumed <= 1 and Certification.objects.count() == 120 + resumed
    # Past history does not queue 120 confirmation texts to send today.
    assert OutboxMessage.objects.filter(status=MessageStatus.QUEUED).count() < 20
