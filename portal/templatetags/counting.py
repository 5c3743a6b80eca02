"""{{ count|count_text }}: "10,000+" for a count that reached its cap, the number otherwise."""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

from portal.counting import is_capped

register = template.Library()


@register.filter
def count_text(value):
    if is_capped(value):
        return f"{intcomma(int(value))}+"
    return value
