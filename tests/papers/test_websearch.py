"""The web-search syntax parser and its FTS5 expressions: pure, no database."""

import pytest

from papers.websearch import Fts5Query, Term, fts5_prefix_query, fts5_query, parse_web_query


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("microglia mice", [[Term(("microglia",)), Term(("mice",))]]),
        ('"Shuai Li"', [[Term(("shuai", "li"))]]),
        ("Díaz", [[Term(("díaz",))]]),
        ("ganglia -view", [[Term(("ganglia",)), Term(("view",), excluded=True)]]),
        ('-"basal ganglia"', [[Term(("basal", "ganglia"), excluded=True)]]),
        ("cat dog or mouse", [[Term(("cat",)), Term(("dog",))], [Term(("mouse",))]]),
        ("x-ray", [[Term(("x", "ray"))]]),  # a hyphen inside a word joins, as PostgreSQL's phrase for it
        ("cat - dog", [[Term(("cat",)), Term(("dog",), excluded=True)]]),
        ("--cat", [[Term(("cat",))]]),
        ('"the basal ganglia of"', [[Term(("basal", "ganglia"))]]),  # stop words dropped at a phrase's ends
        ("the of or and", []),
        ("OR OR OR", []),
        ("or cat oR", [[Term(("cat",))]]),
        ("cat -or dog", [[Term(("cat",)), Term(("dog",))]]),  # an excluded stop word is no operator
        ('"unbalanced phrase', [[Term(("unbalanced", "phrase"))]]),
        ('cat"dog"mouse', [[Term(("cat",)), Term(("dog",)), Term(("mouse",))]]),
        (
            "NEAR(a b) title:x ^y z*",
            [[Term(("near",)), Term(("b",)), Term(("title",)), Term(("x",)), Term(("y",)), Term(("z",))]],
        ),
        ('" * : ^ ( ) -', []),
        ("cat(dog 2.5", [[Term(("cat",)), Term(("dog",)), Term(("2", "5"))]]),
    ],
)
def test_parse_web_query(text, expected):
    assert parse_web_query(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("microglia mice", Fts5Query('("microglia" AND "mice")')),
        ('"Shuai Li"', Fts5Query('("shuai li")')),
        ("ganglia -view -mice", Fts5Query('("ganglia" NOT ("view" OR "mice"))')),
        ("cat or dog", Fts5Query('("cat") OR ("dog")')),
        ("-view", Fts5Query(None, ('"view"',))),
        ("cat -dog or -mouse", Fts5Query('("cat" NOT ("dog"))', ('"mouse"',))),
        ("the", Fts5Query(None)),
    ],
)
def test_fts5_query(text, expected):
    assert fts5_query(parse_web_query(text)) == expected


def test_fts5_expressions_hold_only_quoted_words():
    hostile = 'b NEAR(c* d:e ^f {g} h+i (j OR) AND NOT "k* l:'
    expression = fts5_query(parse_web_query(hostile)).matching
    assert (
        expression
        == '("b" AND "near" AND "c" AND "d" AND "e" AND "f" AND "g" AND "h" AND "j" AND "k l")'  # "i": a stop word
    )


def test_fts5_prefix_query():
    assert fts5_prefix_query("exposure mi") == '"exposure" AND "mi"*'
    assert fts5_prefix_query("methylphen") == '"methylphen"*'
    assert fts5_prefix_query("the") is None
    assert fts5_prefix_query("*:^") is None
    assert fts5_prefix_query(" ".join(f"w{i}" for i in range(20))).count('"') == 16
