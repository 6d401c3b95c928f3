"""Spec: matching the names people type to the agreement's names (evalkit.inputs.names).

`normalize` gives the matching key: case, surrounding and inner spaces, underscores, hyphens,
en dashes and dots are ignored; æ/ø/å equal ae/oe/aa; other accents are dropped (é = e, so
"Rønneallé" = "Roennealle", but not "Roenneallee": é is not æ). `slug` gives a file name:
lower-case ASCII words joined by single hyphens. `NameIndex.find` is an exact match on the key
(aliases included); `NameIndex.closest` suggests the nearest name, or None for nonsense, and
`NameIndex.suggestion` puts it in the words every "Mente du" message ends with.
"""

import re
import unicodedata

import pytest

from evalkit.domain import slug
from evalkit.inputs.names import NameIndex, normalize

# --- normalize --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Ringparken", "ringparken"),
        ("  Ringparken  ", "ringparken"),
        ("RINGPARKEN", "ringparken"),
        ("Houlkærvænget", "houlkaervaenget"),
        ("HOULKÆRVÆNGET", "houlkaervaenget"),
        ("Kølvrå afd. 8", "koelvraaafd8"),
        ("KØLVRÅ AFD. 8", "koelvraaafd8"),
        ("Rønneallé", "roennealle"),
        ("Solgården", "solgaarden"),
        ("Kærsangerparken", "kaersangerparken"),
        ("Boligselskabet Sct. Jørgen", "boligselskabetsctjoergen"),
        ("Effektive udsættelser", "effektiveudsaettelser"),
        ("effektive_udsaettelser", "effektiveudsaettelser"),
        ("Med foranstaltning", "medforanstaltning"),
        ("Lejemål", "lejemaal"),
        ("Bo Godt – koordineret samarbejde", "bogodtkoordineretsamarbejde"),
        ("bo-godt - koordineret_samarbejde", "bogodtkoordineretsamarbejde"),
        ("Ring\tparken\n", "ringparken"),
    ],
)
def test_normalize_gives_the_matching_key(text, key):
    assert normalize(text) == key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Houlkærvænget", "HOULKAERVAENGET"),
        ("Houlkærvænget", "houlkaer vaenget"),
        ("Effektive udsættelser", "effektive_udsaettelser"),
        ("Kølvrå afd. 8", "Koelvraa afd 8"),
        ("Kølvrå afd. 8", "koelvraa-afd.8"),
        ("Solgården", "Solgaarden"),
        ("Rønneallé", "Rønnealle"),  # é is e with an accent: the accent is dropped
        ("Rønneallé", "RØNNEALLÉ"),
        ("Rønneallé", "Roennealle"),
        ("Rønneallé", "Rønneallè"),
        ("Bo Godt – koordineret samarbejde", "Bo Godt - koordineret samarbejde"),
        ("Boligselskabet Sct. Jørgen", "boligselskabet sct joergen"),
    ],
)
def test_spellings_of_one_name_share_a_key(a, b):
    assert normalize(a) == normalize(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Rønneallé", "Roenneallee"),  # é is not æ: "allé" folds to "alle", not "allee"
        ("Kølvrå afd. 8", "Kolvra afd 8"),  # ø/å without their letters are other names
        ("Kølvrå afd. 8", "Kolvrd afd.8"),  # the OCR spelling is left to `closest`
        ("Solgården", "Solgarden"),
        ("Vestervang", "Vestergade"),
        ("Kølvrå afd. 8", "Kølvrå afd. 9"),
    ],
)
def test_different_names_keep_different_keys(a, b):
    assert normalize(a) != normalize(b)


@pytest.mark.parametrize("name", ["Kølvrå afd. 8", "Solgården", "Kildegården"])
@pytest.mark.parametrize("key", [normalize, slug], ids=["normalize", "slug"])
def test_decomposed_unicode_gives_the_same_key_and_slug(key, name):
    # "å" may arrive as "a" + COMBINING RING ABOVE (NFD), e.g. from a note file saved on a Mac
    # (noter/Kølvrå afd. 8.md). It is the same letter and must give the same key and slug.
    decomposed = unicodedata.normalize("NFD", name)
    assert decomposed != name
    assert key(decomposed) == key(name)


def test_find_knows_a_decomposed_name(agreement):
    decomposed = unicodedata.normalize("NFD", "Kølvrå afd. 8")
    assert agreement.afdeling_index().find(decomposed) == "Kølvrå afd. 8"


# --- slug -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kølvrå afd. 8", "koelvraa-afd-8"),
        ("Boligselskabet Sct. Jørgen", "boligselskabet-sct-joergen"),
        ("Houlkærvænget", "houlkaervaenget"),
        ("Rønneallé", "roennealle"),
        ("BoligViborg", "boligviborg"),
        ("Helhedsplanen", "helhedsplanen"),
        ("Bo Godt – koordineret samarbejde", "bo-godt-koordineret-samarbejde"),
        ("  Ringparken  ", "ringparken"),
        ("Afd. 8 / Kølvrå!", "afd-8-koelvraa"),
    ],
)
def test_slug_is_lower_case_ascii_words_joined_by_hyphens(text, expected):
    assert slug(text) == expected


def test_every_unit_of_the_agreement_has_its_own_clean_slug(agreement):
    units = [*agreement.afdeling_names, *agreement.boligselskaber, agreement.helhedsplan]
    slugs = [slug(u) for u in units]
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", s) for s in slugs), slugs
    assert len(set(slugs)) == len(units) == 16 + 2 + 1


# --- NameIndex --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Houlkærvænget", "Houlkærvænget"),
        ("HOULKAERVAENGET", "Houlkærvænget"),
        ("houlkaervaenget", "Houlkærvænget"),
        ("Koelvraa afd 8", "Kølvrå afd. 8"),
        ("kølvrå-afd.8", "Kølvrå afd. 8"),
        ("RØNNEALLE", "Rønneallé"),
        ("  karup ", "Karup"),
        ("Kolvrd afd.8", None),  # OCR spelling: not an exact match
        ("Vestervng", None),
        ("xyz", None),
        ("", None),
        ("BoligViborg", None),  # a boligselskab is not an afdeling
    ],
)
def test_find_matches_afdelinger_exactly_on_the_key(agreement, text, expected):
    assert agreement.afdeling_index().find(text) == expected


def test_find_all_finds_each_text_as_find_does(agreement):
    texts = ["HOULKAERVAENGET", "kølvrå-afd.8", "  karup ", "xyz", "", "Karup"]
    index = agreement.afdeling_index()
    assert index.find_all(texts) == {text: index.find(text) for text in texts}
    assert index.find_all(texts)["HOULKAERVAENGET"] == "Houlkærvænget"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kolvrd afd.8", "Kølvrå afd. 8"),  # the OCR spelling of the agreement
        ("Kolvra afd 8", "Kølvrå afd. 8"),
        ("Vestervng", "Vestervang"),
        ("Vestergad", "Vestergade"),
        ("Ellekonebaken", "Ellekonebakken"),
        ("Ronneallé", "Rønneallé"),
        ("Stohlm", "Stoholm"),
        ("Ringpark", "Ringparken"),
        ("Ringparken", "Ringparken"),  # an exact match is also the closest
        ("xyz", None),
        ("qqqqqqq", None),
        ("", None),
    ],
)
def test_closest_suggests_the_nearest_afdeling_or_none(agreement, text, expected):
    assert agreement.afdeling_index().closest(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hverdagsrådgivning", "Hverdagsrådgivning"),
        ("hverdagsraadgivning", "Hverdagsrådgivning"),
        ("Bo Godt", "Bo Godt – koordineret samarbejde"),  # alias (kort_navn)
        ("bogodt", "Bo Godt – koordineret samarbejde"),
        ("Bo Godt - koordineret samarbejde", "Bo Godt – koordineret samarbejde"),
        ("Civilsamfund", "Civilsamfund som samarbejdspartner"),  # alias (kort_navn)
        ("Civilsamfund som samarbejdspartner", "Civilsamfund som samarbejdspartner"),
        ("Civilsamfun", None),
        ("xyz", None),
    ],
)
def test_find_resolves_activity_aliases_to_the_full_name(agreement, text, expected):
    assert agreement.activity_index().find(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Civilsamfun", "Civilsamfund som samarbejdspartner"),
        ("Hverdagsradgivning", "Hverdagsrådgivning"),
        ("Bo Godtt", "Bo Godt – koordineret samarbejde"),
        ("xyz", None),
    ],
)
def test_closest_activity_is_a_full_name_even_when_an_alias_is_nearest(agreement, text, expected):
    assert agreement.activity_index().closest(text) == expected


@pytest.fixture
def boligselskaber() -> NameIndex:
    # The agreement writes BoligViborg also as "Boligselskabet Viborg".
    return NameIndex(
        ["BoligViborg", "Boligselskabet Sct. Jørgen"],
        {"Boligselskabet Viborg": "BoligViborg"},
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BoligViborg", "BoligViborg"),
        ("boligviborg", "BoligViborg"),
        ("Boligselskabet Viborg", "BoligViborg"),
        ("BOLIGSELSKABET_VIBORG", "BoligViborg"),
        ("Boligselskabet Sct Joergen", "Boligselskabet Sct. Jørgen"),
        ("Sct. Jørgen", None),
        ("Viborg", None),
    ],
)
def test_find_with_aliases(boligselskaber, text, expected):
    assert boligselskaber.find(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Boligselskabet Vibor", "BoligViborg"),
        ("Sct Jørgen", "Boligselskabet Sct. Jørgen"),
        ("Boligselskabet Sct Jorgen", "Boligselskabet Sct. Jørgen"),
        ("xyz", None),
    ],
)
def test_closest_with_aliases(boligselskaber, text, expected):
    assert boligselskaber.closest(text) == expected


def test_index_keeps_the_canonical_names_in_order(boligselskaber):
    assert boligselskaber.names == ["BoligViborg", "Boligselskabet Sct. Jørgen"]


@pytest.mark.parametrize(
    ("text", "suffix", "expected"),
    [
        ("Stohlm", "", ' Mente du "Stoholm"?'),
        ("Ringparkn", ".md", ' Mente du "Ringparken.md"?'),
        ("xyz", ".md", ""),
    ],
)
def test_suggestion_ends_a_message_with_the_closest_name_or_nothing(text, suffix, expected):
    index = NameIndex(["Stoholm", "Ringparken", "Karup"])
    assert index.suggestion(text, suffix) == expected
