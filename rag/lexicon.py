"""Opposite words, for telling a question from its edited twin ("encoded *indirectly*" against a passage
that says "directly").

Antonyms come from WordNet 3.0 as Debian's ``wordnet-base`` package installs it (``/usr/share/wordnet``,
or the folder ``RAG_WORDNET`` names). Only its data files are read, straight: each antonym pointer names
the synset of the opposite word by its byte offset in the data file of its part of speech. nltk's reader
wants files that Debian's package lacks, and nothing else is needed. Without WordNet, opposites made by
a negating prefix ("deterministic" ~ "non-deterministic", "direct" ~ "indirect") still are, and a
one-line warning says what is missing.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rag.text import fold, shares_stem, stem

log = logging.getLogger(__name__)

DEFAULT_WORDNET = "/usr/share/wordnet"
_PARTS_OF_SPEECH = ("adj", "adv", "verb", "noun")
_WHOLE_SYNSETS = ("adj", "noun")
"""Parts of speech whose antonyms hold between whole synsets (see ``antonyms``)."""
_FILE_OF = {b"n": "noun", b"v": "verb", b"a": "adj", b"s": "adj", b"r": "adv"}
# Prefixes that negate whatever word they begin ("unknown", "non-deterministic"). "in-", "dis-" and the
# like begin too many words that are not negations ("inform", "display"): WordNet's pairs cover them.
_NEGATING_PREFIXES = ("non-", "non", "un")
# Opposite relations in time, which WordNet (nouns, verbs, adjectives, adverbs) leaves out: "versions
# *after* 1.0.2" is an edited twin of "versions *prior to* 1.0.2". Only these: "over"/"under" and
# "above"/"below" have too many other senses ("under the licence", "over the network", "see below"),
# and "within"/"outside" bound both sides of one rule too often ("calls within business hours ...")
_RELATIONS = {"after": ("before", "prior"), "before": ("after",), "prior": ("after",)}
RELATIONS = frozenset(_RELATIONS)
"""The prepositions with an opposite (see ``opposites``)."""


def wordnet_folder() -> Path:
    return Path(os.environ.get("RAG_WORDNET") or DEFAULT_WORDNET)


@lru_cache(maxsize=1)
def antonyms() -> dict[str, frozenset[str]]:
    """The stem (``rag.text.stem``) of each word WordNet gives an antonym for, with the stems of its
    antonyms: "permit" -> {"forbid"}, so that "permitted" finds "forbidden". WordNet links antonyms
    word to word ("difficult" -> "easy"); for nouns and adjectives every word of the two synsets is
    taken as opposed ("hard", a synonym of "difficult", -> "easy"). Empty, with a warning, when WordNet
    is not installed."""
    folder = wordnet_folder()
    if not (folder / "data.adj").is_file():
        log.warning(
            "WordNet not found in %s (install Debian's wordnet-base): opposites are found by prefix only",
            folder,
        )
        return {}
    found: dict[str, set[str]] = {}
    handles = {pos: open(folder / f"data.{pos}", "rb") for pos in _PARTS_OF_SPEECH}  # noqa: SIM115
    try:
        for pos in _PARTS_OF_SPEECH:
            for line in _pointer_lines(folder / f"data.{pos}"):
                source_words, pointers = _parse(line)
                for symbol, offset, target_pos, numbers in pointers:
                    if symbol != b"!":
                        continue
                    target = handles[_FILE_OF[target_pos]]
                    target.seek(offset)
                    target_words, _ = _parse(target.readline())
                    # a noun's or adjective's synonyms share its opposites: "hard" (= "difficult") and
                    # "easy"; a verb's synsets are too broad ("stop" and "end", against "begin")
                    whole = pos in _WHOLE_SYNSETS
                    sources = source_words if whole else [source_words[int(numbers[:2], 16) - 1]]
                    others = target_words if whole else [target_words[int(numbers[2:], 16) - 1]]
                    for source in sources:
                        for other in others:
                            if " " not in source + other:
                                found.setdefault(stem(source), set()).add(stem(other))
    finally:
        for handle in handles.values():
            handle.close()
    return {word: frozenset(others) for word, others in found.items()}


def _pointer_lines(path: Path) -> list[bytes]:
    with open(path, "rb") as f:
        return [line for line in f if b" ! " in line and not line.startswith(b" ")]


def _parse(line: bytes) -> tuple[list[str], list[tuple[bytes, int, bytes, bytes]]]:
    """A data line's words (folded, "(a)"-style markers dropped, "_" as space) and pointers."""
    fields = line.split(b" | ")[0].split()
    count = int(fields[3], 16)
    synset_words = [
        re.sub(r"\(.*\)$", "", fold(fields[4 + 2 * i].decode())).replace("_", " ") for i in range(count)
    ]
    at = 4 + 2 * count
    pointers = [
        (fields[i], int(fields[i + 1]), fields[i + 2], fields[i + 3])
        for i in range(at + 1, at + 1 + 4 * int(fields[at]), 4)
    ]
    return synset_words, pointers


@dataclass(frozen=True)
class Opposites:
    """What would mean the opposite of one word of a question."""

    word: str
    """The word, folded."""
    stems: frozenset[str]
    """Stems of its WordNet antonyms: "permit" gives {"forbid"}, which "forbidden" also has."""
    words: frozenset[str]
    """The word with a negating prefix added or removed, whole: "known" gives "unknown", "non-known"..."""

    def __bool__(self) -> bool:
        return bool(self.stems or self.words)


def opposites(word: str) -> Opposites:
    """What would mean the opposite of ``word``: its WordNet antonyms, and the word with a negating
    prefix added or removed ("known" <-> "unknown", "deterministic" <-> "non-deterministic"); for a
    preposition of time, its opposites ("after" <-> "before", "prior")."""
    w = base_form(word)
    if w in _RELATIONS:
        return Opposites(w, frozenset(), frozenset(_RELATIONS[w]))
    prefixed = {prefix + w for prefix in _NEGATING_PREFIXES}
    for prefix in _NEGATING_PREFIXES:
        if w.startswith(prefix) and len(w) - len(prefix) >= 4:
            prefixed.add(w[len(prefix) :].lstrip("-"))
            break
    # no form of the word is its opposite: "handless" (against "handed") shares the stem of "handle"
    found = {a for a in antonyms().get(stem(w), ()) if not shares_stem(a, [stem(w)])}
    return Opposites(w, frozenset(found), frozenset(prefixed))


@lru_cache(maxsize=1)
def _irregular() -> dict[str, str]:
    """WordNet's exception lists: irregular forms and their base form ("won" -> "win"). A form the
    lists also give as its own base is a word in its own right and stays itself: "offer" is listed
    as "off" + "er" and as "offer"."""
    forms: dict[str, str] = {}
    themselves: set[str] = set()
    for pos in ("verb", "adj", "noun", "adv"):
        path = wordnet_folder() / f"{pos}.exc"
        if path.is_file():
            for line in path.read_text(encoding="latin-1").splitlines():
                form, *bases = line.split()
                if bases and "_" not in form:
                    forms.setdefault(form, bases[0])
                    if form in bases:
                        themselves.add(form)
    return {form: base for form, base in forms.items() if form not in themselves}


def base_form(word: str) -> str:
    """The base form of an irregular word ("won" -> "win", "better" -> "good"), else the word, folded."""
    w = fold(word)
    return _irregular().get(w, w)


@lru_cache(maxsize=4096)
def superlative(word: str) -> bool:
    """Whether ``word`` is an adjective's superlative ("largest", "fewest", "biggest", "earliest", "best"),
    not a noun of its own ("forest", "interest", "test"). False without WordNet."""
    w = fold(word)
    folder = wordnet_folder()
    if not w.endswith("est") or not (folder / "index.adj").is_file():
        return False
    if _index_line(folder / "index.noun", w.encode()) and w not in _irregular():
        return False
    cut = w[:-3]
    bases = {_irregular().get(w, ""), w[:-2], cut}  # "best", "largest", "fewest"
    if len(cut) > 2 and cut[-1] == cut[-2]:
        bases.add(cut[:-1])  # "biggest"
    if cut.endswith("i"):
        bases.add(cut[:-1] + "y")  # "earliest"
    return any(b and _index_line(folder / "index.adj", b.encode()) for b in bases)


SENSES = 2
"""How many of a noun's senses give synonyms: WordNet lists the most frequent first, and the rest are
rarely what a document means ("prize" as loot)."""


@lru_cache(maxsize=4096)
def synonyms(noun: str) -> frozenset[str]:
    """Stems of the words sharing one of the first ``SENSES`` senses of ``noun`` in WordNet:
    "duration" gives "length" and "continuance", "warranty" "guarantee". Empty without WordNet."""
    folder = wordnet_folder()
    if not (folder / "index.noun").is_file():
        return frozenset()
    lemma = fold(noun).replace(" ", "_")
    line = _index_line(folder / "index.noun", lemma.encode()) or _index_line(
        folder / "index.noun", _singular(lemma).encode()
    )
    if not line:
        return frozenset()
    fields = line.split()
    offsets = fields[4 + int(fields[3]) + 2 :][:SENSES]
    found: set[str] = set()
    with open(folder / "data.noun", "rb") as data:
        for offset in offsets:
            data.seek(int(offset))
            found.update(stem(w) for w in _parse(data.readline())[0] if " " not in w)
    return frozenset(found - {stem(noun)})


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _index_line(path: Path, lemma: bytes) -> bytes | None:
    """The line of a WordNet index file (sorted by lemma) for ``lemma``, by binary search on the file."""
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        low, high = 0, f.tell()
        while low < high:
            middle = (low + high) // 2
            f.seek(max(0, middle - 1))
            if middle:
                f.readline()  # to the start of the first line beginning at or after middle
            line = f.readline()
            key = line.split(b" ", 1)[0]
            if not line or key >= lemma:
                high = middle
            else:
                low = middle + 1
        f.seek(max(0, low - 1))
        if low:
            f.readline()
        for _ in range(2):
            line = f.readline()
            if line.split(b" ", 1)[0] == lemma:
                return line
    return None


# Nouns naming a bound, and how documents state one without them: "What is the maximum load?" is
# answered by "loads of up to 40 kg", "What is the cap on liability?" by "shall not exceed 150%", "What
# is the minimum Android version?" by "Android 12 or later". A bound states a number: "Acme Limited" or
# "the minimum" alone states none.
_UPPER = frozenset(["maximum", "max", "cap", "ceiling", "limit", "limits"])
_LOWER = frozenset(["minimum", "min"])
_UPPER_BOUND = re.compile(
    r"\b(up to|at most|no more than|not more than|(not|never) (to )?exceed|or (less|fewer|below)|maximum|"
    r"limits?|capped at|ceiling)\b",
    re.IGNORECASE,
)
_LOWER_BOUND = re.compile(
    r"\b(at least|no less than|not less than|no fewer than|minimum|or (later|newer|higher|above|more))\b",
    re.IGNORECASE,
)
_A_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"sixty|seventy|eighty|ninety|hundred|thousand|million|half|once|twice)\b",
    re.IGNORECASE,
)
_BEFORE, _AFTER = 24, 48
"""How near a bound's words its number stands, in characters: "Android 12 or later", "shall not exceed
one hundred and fifty percent"."""


def states_bound(noun: str, text: str) -> bool:
    """Whether ``text`` states the bound ``noun`` names in its own words, with a number ("at most 12
    bicycles" for "maximum"); False for a noun naming no bound."""
    w = fold(noun)
    bound = _UPPER_BOUND if w in _UPPER else _LOWER_BOUND if w in _LOWER else None
    return bool(bound) and any(
        _A_NUMBER.search(text[max(0, m.start() - _BEFORE) : m.end() + _AFTER]) for m in bound.finditer(text)
    )
