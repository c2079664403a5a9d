"""Citation formats by content negotiation, with the media types doi.org uses."""

import json

from rest_framework.renderers import BaseRenderer


class _TextRenderer(BaseRenderer):
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, str):
            return data.encode(self.charset)
        return json.dumps(data, ensure_ascii=False).encode(self.charset)  # errors stay readable


class BibTeXRenderer(_TextRenderer):
    media_type = "application/x-bibtex"
    format = "bibtex"


class RISRenderer(_TextRenderer):
    media_type = "application/x-research-info-systems"
    format = "ris"


class CSLJSONRenderer(_TextRenderer):
    media_type = "application/vnd.citationstyles.csl+json"
    format = "csl"


EXPORT_RENDERERS = (BibTeXRenderer, RISRenderer, CSLJSONRenderer)
