"""What the registry announces, and who answers.

The registry keeps people and their benefit lines. Their certification state (deadline, payment status,
queue work) is kept by the certification app, which registers its keeper here in its AppConfig.ready().
The registry never writes that state itself, and never imports certification: it calls the keeper.
A registry without a keeper refuses to register anyone (ImproperlyConfigured), instead of creating people
with no deadline.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ImproperlyConfigured

_keeper: StateKeeper | None = None
_visitor_reach: list = []


class StateKeeper:
    """Answers the registry's announcements. Each call runs inside the registry's transaction."""

    table: str = ""  # the state table, so that a bulk roster load can rebuild its indexes too

    def registered(self, *, pensioner, first_benefit_date: date) -> None:
        raise NotImplementedError

    def moved(self, *, pensioner) -> None:
        raise NotImplementedError

    def benefits_changed(self, *, pensioner, first_benefit_date: date) -> None:
        raise NotImplementedError

    def area_population(self, area) -> tuple[int, object]:
        """(how many pensioners the area holds, the moment the figure is from, or None for live). Large
        areas may answer from a stored figure, or with a capped count (portal.counting.AtLeast)."""
        raise NotImplementedError

    def roster_staged(self, cursor, *, stage_table: str, changed_table: str | None) -> None:
        """The roster's rows are in `stage_table` (with each person's registry id in `pensioner_id`) and its
        people in the registry: bring their states in
        line, set-wise, and add the ids whose state changed to `changed_table` (one column, id; None: do
        not record them)."""
        raise NotImplementedError


def register_state_keeper(keeper: StateKeeper) -> None:
    global _keeper
    _keeper = keeper


def state_keeper() -> StateKeeper:
    if _keeper is None:
        raise ImproperlyConfigured(
            "no certification-state keeper is registered (is certification installed?)"
        )
    return _keeper


def register_visitor_reach(reach) -> None:
    """`reach(user) -> Q or Exists on Pensioner`: the people a home-visit team member may see."""
    _visitor_reach[:] = [reach]


def visitor_reach(user):
    if not _visitor_reach:
        raise ImproperlyConfigured("no visitor reach is registered (is certification installed?)")
    return _visitor_reach[0](user)
