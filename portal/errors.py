"""The one refusal every service raises when a write would break a rule. Nothing was saved.

Views show `problems` to staff (they are already in the reader's language); `field` names the form field
they belong to, when there is one, so the form can show them beside it.
"""

from __future__ import annotations


class Refused(Exception):
    def __init__(self, problems: list | str, field: str | None = None):
        if isinstance(problems, str) or not isinstance(problems, list | tuple):
            problems = [problems]
        self.problems = [str(problem) for problem in problems]
        self.field = field
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return "; ".join(self.problems)

    def add_to_form(self, form) -> None:
        """Each problem on the form: beside its field when the form has it, else at the top."""
        field = self.field if self.field in form.fields else None
        for problem in self.problems:
            form.add_error(field, problem)
