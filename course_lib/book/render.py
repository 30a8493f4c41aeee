"""MyST-NB's renderer, with each figure's alt text taken from its notebook output.

The course's figures carry their alt text in the output's metadata (``{"image/png": {"alt": ...}}``,
written by :func:`course_lib.plots.install_alt_text` when the notebook displays them); MyST-NB reads only
``width`` and ``height`` from there. Registered as the ``course`` renderer (``pyproject.toml``'s
``myst_nb.renderers`` entry point) and chosen by ``nb_render_plugin`` in ``conf.py``.
"""

from __future__ import annotations

from myst_nb.core.render import MimeData, NbElementRenderer

__all__ = ["CourseRenderer"]


class CourseRenderer(NbElementRenderer):
    """MyST-NB's element renderer; images get the ``alt`` their output's metadata holds."""

    def render_image(self, data: MimeData):
        nodes = super().render_image(data)
        alt = data.output_metadata.get(data.mime_type, {}).get("alt")
        if alt:
            nodes[0]["alt"] = alt
        return nodes
