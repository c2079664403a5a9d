from papers.models import Paper

from .models import FullText


def full_text_for_page(paper: Paper) -> FullText | None:
    """The paper page's Full text section: the rendered sections, without the stored XML. One query."""
    return FullText.objects.filter(paper=paper).defer("jats").first()


def full_text_for_api(*, paper: Paper) -> FullText | None:
    return full_text_for_page(paper)
