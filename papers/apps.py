from django.apps import AppConfig


class PapersConfig(AppConfig):
    name = "papers"

    def ready(self):
        from . import signals  # noqa: F401  (connects the receivers)
        from .extensions import PageSection, register_section

        # Papers' own sections of the paper page; other apps slot theirs in between (papers.extensions).
        for name, order in (("abstract", 100), ("summary", 300), ("taxonomy", 600), ("references", 700)):
            register_section(
                PageSection(name=name, template=f"papers/_section_{name}.html", load=_nothing, order=order)
            )


def _nothing(paper):
    return None  # papers' sections read the page's shared loaders (PaperPageParts), loaded once for the page
