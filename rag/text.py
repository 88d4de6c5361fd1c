"""Small, dependency-free text helpers shared by chunking, evidence selection, verification and scoring."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text``: word lists written as paragraphs."""
    return frozenset(text.split())


# Abbreviations whose period does not end a sentence ("Gen. Francis Donovan", "U.S. forces").
_ABBREVIATIONS = word_set(
    """
    mr mrs ms dr prof sr jr st gen lt col capt sgt adm maj cmdr rep sen gov sec pres amb no vs etc
    inc ltd co corp dept est fig approx jan feb mar apr jun jul aug sep sept oct nov dec
    """
)
_SENTENCE_END = re.compile(r"""[.!?…]+["'”’)\]]*(?=\s+["'“‘(\[]?[A-Z0-9])""")
_WORD = re.compile(r"\d+(?:[,.]\d+)*%?|\w+(?:[’'.\-]\w+)*%?")

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "around",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "according",
        "did",
        "does",
        "said",
        "says",
        "say",
        "tell",
        "told",
        "give",
        "given",
        "many",
        "much",
        "name",
        "named",
        "kind",
        "sort",
        "whether",
        "either",
        "neither",
        "per",
        "via",
        "among",
        "amid",
        "upon",
        "yet",
        "still",
        "ever",
    ]
)

NUMBER_WORDS = {
    "zero": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "thirteen": "13",
    "fourteen": "14",
    "fifteen": "15",
    "sixteen": "16",
    "seventeen": "17",
    "eighteen": "18",
    "nineteen": "19",
    "twenty": "20",
    "thirty": "30",
    "forty": "40",
    "fifty": "50",
    "sixty": "60",
    "seventy": "70",
    "eighty": "80",
    "ninety": "90",
    "hundred": "100",
    "thousand": "1000",
    "million": "1000000",
    "billion": "1000000000",
    "first": "1st",
    "second": "2nd",
    "third": "3rd",
    "fourth": "4th",
    "fifth": "5th",
    "dozen": "12",
    "dozens": "12s",
    "percent": "%",
}


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` of ``text`` (shifted by ``offset``), whitespace trimmed.

    Line breaks always end a sentence (headlines and list items stand alone); within a line a
    sentence ends at ``.!?`` followed by a capital or digit, unless the period closes an abbreviation
    or an initial ("U.S.", "Gen.", "Francis L. Donovan").
    """
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        for end_match in _SENTENCE_END.finditer(line.group()):
            end = line.start() + end_match.end()
            if _ends_in_abbreviation(text[start:end]):
                continue
            spans.append((start, end))
            start = end
        spans.append((start, line.end()))
    trimmed = []
    for start, end in spans:
        piece = text[start:end]
        left = len(piece) - len(piece.lstrip())
        right = len(piece.rstrip())
        if right > left:
            trimmed.append((offset + start + left, offset + start + right))
    return trimmed


def _ends_in_abbreviation(sentence: str) -> bool:
    last = sentence.rstrip("\"'”’)]").rstrip(".!?…").split()
    if not last:
        return False
    word = last[-1].strip("(\"'“‘")
    if len(word) == 1 and word.isupper():  # an initial
        return True
    if "." in word and all(len(part) <= 2 for part in word.split(".")):  # U.S, e.g, a.m
        return True
    return word.lower() in _ABBREVIATIONS


def fold(text: str) -> str:
    """Lower case without accents and with straight apostrophes: "Sucumbíos" -> "sucumbios"."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'").replace("‘", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(text: str) -> list[str]:
    """Word tokens as written (case kept): "U.S.", "70%", "second-largest" stay whole."""
    return _WORD.findall(text)


def word_matches(text: str) -> list[re.Match[str]]:
    """The tokens of ``words`` with where they are in ``text``."""
    return list(_WORD.finditer(text))


def normalize_word(word: str) -> str:
    """Folded, possessive dropped, number words as digits: "Six" -> "6", "Noboa's" -> "noboa"."""
    w = fold(word).rstrip(".")
    if w.endswith("'s"):
        w = w[:-2]
    if w[:1].isdigit():
        return w.replace(",", "")
    w = w.replace(".", "")
    return NUMBER_WORDS.get(w, w)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A crude stem for overlap: "provinces" ~ "province", "Ecuadorian" ~ "Ecuador", "killed" ~ "kills"."""
    w = normalize_word(word)
    if w.isdigit() or len(w) <= 3:
        return w
    for suffix in ("ations", "ation", "ings", "ing", "ians", "ian", "ans", "ies", "es", "ed", "s", "an"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 4:
            w = w[: -len(suffix)]
            break
    return w[:6]


def shares_stem(term: str, terms: Iterable[str]) -> bool:
    """Whether a stem is among ``terms``, or one of them begins the other ("seiz" ~ "seizur", "handl"
    ~ "handle"). Crude: "star" ~ "start" too."""
    return any(
        term == t or (min(len(term), len(t)) >= 4 and (term.startswith(t) or t.startswith(term)))
        for t in terms
    )


# Phrasings of a question that name no content: "where did the strikes take place?"
_FRAME_PHRASES = re.compile(r"\b(take|took|taken|taking|takes) place\b", re.I)


def content_terms(text: str) -> list[str]:
    """Stems of the words that carry meaning (no stopwords), in order, without repeats."""
    seen: dict[str, None] = {}
    for word in words(_FRAME_PHRASES.sub(" ", text)):
        if normalize_word(word) in STOPWORDS:
            continue
        seen.setdefault(stem(word), None)
    return list(seen)


# Counts without a figure ("hundreds of strikes"), for ``numbers`` only: search keeps the words.
_VAGUE_COUNTS = {"hundreds": "100s", "thousands": "1000s", "millions": "1000000s"}


def numbers(text: str) -> set[str]:
    """Numbers in ``text``, digits and number words alike, normalized ("six" -> "6", "1,200" -> "1200").

    "one" is left out: it is a pronoun ("one of the biggest") far more often than a count.
    """
    found = set()
    for word in words(text):
        if word.lower() == "one":
            continue
        w = normalize_word(word).rstrip("%")
        w = _VAGUE_COUNTS.get(w, w)
        if w in NUMBER_WORDS.values() and not (w.isdigit() or w.endswith("s")):  # "dozens" is a count
            continue
        if any(c.isdigit() for c in w):
            found.add(w)
    return found


def names(text: str, *, sentence_starts: bool = True) -> set[str]:
    """Folded capitalized words that are not stopwords or number words: names, places, months.

    With ``sentence_starts=False``, a capital that may only mark the start of a sentence is not
    taken as a sign of a name.
    """
    found = set()
    for sentence_start, sentence_end in split_sentences(text) if not sentence_starts else [(0, len(text))]:
        tokens = words(text[sentence_start:sentence_end])
        found |= {
            normalize_word(w)
            for w in (tokens[1:] if not sentence_starts else tokens)
            if w[0].isupper()
            and normalize_word(w) not in STOPWORDS
            and normalize_word(w) not in NUMBER_WORDS.values()
        }
    return found


# Words before a name that say it is a person's: "President Noboa", "Gen. Donovan", "spokesman Parnell".
_PERSON_TITLES = word_set(
    """
    mr mrs ms miss dr prof professor sir dame gen general lt col colonel capt captain sgt sergeant adm admiral
    maj major cmdr commander rep representative sen senator gov governor president vice minister
    secretary mayor chief judge justice sheriff officer spokesman spokeswoman spokesperson director
    chairman chairwoman chair ceo founder pope king queen prince princess leader manager councilman
    councilwoman pres amb ambassador
    """
)
# Words that make a run of capitalized words an organization, a place or an event, not a person.
_NOT_PERSON_WORDS = word_set(
    """
    command ministry department dept force forces army navy marine marines corps guard police
    council office house senate congress parliament party church university college school academy
    company co inc corp ltd llc group agency bank states state republic kingdom union nations
    federation province county city town village district region street st avenue ave road rd
    boulevard square bridge station airport port harbor harbour park river lake mountain mountains
    island islands ocean sea gulf bay coast border america americas europe africa asia pacific
    atlantic north south east west northern southern eastern western central national international
    federal united court embassy government administration commission committee association
    institute foundation hospital library hall center centre museum club league cartel network
    summit conference operation operations day week month year presidency us uk eu un usa
    """
)
_PARTICLES = frozenset(["de", "del", "da", "di", "van", "von", "der", "la", "le", "bin", "al"])


def people(text: str, *, context: str = "") -> set[str]:
    """Folded names that look like people's: two or more capitalized words in a row that name no
    organization or place ("Francis L. Donovan", "Mono Tole"), or one after a title ("President
    Noboa", "Gen. Donovan"), or one that ends such a name in ``context`` ("Noboa said", in a passage
    that names "Daniel Noboa"). "U.S. Southern Command" and "Latin America" are not people, nor is
    a lone "Ecuador"; punctuation ends a name ("Quito, Ecuador").
    """
    surnames = {person.split()[-1] for person in people(context)} if context else set()
    found: set[str] = set()
    run: list[str] = []
    titled = after_title = False
    previous, previous_end = "", 0
    for match in [*_WORD.finditer(text), None]:
        token = match.group() if match else ""
        word = normalize_word(token)
        gap = text[previous_end : match.start()].strip() if match else "end"
        joined = not gap or (
            gap == "." and (len(previous) == 1 or normalize_word(previous) in _PERSON_TITLES)
        )
        title = word in _PERSON_TITLES
        name_word = token[:1].isupper() and word not in STOPWORDS and not title
        initial = len(token) == 1 and token.isupper()  # "Mark A. Schafer"
        if run and joined and (name_word or initial or word in _PARTICLES):
            run.append(word)
        else:
            while run and run[-1] in _PARTICLES:
                run.pop()
            if run and not set(run) & _NOT_PERSON_WORDS and (len(run) >= 2 or titled or run[0] in surnames):
                found.add(" ".join(run))
            run, titled = ([word], after_title and joined) if name_word else ([], False)
        after_title = title
        previous, previous_end = token, match.end() if match else 0
    return found


_NAME_JOINERS = frozenset(["of", "and", "for", "the", "&"])


def name_runs(text: str) -> list[list[str]]:
    """Runs of capitalized words, parts of a hyphenated name apart, joined by "of", "and", "for":
    "the Hart-Scott-Rodino Act" gives [hart, scott, rodino, act]; an abbreviation is a run of one."""
    runs: list[list[str]] = []
    run: list[str] = []
    for token in words(text):
        parts = [p for p in token.split("-") if p]
        if parts and all(p[:1].isupper() for p in parts):
            run.extend(fold(p) for p in parts)
        elif not (run and fold(token) in _NAME_JOINERS):
            if run:
                runs.append([w for w in run if w not in _NAME_JOINERS])
            run = []
    if run:
        runs.append([w for w in run if w not in _NAME_JOINERS])
    return runs


TIME_UNITS = word_set(
    """
    second seconds minute minutes hour hours day days week weeks fortnight month months year years
    decade decades century centuries
    """
)
# Units a quantity is measured in, written out or abbreviated: "3.5 mm", "48 V", "100 mW", "32 ohms"
MEASURES = TIME_UNITS | word_set(
    """
    mm cm km kg mg ml kl v mv kv w mw kw kwh mwh mah hz khz mhz ghz db dbu dba ohm ohms bar psi rpm
    bps kbps mbps gbps kb mb gb tb kib mib gib tib
    meter meters metre metres kilometer kilometers kilometre kilometres centimeter centimeters
    millimeter millimeters millimetre millimetres mile miles foot feet inch inches yard yards
    gram grams kilogram kilograms tonne tonnes ton tons ounce ounces pound pounds liter liters litre
    litres gallon gallons degree degrees volt volts watt watts amp amps ampere amperes hertz
    byte bytes kilobyte kilobytes megabyte megabytes gigabyte gigabytes percent
    """
)
_TIME_ABBREVIATIONS = {
    "sec": "second",
    "secs": "second",
    "min": "minute",
    "mins": "minute",
    "h": "hour",
    "hr": "hour",
    "hrs": "hour",
    "wk": "week",
    "wks": "week",
    "yr": "year",
    "yrs": "year",
}
_SPANS = re.compile(
    r"([\w.,]+)[\s-]+(seconds?|minutes?|hours?|days?|weeks?|fortnights?|months?|years?|decades?"
    r"|secs?|mins?|hrs?|h|wks?|yrs?)\b",
    re.I,
)


def spans_of_time(text: str) -> set[tuple[str, str]]:
    """Each number of ``text`` that counts a unit of time, with the unit: "every ten minutes", "a
    10-minute pause" and "10 min" give ("10", "minute"); "a year" gives ("1", "year")."""
    found = set()
    for m in _SPANS.finditer(text):
        unit = fold(m.group(2))
        unit = _TIME_ABBREVIATIONS.get(unit, unit.rstrip("s"))
        count = "1" if fold(m.group(1)) in ("a", "an", "one") else None
        found |= {(n, unit) for n in ([count] if count else numbers(m.group(1)))}
    return found


# Where and whither: "to Ytterö", "from Harbor Quay", "in the Kattegat Shelf Array"
# Currencies by sign, by ISO code before or after the figure, and by name: "$1,349", "€60", "SEK 590",
# "590 kr", "12 Swiss francs"
_CURRENCY_CODES = "usd|eur|gbp|jpy|chf|sek|nok|dkk|isk|pln|czk|huf|cad|aud|nzd|cny|inr|brl|mxn|zar"
_CURRENCY_NAMES = (
    "dollars?|euros?|pounds?|yen|yuan|francs?|kronor|kroner|krona|krone|kr|rupees?|reais|pesos?|rand|zloty"
)
_MONEY = re.compile(
    rf"[$€£¥₹₩]\s?\d(?:[\d,.]*\d)?(\s?(million|billion|thousand|[mbk])\b)?|"
    rf"\b({_CURRENCY_CODES})\s?\d(?:[\d,.]*\d)?(\s?(million|billion|thousand)\b)?|"
    rf"\b\d(?:[\d,.]*\d)?\s?(million |billion |thousand )?(\w+ )?({_CURRENCY_NAMES}|{_CURRENCY_CODES})\b",
    re.IGNORECASE,
)


def money_spans(text: str) -> list[tuple[str, re.Match[str]]]:
    """Each sum of money in ``text`` as it compares (see ``sums``) and where it is written."""
    return [(re.sub(r"\s+", "", m.group().lower()), m) for m in _MONEY.finditer(text)]


def sums(text: str) -> set[str]:
    """The sums of money in ``text``, spaces and case dropped: "$4.2 million" -> "$4.2million"."""
    return {key for key, _ in money_spans(text)}


# A time of day answers "what time" and "when": "11:00", "06:15", "2 pm", "14.30 h"
_CLOCK = re.compile(r"\b([01]?\d|2[0-3])[:.][0-5]\d\b|\b(1[0-2]|0?[1-9])\s?(a\.?m\.?|p\.?m\.?)(?!\w)", re.I)


def clock_times(text: str) -> set[str]:
    """The times of day ``text`` names, as they compare: case, spaces and dots dropped ("6 p.m." and "6pm"
    are "6pm"; a sentence's full stop is no part of "6 pm.")."""
    return {re.sub(r"[\s.]", "", m.group().lower()) for m in _CLOCK.finditer(text)}


_ANCHOR = re.compile(
    r"\b(to|from|in|at|near) (?:the )?([A-ZÀ-Þ][\w'’.-]*(?: (?:of |de |del )?[A-ZÀ-Þ][\w'’.-]*)*)"
)
# "according to the Pentagon", "thanks to EU subsidies": no place
_NOT_WHITHER = frozenset(
    ["according", "due", "thanks", "owing", "prior", "next", "close", "compared", "relative"]
)
CALENDAR = word_set(
    """
    january february march april may june july august september october november december monday
    tuesday wednesday thursday friday saturday sunday
    """
)
_LAST_WORD = re.compile(r"(\w+)\W*$")


# A thing named by a capitalized word and a letter, a small number or a Roman numeral after it ("Route
# C", "Gate 4", "Schedule II", "Stage one"; "Gates 4 and 7", "Routes A, B, and C", "Routes A to C"), or
# by any word and a capital letter that is no word ("route C", not "says I"). Not a count ("sold 40"),
# a date ("March 6"), a year ("Summer 2025"), a part of a longer number or name ("Table 3.2", "X-1",
# "T(n)") or an initial ("Mark A. Schafer", "George W Bush").
_NUMBER_NAMES = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
             "twelve")  # fmt: skip
_ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv", "xv",
          "xvi", "xvii", "xviii", "xix", "xx")  # fmt: skip
_ONE_MARK = rf"(?:[IVX]{{2,5}}|[A-Z]|\d{{1,3}}|(?i:{'|'.join(_NUMBER_NAMES)}))\b"
_MARK_END = r"(?![.,:]?\d|[-/'’&]\w|\(|\.?\s+[A-Z][a-z])"
_MARK_SEP = r"(?:\s*,\s*(?:(?:and|or)\s+|&\s*)?|\s+(?:and|or|&|to|through|thru)\s+|\s*[–-]\s*)"
_DESIGNATED = re.compile(
    rf"\b(?:([A-Z][a-z]{{2,}})\s+({_ONE_MARK}(?:{_MARK_SEP}{_ONE_MARK})*){_MARK_END}"
    rf"|([a-z]{{3,}}(?<!ing))\s+([B-HJ-Z])\b{_MARK_END})"
)
_RANGE = re.compile(r"\s*(?:to|through|thru|[–-])\s*")


def designations(text: str) -> dict[tuple[str, str], str]:
    """The things ``text`` names by a word and a designator: (word, designator) as compared, with the
    words as written. The word is folded, without a plural "s"; the designator folded, numbers as
    digits ("II", "two" and "2" are one), a range spelled out: "Single ticket, Route B" gives
    {("route", "b"): "Route B"}, "Gates 4 to 6" gives gates 4, 5 and 6 (each written "Gates 4 to 6")."""
    found: dict[tuple[str, str], str] = {}
    for m in _DESIGNATED.finditer(text):
        noun = fold(m[1] or m[3])
        noun = noun[:-1] if noun.endswith("s") and not noun.endswith("ss") else noun
        if noun in STOPWORDS or noun in CALENDAR:
            continue
        for mark in _marks(m[2] or m[4]):
            found.setdefault((noun, mark), m[0])
    return found


def _marks(listed: str) -> list[str]:
    """The designators of "A, B, and C", "4 to 6", "II": folded, numbers as digits; none for a range
    between a letter and a number ("X-1" names one thing)."""
    marks: list[str] = []
    for part in re.split(r"\s*,\s*(?:(?:and|or)\s+|&\s*)?|\s+(?:and|or|&)\s+", listed):
        ends = [_mark_value(e) for e in _RANGE.split(part) if e]
        if len(ends) == 2 and ends[0].isdigit() == ends[1].isdigit():
            low, high = (int(e) if e.isdigit() else ord(e) for e in ends)
            marks += [str(v) if ends[0].isdigit() else chr(v) for v in range(low, min(high, low + 30) + 1)]
        elif len(ends) == 1:
            marks += ends
    return marks


def _mark_value(mark: str) -> str:
    m = fold(mark)
    if m in _NUMBER_NAMES:
        return str(_NUMBER_NAMES.index(m) + 1)
    if m in _ROMAN and (len(m) > 1 or m in "ivx"):
        return str(_ROMAN.index(m) + 1)
    return m


def anchored_names(text: str) -> list[tuple[str, tuple[str, ...], str]]:
    """Each name ``text`` places after "to", "from", "in", "at" or "near": the preposition, the name's
    words folded, and the name as written. "from Harbor Quay to Ytterö" gives ("from", ("harbor",
    "quay"), "Harbor Quay") and ("to", ("yttero",), "Ytterö"). Months and weekdays are times, not
    places."""
    found = []
    for m in _ANCHOR.finditer(text):
        before = _LAST_WORD.search(text, max(0, m.start() - 40), m.start())
        if before and fold(before.group(1)) in _NOT_WHITHER:
            continue
        written = m.group(2).rstrip(".")
        name = tuple(normalize_word(w) for w in words(written) if fold(w) not in ("of", "de", "del"))
        if name and not set(name) & CALENDAR and not _modifies(name[-1], text[m.end() :]):
            found.append((m.group(1), name, written))
    return found


def _modifies(word: str, after: str) -> bool:
    """Whether ``word`` reads as an adjective of a people or a place before the noun that follows:
    "in the South American country", "at the Ecuadorian border"."""
    following = re.match(r"\s+([a-z][\w-]*)", after)
    return (
        bool(following)
        and word.endswith(("ian", "ean", "can", "ese", "ish"))
        and following.group(1) not in STOPWORDS
    )


# Words that negate what a sentence says: "not", "never", "cannot", "doesn't"; and verbs and adverbs that
# say something is not so ("failed to", "lacks", "rarely")
_NEGATIONS = word_set(
    """
    not no never none neither nor nothing nobody nowhere without cannot fail fails failed failing
    lack lacks lacked lacking absent unable rarely seldom hardly barely
    """
)


def negated(text: str, *, terms: frozenset[str] = frozenset()) -> bool:
    """Whether ``text`` says "not", "never", "no" or the like ("isn't", "cannot", "failed to"), but not
    as in "whether or not". Negation words in ``terms`` name things ("the nobody group") and negate
    nothing."""
    folded = [fold(w) for w in words(text)]
    return any(negation_at(folded, i, terms=terms) for i in range(len(folded)))


def negation_at(folded: Sequence[str], i: int, *, terms: frozenset[str] = frozenset()) -> bool:
    """Whether the ``i``-th of the folded words ``folded`` is a negation (see ``negated``)."""
    w = folded[i]
    return (
        (w in _NEGATIONS or w.endswith("n't"))
        and w not in terms
        and not (w == "not" and i and folded[i - 1] == "or")
    )
