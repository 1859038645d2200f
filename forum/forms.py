"""The submit step that form views share: validate, save, and say how to answer."""

from __future__ import annotations

from forum.services import ForumError


def form_status(form, save, field=None, refused: int | None = None) -> int | None:
    """None when the form validated and save() succeeded; else the status to render it with.

    200 for a GET; 422 for a sent form that failed validation. When save() raises
    ForumError, its message is shown on `field` (default: above the form) and the
    status is `refused`, or the error's own (403, 404...) when `refused` is not given.
    save() runs only after validation, so it may read the form's cleaned data.
    """
    if not form.validate_on_submit():
        return 422 if form.is_submitted() else 200
    try:
        save()
    except ForumError as exc:
        # A field's errors become a list only once it is validated: look them up now.
        (form.form_errors if field is None else field.errors).append(str(exc))
        return refused or exc.status
    return None
