"""Form widgets of the certification screens."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.translation import gettext as _


class CameraOrFileInput(forms.FileInput):
    """A photo-or-scan field that offers the phone's camera without taking the file chooser away.

    `capture` makes phones open the camera directly, with no way to pick a PDF scan or a photo taken
    earlier; so the camera is a second input of the same name beside the ordinary chooser (which on a
    phone still lists the camera too). Whichever one is filled is sent; browsers leave out an empty one.
    """

    def use_required_attribute(self, initial):
        # Either input may carry the file: a `required` on one would block sending a camera photo.
        return False

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        attrs.pop("required", None)
        camera_id = f"{attrs.get('id') or name}_camera"
        camera_attrs = {
            "type": "file",
            "name": name,
            "id": camera_id,
            "class": f"{attrs.get('class', 'form-control')} mb-2",
            "accept": "image/*",
            "capture": "environment",
            "data-testid": f"camera-{name}",
        }
        chooser_attrs = {"type": "file", "name": name, **attrs}
        return format_html(
            '<div class="camera-or-file" data-testid="camera-or-file-{}">'
            '<label class="small text-body-secondary mb-1" for="{}"><i class="bi bi-camera"></i> {}</label>'
            "<input{}>"
            '<div class="small text-body-secondary mb-1">{}</div>'
            "<input{}></div>",
            name,
            camera_id,
            _("Take a photo (phone camera)"),
            flatatt(camera_attrs),
            _("or choose a photo or PDF scan"),
            flatatt(chooser_attrs),
        )
