"""The case form (multipart: text fields, a consent tick, images) as a :class:`CaseDraft`."""

from __future__ import annotations

from typing import Any

from litestar.datastructures import UploadFile

from matching.cases.images import MAX_DOCUMENT_BYTES
from matching.cases.schemas import CaseDraft, ImageUpload
from matching.cases.services import MAX_IMAGES, TEXT_FIELDS

FIELDS = ("age_band", "sex", *TEXT_FIELDS)


def case_values(form: Any) -> dict[str, Any]:
    """What was typed, to show it again next to the problems (images cannot be kept)."""
    values = {name: str(form.get(name) or "") for name in FIELDS}
    values["consent"] = bool(form.get("consent"))
    return values


async def case_from_form(form: Any) -> CaseDraft:
    values = case_values(form)
    images: list[ImageUpload] = []
    uploads = [
        value
        for key, value in form.multi_items()
        if key == "images" and isinstance(value, UploadFile) and value.filename
    ]
    for upload in uploads[: MAX_IMAGES + 1]:
        # One byte over the limit is enough to say "too large".
        images.append(
            ImageUpload(content=await upload.read(MAX_DOCUMENT_BYTES + 1), filename=upload.filename)
        )
    return CaseDraft(
        age_band=values["age_band"],
        sex=values["sex"],
        presenting_problem=values["presenting_problem"],
        history=values["history"],
        findings=values["findings"],
        question=values["question"],
        consent=values["consent"],
        images=images,
    )
