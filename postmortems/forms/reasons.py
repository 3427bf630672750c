"""Showing the rules' field-keyed reasons on a form, next to the fields they name."""

from __future__ import annotations

from django import forms


def attach_reasons(form: forms.BaseForm, reasons: dict[str, list[str]]) -> dict[str, list[str]]:
    """Put each reason on the form field it names; return the reasons no field of this form owns."""
    leftover: dict[str, list[str]] = {}
    for field, messages in reasons.items():
        name = field.removesuffix("_id")
        target = name if name in form.fields else None
        for message in messages:
            if target:
                form.add_error(target, message)
            else:
                leftover.setdefault(field, []).append(message)
    return leftover


def show_reasons(form: forms.BaseForm, reasons: dict[str, list[str]]) -> None:
    """Each reason next to the field it names; the others as the form's own errors."""
    for messages in attach_reasons(form, reasons).values():
        form.add_error(None, messages)
