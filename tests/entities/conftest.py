import pytest

from papers import extensions
from papers.api.filters import PaperFilter


@pytest.fixture(autouse=True)
def entities_registered():
    """The section and filter as entities.apps registers them (kept as they were after the test, if it doesn't)."""
    from entities import filters, selectors

    sections, registered, base_filters = (
        dict(extensions._sections),
        dict(extensions._filters),
        dict(PaperFilter.base_filters),
    )
    if "entities" not in extensions._sections:
        extensions.register_section(
            extensions.PageSection(
                name="entities",
                template="entities/_paper_section.html",
                load=selectors.entities_for_page,
                order=150,
            )
        )
    if "entity" not in extensions._filters:
        filters.register()
    yield
    extensions._sections.clear()
    extensions._sections.update(sections)
    extensions._filters.clear()
    extensions._filters.update(registered)
    PaperFilter.base_filters.clear()
    PaperFilter.base_filters.update(base_filters)
