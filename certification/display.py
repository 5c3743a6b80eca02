"""What recording and work screens show about a person: enough to be sure it is them, no more."""

from django.utils import timezone

from pensioners.models import Pensioner
from pensioners.rules import age_on
from portal.masking import mask_id_number


def person_summary(pensioner: Pensioner) -> dict:
    return {
        "pensioner": pensioner,
        "masked_id": mask_id_number(pensioner.id_number),
        "age": age_on(pensioner.birth_date, timezone.localdate()),
        "home": f"{pensioner.community.parent.name}{pensioner.community.name}",
        "state": pensioner.state,
    }
