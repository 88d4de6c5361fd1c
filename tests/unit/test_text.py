from rag.text import content_terms, fold, names, numbers, people, split_sentences, stem


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def test_sentences_split_on_periods_and_lines():
    assert sentences("One fact here. Another one!\nA heading\nLast line?") == [
        "One fact here.",
        "Another one!",
        "A heading",
        "Last line?",
    ]


def test_abbreviations_and_initials_do_not_end_sentences():
    text = (
        "U.S. forces met Gen. Francis L. Donovan and Rear Admiral Mark A. Schafer in Quito. Then they left."
    )
    assert sentences(text) == [
        "U.S. forces met Gen. Francis L. Donovan and Rear Admiral Mark A. Schafer in Quito.",
        "Then they left.",
    ]


def test_closing_quotes_stay_with_their_sentence():
    assert sentences('He said: "Stay home." The rest followed.') == [
        'He said: "Stay home."',
        "The rest followed.",
    ]


def test_spans_are_offsets_into_the_text():
    text = "  First one.   Second one.  "
    for start, end in split_sentences(text, offset=100):
        assert text[start - 100 : end - 100].strip() == text[start - 100 : end - 100]


def test_numbers_normalize_words_and_separators():
    assert numbers("six tonnes, 70% and 1,200 people in 2026; 3.5 km") == {"6", "70", "1200", "2026", "3.5"}
    assert numbers("dozens of strikes and hundreds of arrests, the second time") == {"12s", "100s"}


def test_names_are_capitalized_non_stopwords():
    assert names("In March, Noboa met Donovan in Quito.") == {"march", "noboa", "donovan", "quito"}


def test_fold_removes_accents_and_case():
    assert fold("Sucumbíos") == "sucumbios"


def test_stems_join_word_forms():
    assert stem("Ecuadorian") == stem("Ecuador")
    assert stem("provinces") == stem("province")
    assert stem("killed") == stem("kills")


def test_content_terms_drop_stopwords_and_repeats():
    assert content_terms("Where did the strikes take place, and where were the strikes hitting?") == [
        stem("strikes"),
        "hitt",
    ]


def test_people_are_runs_of_names_or_titled_names_not_organizations():
    assert people("SOUTHCOM commander, Marine Gen. Francis L. Donovan, said so.") == {"francis l donovan"}
    assert people("Rear Admiral Mark A. Schafer met President Noboa.") == {"mark a schafer", "noboa"}
    assert people("U.S. Southern Command, the command of the United States of America, said so.") == set()
    assert people("Quito, Ecuador - Ecuador's President Daniel Noboa spoke.") == {"daniel noboa"}
    assert people("It was said by Noboa. Trump agreed.") == set()
    assert people("It was said by Noboa.", context="Daniel Noboa spoke.") == {"noboa"}
