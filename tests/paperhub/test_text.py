import dataclasses

import pytest

from paperhub.text import BIDI_CONTROLS, strip_bidi_controls, strip_bidi_controls_in

# The Trojan-source characters (CVE-2021-42574): embeddings, overrides, isolates and their terminators.
TROJAN = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]


@pytest.mark.parametrize("control", TROJAN)
def test_every_bidi_control_is_stripped(control):
    assert strip_bidi_controls(f"Ada{control} Lovelace{control}") == "Ada Lovelace"


def test_the_list_is_exactly_the_trojan_source_set_and_marks_stay():
    assert sorted(BIDI_CONTROLS) == TROJAN
    # Right-to-left text and the direction marks that place neutral characters are left alone.
    assert strip_bidi_controls("\u200fשלום\u200e (2024)") == "\u200fשלום\u200e (2024)"


def test_strings_inside_records_are_cleaned():
    @dataclasses.dataclass
    class Inner:
        name: str

    @dataclasses.dataclass(frozen=True)
    class Outer:
        title: str
        people: list
        extra: dict
        year: int

    value = Outer("\u202eTitle", [Inner("\u2067Name\u2069")], {"k": ("\u202aa", 1)}, 2024)
    cleaned = strip_bidi_controls_in(value)
    assert cleaned == Outer("Title", [Inner("Name")], {"k": ("a", 1)}, 2024)
