"""Every app built on papers depends on papers, never the other way round (STYLE.md, "Apps built on papers")."""

import ast
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(folder: Path) -> set[str]:
    found = set()
    for path in folder.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found


def test_papers_imports_none_of_the_apps_built_on_it():
    ours = {config.name for config in apps.get_app_configs() if (ROOT / config.name).is_dir()}
    built_on_papers = ours - {"papers", "paperhub"}
    assert {"reviews", "media_links", "fulltext", "entities", "review_imports"} <= built_on_papers
    assert imported_modules(ROOT / "papers") & built_on_papers == set()


def test_the_paper_page_sections_come_from_their_apps_in_page_order():
    from papers import extensions

    sections = [(s.name, s.template.split("/")[0]) for s in extensions.sections()]
    assert sections == [
        ("abstract", "papers"),
        ("entities", "entities"),
        ("fulltext", "fulltext"),
        ("summary", "papers"),
        ("openreview", "review_imports"),
        ("reviews", "reviews"),
        ("openreview_import", "review_imports"),
        ("videos", "media_links"),
        ("taxonomy", "papers"),
        ("references", "papers"),
    ]
