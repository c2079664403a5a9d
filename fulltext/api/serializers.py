from rest_framework import serializers

from ..models import Source


class SectionSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The section's anchor on the paper page.")
    level = serializers.IntegerField(help_text="2 for a top-level section, 3 and 4 below it.")
    heading = serializers.CharField(help_text="Plain text.")
    heading_html = serializers.CharField(help_text="The heading with its inline markup.")
    html = serializers.CharField(help_text="The section's own content (not its subsections'), as cleaned HTML.")


class FullTextSerializer(serializers.Serializer):
    doi = serializers.CharField(source="paper.doi")
    source = serializers.ChoiceField(choices=Source.choices, help_text="europepmc or publisher.")
    source_name = serializers.CharField(source="get_source_display")
    source_url = serializers.CharField(help_text="Where the original is.")
    license_url = serializers.CharField()
    license_text = serializers.CharField()
    word_count = serializers.IntegerField()
    converter_version = serializers.IntegerField(
        help_text="The version of PaperHub's JATS converter it was rendered by."
    )
    rendered_at = serializers.DateTimeField()
    sections = SectionSerializer(many=True)
