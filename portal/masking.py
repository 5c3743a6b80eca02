"""Masking personal data for lists and exports (domain.md, "Privacy")."""


def mask_id_number(number: str) -> str:
    """500103194702141029 -> 500103********1029: area kept, birth date and sequence hidden."""
    if not number:
        return ""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str) -> str:
    """13812341234 -> 138****1234; short numbers keep only their last four digits."""
    if not phone:
        return ""
    if len(phone) >= 11:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return "*" * max(0, len(phone) - 4) + phone[-4:]


def mask_name(name: str) -> str:
    """王建国 -> 王xx, as the real 12333 SMS writes it."""
    return (name[:1] + "xx") if name else ""
