"""SMS texts and reminder stages as pure functions: which stage a person is in, and what the text says.

The public is warned about fake SMS, so our texts carry no links and never ask for codes or money.
"""

from __future__ import annotations

import math
import re
from datetime import date

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from certification.reminders.rules import LINK, PHONE, WECHAT, forbidden_contacts, normalise
from portal.masking import mask_name

CONFIRMATION_DATA_MATCH = "confirmation_data_match"
CONFIRMATION = "confirmation"
FIRST_REMINDER = "first_reminder"
FINAL_REMINDER = "final_reminder"
OVERDUE_NOTICE = "overdue_notice"
SUSPENSION_NOTICE = "suspension_notice"

# The one real text we know (domain.md), and ours in the same register.
DEFAULT_TEMPLATES = {
    CONFIRMATION_DATA_MATCH: (
        "{signature}{name},您好,社保经办机构通过大数据比对为您办理了养老待遇资格认证,认证期自动递延12个月,"
        "您可于{deadline}前办理下次认证。"
    ),
    CONFIRMATION: (
        "{signature}{name},您好,您已通过{channel}完成养老待遇资格认证,认证期自动递延12个月,"
        "您可于{deadline}前办理下次认证。"
    ),
    FIRST_REMINDER: (
        '{signature}{name},您好,您的养老待遇资格认证期将于{deadline}到期,请通过"重庆人社"APP、就近社保所办理,'
        "或拨打12333预约上门认证。"
    ),
    FINAL_REMINDER: (
        '{signature}{name},您好,您的养老待遇资格认证期将于{deadline}到期,仅剩{days_left}天,请尽快通过"重庆人社"APP、'
        "就近社保所办理,或拨打12333预约上门认证。"
    ),
    OVERDUE_NOTICE: (
        '{signature}{name},您好,您的养老待遇资格认证期已于{deadline}到期,请尽快通过"重庆人社"APP、就近社保所办理,'
        "行动不便可拨打12333预约上门认证。逾期未认证将暂停发放养老金。"
    ),
    SUSPENSION_NOTICE: (
        "{signature}{name},您好,因未按期完成养老待遇资格认证,您的养老金自{month}起暂停发放。完成认证后将恢复发放"
        "并补发暂停期间待遇,咨询请拨打12333。"
    ),
}
TEMPLATE_LABELS = {
    CONFIRMATION_DATA_MATCH: _("Confirmation after data comparison"),
    CONFIRMATION: _("Confirmation after other channels"),
    FIRST_REMINDER: _("First reminder (30 days before)"),
    FINAL_REMINDER: _("Final reminder (7 days before)"),
    OVERDUE_NOTICE: _("Overdue notice (day after the deadline)"),
    SUSPENSION_NOTICE: _("Suspension notice"),
}
ALLOWED_PLACEHOLDERS = {"signature", "name", "deadline", "channel", "days_left", "month"}
REQUIRED_PLACEHOLDERS = {
    CONFIRMATION_DATA_MATCH: {"signature", "name", "deadline"},
    CONFIRMATION: {"signature", "name", "deadline", "channel"},
    FIRST_REMINDER: {"signature", "name", "deadline"},
    FINAL_REMINDER: {"signature", "name", "deadline"},
    OVERDUE_NOTICE: {"signature", "name", "deadline"},
    SUSPENSION_NOTICE: {"signature", "name", "month"},
}
# How each channel is named in a confirmation (SMS are always Chinese).
CHANNEL_WORDS = {
    "data_match": "大数据比对",
    "app_self": '"重庆人社"APP本人认证',
    "app_assisted": '"重庆人社"APP帮你认',
    "other_app": "手机应用认证",
    "counter": "社保经办窗口现场认证",
    "home_visit": "上门认证",
    "abroad_app": '"中国领事"APP境外认证',
    "consular_paper": "境外纸质表格认证",
}
_FORBIDDEN_WORDS = ("验证码", "转账", "汇款", "缴费", "付款", "银行卡号", "密码", "点击链接")
_PLACEHOLDER = re.compile(r"{(\w*)}")
_CONTACT_PROBLEMS = {
    LINK: _(
        "Texts must not contain links or web addresses (found: %(found)s): the public is warned that SMS "
        "with links are fraud."
    ),
    WECHAT: _("Texts must not contain WeChat IDs (found: %(found)s): people are told to trust only 12333."),
    PHONE: _("Texts must not contain phone numbers other than the 12333 hotline (found: %(found)s)."),
}
SEGMENT_CHARACTERS = 70  # one SMS carries 70 Chinese characters; longer texts go in parts of 67
PART_CHARACTERS = 67


def chinese_date(day: date) -> str:
    """2024-10-06 -> 2024年10月6日, as the real SMS writes it."""
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_month(day: date) -> str:
    return f"{day.year}年{day.month}月"


def stage_on(deadline: date, today: date) -> str | None:
    """The reminder stage a person with this deadline is in today, or None before the first reminder."""
    days_left = (deadline - today).days
    if days_left < -(settings.REMINDER_OVERDUE_DAYS_AFTER - 1):
        return OVERDUE_NOTICE
    if days_left <= settings.REMINDER_FINAL_DAYS_BEFORE:
        return FINAL_REMINDER if days_left >= 0 else None
    if days_left <= settings.REMINDER_FIRST_DAYS_BEFORE:
        return FIRST_REMINDER
    return None


def template_key_for(stage: str, channel: str = "") -> str:
    if stage == CONFIRMATION and channel == "data_match":
        return CONFIRMATION_DATA_MATCH
    return stage


def render(
    text: str,
    *,
    name: str,
    deadline: date | None,
    channel: str = "",
    today: date | None = None,
    month: date | None = None,
) -> str:
    values = {
        "signature": settings.SMS_SIGNATURE,
        "name": mask_name(name),
        "deadline": chinese_date(deadline) if deadline else "",
        "channel": CHANNEL_WORDS.get(channel, ""),
        "days_left": str((deadline - today).days) if deadline and today else "",
        "month": chinese_month(month) if month else "",
    }
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def template_problems(key: str, text: str) -> list[str]:
    """What is wrong with an edited template (empty list: it may be saved)."""
    problems = []
    used = set(_PLACEHOLDER.findall(text))
    unknown = used - ALLOWED_PLACEHOLDERS
    if unknown:
        problems.append(
            _("Unknown placeholders: %(names)s.")
            % {"names": ", ".join("{" + name + "}" for name in sorted(unknown))}
        )
    missing = REQUIRED_PLACEHOLDERS.get(key, set()) - used
    if missing:
        problems.append(
            _("Missing placeholders: %(names)s.")
            % {"names": ", ".join("{" + name + "}" for name in sorted(missing))}
        )
    # A placeholder stands for a word: {name}.com would send 王xx.com.
    checked = _PLACEHOLDER.sub("x", text)
    findings = forbidden_contacts(checked, signature=settings.SMS_SIGNATURE)
    for kind, message in _CONTACT_PROBLEMS.items():
        found = [finding.found for finding in findings if finding.kind == kind]
        if found:
            problems.append(message % {"found": "、".join(found)})
    plain = "".join(normalise(text).split())
    found = [word for word in _FORBIDDEN_WORDS if word in plain]
    if found:
        problems.append(
            _("Texts must never ask for codes or money (found: %(words)s).") % {"words": "、".join(found)}
        )
    return problems


def segments(text: str) -> int:
    """How many SMS a text takes (Chinese: 70 characters in one, else parts of 67)."""
    length = len(text)
    return 1 if length <= SEGMENT_CHARACTERS else math.ceil(length / PART_CHARACTERS)
