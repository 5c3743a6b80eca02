"""The registry: areas and pensioners."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaLevel(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District / county")
    STREET = "street", _("Street / town")
    COMMUNITY = "community", _("Community / village")


class AreaQuerySet(models.QuerySet):
    def within(self, area) -> "AreaQuerySet":
        return self.filter(code__startswith=area.scope_prefix)

    def visible_to_visitor(self, user) -> "AreaQuerySet":
        return self.filter(code=user.area_id)

    def streets(self) -> "AreaQuerySet":
        return self.filter(level=AreaLevel.STREET)

    def communities(self) -> "AreaQuerySet":
        return self.filter(level=AreaLevel.COMMUNITY)


class Area(models.Model):
    """A node of the division tree: city (500000), district (6 digits), street (9), community (12).

    A child's code starts with its parent's, so "everything in this area" is a prefix match on a code
    column with the C collation, which an ordinary btree index serves.
    """

    code = models.CharField(_("code"), max_length=12, primary_key=True, db_collation="C")
    name = models.CharField(_("name"), max_length=60)
    level = models.CharField(_("level"), max_length=10, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"], name="area_level_code")]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_prefix(self) -> str:
        # The city's own code (500000) is not a prefix of its districts' (500101...); its province
        # digits are.
        return self.code[:2] if self.level == AreaLevel.CITY else self.code

    def contains_code(self, code: str) -> bool:
        return code.startswith(self.scope_prefix)

    def path(self) -> list["Area"]:
        """This area and its ancestors, from the top (for breadcrumbs); a few primary-key lookups."""
        chain = [self]
        while chain[-1].parent_id:
            chain.append(chain[-1].parent)
        return list(reversed(chain))

    def full_name(self) -> str:
        return "".join(area.name for area in self.path() if area.level != AreaLevel.CITY)
