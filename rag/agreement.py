"""Agreement: what each document says of what is asked, so that an answer cites every document that
says the same and shows it when they disagree.

The evidence that can answer (``rag.refusal``) may come from several documents. Each unit is read
for the one value of the kind the question asks for (a count or share, a sum, a date, a person) that
it gives for what is asked: its only candidate, or the candidate nearest to the words of the
question's predicate ("SOUTHCOM Commander General Francis Donovan, at the order of Pentagon chief
Pete Hegseth" gives Donovan for "Who is the SOUTHCOM commander?"). Units giving the same value are
one *stance*; one unit per document counts. One stance: the answer cites each of its documents.
Several: the documents disagree, and the answer shows every stance with its sources, the stance of
most documents first, then the most recent. So a planted document that contradicts the others never
becomes the only source of an answer.

Only values that can be compared exactly are weighed: numbers, sums, dates (at the grain the
question asks: a day, a month, a year; "March 6" and "March 6, 2026" agree, "April 2025" and "May
2025" do not), people (by surname), and places of the category a question names ("In which
province ...?": "the province of Sucumbios", "Carchi province"). A place is often named a sentence
away from what happened there ("... struck a training camp. The operation was carried out in the
province of Sucumbios."), so a unit naming none gives its passage's, when the passage names one
only. A yes/no question is answered "yes" by a unit saying all it says, "no" by one denying it ("The
plant is not open on Sundays"). A place a question asks for without naming its category ("Where
...?") is not weighed, nor free text: "in Manta" and "in Ecuador" differ without disagreeing.

A planted document often restates another's sentence with the value changed and a detail dropped
("killed four men" for "killed six men Sunday"): a unit that says nearly every word the answer's
unit says, and no name it does not, is weighed even when its passage lacks a detail the question
gives (``RESTATED``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from rag.lexicon import base_form
from rag.question import Question
from rag.refusal import (
    DATES,
    Support,
    also_answers,
    mentions_specifics,
    new_people,
    rivals,
)
from rag.text import (
    STOPWORDS,
    anchored_names,
    content_terms,
    fold,
    money_spans,
    name_runs,
    names,
    negated,
    normalize_word,
    shares_stem,
    split_sentences,
    stem,
    word_matches,
    word_set,
    words,
)
from rag.types import Evidence, Hit

WEIGHED_KINDS = frozenset(["number", "money", "date", "person", "place"])
COVERED = 0.5
"""Share of the question's terms a unit must itself say to be weighed."""
NEAR = 8
"""Words between a candidate value and a word of the question's predicate for the candidate to be
what a unit holding several says of what is asked."""
DENIAL_REACH = 3
"""Words before a word of a yes/no question within which a negation denies what it asks."""
RESTATED = 0.7
"""Share of the content words of two units (values aside) both say for one to restate the other."""
# "date" of "On what date ...?" is not a word a unit must say
_DATE_WORDS = frozenset(stem(w) for w in word_set("date dates day days month months year years time times"))
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_YEARS = r"1[89]\d\d|20\d\d"
_MONTH_YEAR = re.compile(rf"\b({_MONTHS})\.?(?: \d{{1,2}}(?:st|nd|rd|th)?)?(?:,? ({_YEARS}))?\b")
_YEAR = re.compile(rf"\b({_YEARS})\b")
_DAY_YEAR = re.compile(rf",? ({_YEARS})\b")


@dataclass(frozen=True)
class Stance:
    """One value of what is asked (``value`` as the first unit writes it) and the units giving it,
    one per document, best first."""

    value: str
    key: str
    units: tuple[Evidence, ...]

    @property
    def latest(self) -> str:
        """The newest date of its documents, or "" when none is dated."""
        return max((u.chunk.date or "" for u in self.units), default="")


@dataclass(frozen=True)
class Agreement:
    """The stances of the documents on what is asked, the answer's first. Empty when the answer's
    unit gives no one value that can be compared."""

    stances: tuple[Stance, ...] = ()

    @property
    def conflict(self) -> bool:
        return len(self.stances) > 1

    @property
    def corroborating(self) -> tuple[Evidence, ...]:
        """Units of other documents giving the answer's value: cited beside the answer's own."""
        return self.stances[0].units[1:] if len(self.stances) == 1 else ()

    def ranked(self) -> list[Stance]:
        """The stances as a disagreement shows them: most documents first, then the most recent."""
        return sorted(self.stances, key=lambda s: (len(s.units), s.latest), reverse=True)


def weigh(q: Question, support: Support, evidence: Sequence[Evidence], hits: Sequence[Hit]) -> Agreement:
    """The stances of the documents on what ``q`` asks: of the unit the answer rests on
    (``support.evidence``), of every other unit in ``evidence`` (best first) that passes the same
    checks (``also_answers``; ``support.eligible`` already has), and of the same sentence repeated
    word for word in another retrieved passage (a wire story in two papers: selection keeps one)."""
    answer = support.evidence
    weighed_kind = q.kind in WEIGHED_KINDS or q.yes_no
    if answer is None or not weighed_kind or not _says_what_is_asked(q, answer):
        return Agreement()  # "Who is Noboa?" asks for no value of anything: nothing to weigh
    first = _read(q, answer)
    if first is None:
        return Agreement()
    weighed = [first]
    documents = {answer.chunk.doc_id}
    for unit in evidence:
        if unit.chunk.doc_id in documents or not _says_what_is_asked(q, unit):
            continue
        if unit not in support.eligible and not _speaks_to(q, unit, answer, evidence):
            continue
        found = _read(q, unit)
        if found is not None:
            weighed.append(found)
            documents.add(unit.chunk.doc_id)
    # A unit that also names the value of a unit before it ("Noboa met General Donovan and Mark A.
    # Schafer, Commander of ...") does not say otherwise: it is left out, best units first.
    stances: list[list] = []  # [key, value, units]; a stance's key grows as precise as its units say
    for unit, (key, value) in weighed:
        joins = next((s for s in stances if _agree(s[0], key)), None)
        others = [s[0] for s in stances if s is not joins]
        if any(_agree(named, other) for named in _keys(q, unit) for other in others):
            continue
        if joins is None:
            stances.append([key, value, [unit]])
        else:  # "March 6" joined by "March 6, 2025": a "March 6, 2026" after it disagrees
            joins[0] = _merged(joins[0], key)
            joins[2].append(unit)
    for _, _, units in stances:
        units.extend(_copies(units, hits, documents))
    return Agreement(tuple(Stance(value, key, tuple(units)) for key, value, units in stances))


def _agree(a: str, b: str) -> bool:
    """Whether two keys give the same value: equal, or dates that share a field and differ in none
    that both give ("m=mar d=6" and "m=mar d=6 y=2026")."""
    if a == b:
        return True
    if "=" not in a or "=" not in b:
        return False
    fa, fb = _fields(a), _fields(b)
    shared = fa.keys() & fb.keys()
    return bool(shared) and all(fa[f] == fb[f] for f in shared)


def _merged(a: str, b: str) -> str:
    """The key saying every field of two agreeing keys."""
    if "=" not in a:
        return a
    return " ".join(f"{f}={v}" for f, v in {**_fields(a), **_fields(b)}.items())


def _fields(key: str) -> dict[str, str]:
    return dict(f.split("=") for f in key.split())


def _copies(units: Sequence[Evidence], hits: Sequence[Hit], documents: set[str]) -> list[Evidence]:
    """The units' sentences where passages of other documents repeat them word for word: one per
    document; ``documents`` gains theirs."""
    found = []
    for hit in hits:
        chunk = hit.chunk
        if chunk.doc_id in documents:
            continue
        for unit in units:
            at = chunk.text.find(unit.text)
            if at >= 0:
                start = chunk.start + at
                found.append(replace(unit, chunk=chunk, start=start, end=start + len(unit.text)))
                documents.add(chunk.doc_id)
                break
    return found


def _read(q: Question, unit: Evidence) -> tuple[Evidence, tuple[str, str]] | None:
    """The unit giving ``unit``'s value and that value (see ``value_of``): ``unit`` itself, or, for a
    place it does not name, the one sentence of its passage naming a place of the asked category
    when no other sentence there names another."""
    found = value_of(q, unit)
    if (
        found is not None
        or q.kind != "place"
        or _candidates(q, unit, anywhere=True)
        or anchored_names(unit.text)
    ):
        return (unit, found) if found is not None else None  # "near Lago Agrio": a place, if not by category
    chunk = unit.chunk
    read = []
    for start, end in split_sentences(chunk.text, chunk.start):
        sentence = replace(
            unit, text=chunk.text[start - chunk.start : end - chunk.start], start=start, end=end
        )
        read += [(sentence, (key, value)) for key, value, _ in _candidates(q, sentence)]
    return read[0] if len({key for _, (key, _) in read}) == 1 else None


def _speaks_to(q: Question, unit: Evidence, answer: Evidence, evidence: Sequence[Evidence]) -> bool:
    """Whether ``unit`` passes the checks the answer's unit passed (``also_answers``), the question's
    details in its passage aside when it restates the answer's unit (``_restates``)."""
    return also_answers(q, unit, evidence, specific=False) and (
        mentions_specifics(q, unit, others=[*evidence, unit]) or _restates(q, unit, answer)
    )


def _restates(q: Question, unit: Evidence, answer: Evidence) -> bool:
    """Whether ``unit`` says what ``answer`` says, its value aside: at least ``RESTATED`` of the
    content words either says are said by both, and it names nothing ``answer`` and the question do
    not ("The US military said a strike ... in the eastern Pacific killed four men" restates "... it
    killed six men Sunday in a strike ... in the eastern Pacific"; "... in the Caribbean killed three
    men" does not)."""
    own, other = ({t for t in content_terms(u.text) if not t[:1].isdigit()} for u in (unit, answer))
    named = {stem(n) for n in names(unit.text, sentence_starts=False)}
    years = {y for y in _YEAR.findall(unit.text) if y not in answer.text and y not in q.numbers}
    return (
        bool(own)
        and not years  # "In 2019 a fire at the old mill ...": another fire
        and len(own & other) >= RESTATED * len(own | other)
        and named <= other | {stem(n) for n in q.names}
    )


def value_of(q: Question, unit: Evidence) -> tuple[str, str] | None:
    """``(key, value)``: the one value of the asked kind ``unit`` gives for what is asked (``key``
    compares, ``value`` is as written), or None when it gives none or it cannot tell which. For a
    yes/no question, whether it says so (see ``_stance``)."""
    if q.yes_no:
        return _stance(q, unit)
    found = [c for c in _candidates(q, unit) if c[0] not in q.terms]  # not "Head" of "Who heads ...?"
    keys = {key for key, _, _ in found}
    if len(keys) > 1 and q.preposition:  # "Until what year ...?": "from 2002 until 2012" gives 2012
        governed = [c for c in found if _word_before(unit.text, c[2]) == q.preposition]
        if len({key for key, _, _ in governed}) == 1:
            found, keys = governed, {governed[0][0]}
    if len(keys) == 1:
        key, value, _ = found[0]
        return key, value
    # a count sits by the thing counted ("in four provinces", not "March 15 to 30 in ... provinces")
    near = {stem(w) for w in q.counted} if q.kind == "number" and q.counted else _predicate_stems(q)
    anchors = [m.start() for m in word_matches(unit.text) if stem(m.group()) in near]
    if not keys or not anchors:
        return None
    distances = {}
    for key, value, at in found:
        gap = min(_words_between(unit.text, at, a) for a in anchors)
        if gap <= NEAR and gap < distances.get(key, (NEAR + 1, ""))[0]:
            distances[key] = (gap, value)
    nearest = sorted(distances.items(), key=lambda item: item[1][0])
    if not nearest or (len(nearest) > 1 and nearest[0][1][0] == nearest[1][1][0]):
        return None
    key, (_, value) = nearest[0]
    return key, value


def _stance(q: Question, unit: Evidence) -> tuple[str, str] | None:
    """ "yes" when ``unit`` says every term of a yes/no question; "no" when it does and a negation
    stands within ``DENIAL_REACH`` words before one of those terms that is no name ("The plant is not
    open on Sundays", "Water damage is never covered"); None when it leaves a term unsaid. A negation
    elsewhere in the sentence ("The plant, which has no night shift, is open on Sundays") denies
    nothing that is asked. As in speech, "Isn't the plant open on Sundays?" is answered "no" when it
    is not."""
    said, named = _said(q, unit), _named(q, unit)
    terms = [t for t in q.terms if not negated(t)]  # "isn't" of "Isn't the plant open ...?"
    if not all(t in named or shares_stem(t, said) for t in terms):
        return None
    plain = set(terms) - {stem(n) for n in q.proper_names}
    tokens = words(unit.text)
    asked = [i for i, t in enumerate(tokens) if stem(t) in plain or stem(base_form(t)) in plain]
    return ("no", "no") if any(_denies(tokens, i, q) for i in asked) else ("yes", "yes")


def _denies(tokens: list[str], at: int, q: Question) -> bool:
    """Whether a negation stands within ``DENIAL_REACH`` words before ``tokens[at]`` with nothing but
    stopwords and the question's words between: "is not open", "failed to approve"; not "covers water
    damage but not fire damage" (the "damage" of fire), nor "Without exception, the warranty"."""
    for i in range(at - 1, max(-1, at - 1 - DENIAL_REACH), -1):
        if negated(tokens[i]):
            return True
        if normalize_word(tokens[i]) not in STOPWORDS and stem(tokens[i]) not in q.terms:
            return False
    return False


def _keys(q: Question, unit: Evidence) -> set[str]:
    """Every value of the asked kind ``unit`` names, of what is asked or not."""
    return {key for key, _, _ in _candidates(q, unit, anywhere=True)}


def _candidates(q: Question, unit: Evidence, *, anywhere: bool = False) -> list[tuple[str, str, int]]:
    """``(key, value, offset)`` of each value of the asked kind in ``unit``'s text, in order; a person
    only near what the question names, unless ``anywhere``."""
    text = unit.text
    if q.kind == "number":
        options = rivals(q, text)
        found = []
        matches = word_matches(text)
        for i, m in enumerate(matches):
            key = normalize_word(m.group()).rstrip("%")
            if key in options:
                after = matches[i + 1].group().lower() if i + 1 < len(matches) else ""
                value = f"{m.group()} percent" if after == "percent" else m.group()
                found.append((key, value, m.start()))
        return found
    if q.kind == "money":
        options = rivals(q, text)
        return [(key, m.group(), m.start()) for key, m in money_spans(text) if key in options]
    if q.kind == "date":
        asked = [key for key, _, _ in _dates(q.date_grain, q.text)]  # "the March 6 strikes": not asked for
        found = _dates(q.date_grain, text)
        return [date for date in found if not any(_agree(date[0], key) for key in asked)]
    if q.kind == "person":  # named near what the question names: "Ecuador's President Daniel Noboa"
        found = []
        for person in new_people(text, q, context=unit.chunk.text):
            written = _written(_untitled(q, person), text)
            if written and (anywhere or _near_names(q, text, text.find(written))):
                found.append((person.split()[-1], written, text.find(written)))
        return sorted(found, key=lambda f: f[2])
    if q.kind == "place" and q.category:
        return [(key, value, at) for key, value, at in _places(q.category, text) if key not in q.proper_names]
    return []


_PLACE_NAME = r"[A-ZÀ-Þ][\w'’-]*(?: (?:(?:de|del|do|da|la|las|los) )*[A-ZÀ-Þ][\w'’-]*)*"
# words before a place's name that are not part of it: "The Carchi province", "Northern Carchi"
_NOT_THE_PLACE = STOPWORDS | word_set(
    "northern southern eastern western central northeastern northwestern southeastern southwestern"
)


@lru_cache(maxsize=4096)
def _places(category: str, text: str) -> tuple[tuple[str, str, int], ...]:
    """``(key, value, offset)`` of each place of ``category`` named in ``text``: "the province of
    Sucumbios", "Carchi province" (a possessive before it is not the place: "Ecuador's Carchi
    province")."""
    noun = rf"(?i:{re.escape(category)}(?:s|es)?)"
    found = []
    for pattern in (rf"\b{noun} of (?:the )?({_PLACE_NAME})", rf"({_PLACE_NAME}) {noun}\b"):
        for m in re.finditer(pattern, text):
            named = m.group(1).split()
            while named and (fold(named[0]) in _NOT_THE_PLACE or re.search(r"['’]s$", named[0])):
                named = named[1:]  # "The Carchi province", "Ecuador's Carchi province", "Northern Carchi"
            if named:
                value = " ".join(named)
                found.append((fold(value), value, m.start(1) + m.group(1).rfind(value)))
    return tuple(sorted(found, key=lambda f: f[2]))


def _near_names(q: Question, text: str, at: int) -> bool:
    """Whether each name the question gives ("Ecuador", "US Southern Command") is written within
    ``NEAR`` words of offset ``at``, at least half of its words, themselves or in an acronym
    ("SOUTHCOM"): a sentence naming "President Donald Trump" twenty words after "Ecuador" does not
    say who Ecuador's president is."""
    near = [m for m in word_matches(text) if _words_between(text, at, m.start()) <= NEAR]
    said = {stem(m.group()) for m in near}
    for m in near:
        if m.group().isupper() and len(m.group()) > 2 and stem(m.group()) not in q.proper_names:
            said |= {stem(n) for run in q.name_runs for n in _abbreviated_by(m.group(), run)}
    named = {stem(n) for n in q.proper_names}
    runs = [[stem(n) for n in run if stem(n) in named] for run in q.name_runs]
    return all(2 * sum(n in said for n in run) >= len(run) for run in runs if run)


def _words_between(text: str, a: int, b: int) -> int:
    return len(words(text[min(a, b) : max(a, b)]))


def _abbreviated_by(token: str, run: Sequence[str]) -> set[str]:
    """The words of the longest stretch of ``run`` that ``token`` abbreviates, each word by a prefix
    of itself in order: "SOUTHCOM" gives southern and command, "UN" united and nations."""
    folded = fold(token).replace(".", "")
    best: set[str] = set()
    for i in range(len(run)):
        for j in range(len(run), i + 1, -1):
            if j - i > len(best) and _prefixes(folded, [fold(w) for w in run[i:j]]):
                best = set(run[i:j])
    return best


def _prefixes(token: str, parts: Sequence[str]) -> bool:
    """Whether ``token`` is a prefix of each of ``parts`` in turn, each at least one letter."""
    if not parts:
        return not token
    head = parts[0]
    return any(
        token[:n] == head[:n] and _prefixes(token[n:], parts[1:])
        for n in range(min(len(head), len(token)), 0, -1)
    )


def _says_what_is_asked(q: Question, unit: Evidence) -> bool:
    """Whether ``unit`` itself (not its passage) says what the question asks: it shares a word of the
    predicate or the asked phrase, and at least ``COVERED`` of the question's terms. A unit that
    passed the support checks through its passage ("The total cost is $6.8 million." for "The
    contractor whose crews pumped out basements works on a project of what cost?") says too little
    to agree or disagree with anything."""
    said = _said(q, unit)
    if not any(shares_stem(t, said) for t in _predicate_stems(q)):
        return False
    named = _named(q, unit)
    terms = [t for t in q.terms if t not in _DATE_WORDS]
    return sum(t in named or shares_stem(t, said) for t in terms) >= COVERED * len(terms)


def _said(q: Question, unit: Evidence) -> list[str]:
    """Stems of what ``unit`` says, in its words and in the question's: irregular forms by their base
    ("struck": strike), the question's acronyms where the unit spells them out."""
    said = content_terms(unit.text)
    said += [stem(base_form(w)) for w in words(unit.text) if base_form(w) != fold(w)]  # struck: strike
    for run in name_runs(unit.text):  # "US" of the question is "the United States" of the unit
        said += [stem(a) for a in q.acronyms if len(_abbreviated_by(a, run)) > 1]
    return said


def _named(q: Question, unit: Evidence) -> set[str]:
    """The question's names that ``unit``'s passage names: a name may be in the sentence before ("...
    linked to Hernan Ruilova Barzola. The operation ...")."""
    return {stem(n) for n in q.proper_names} & set(content_terms(unit.chunk.text))


def _predicate_stems(q: Question) -> set[str]:
    """What the question says of what it asks: its predicate and asked phrase, or, when it has
    neither ("Who is Ecuador's interior minister?"), its terms that are not names; when every term is
    a name, all of them if it names a role ("Who is Ecuador's Interior Minister?"), else none."""
    said = set(q.predicate) | {stem(w) for w in q.asked} or set(q.terms) - {stem(n) for n in q.proper_names}
    # "Who is Ecuador's Interior Minister?": a role in capitals is what it says ("Who is Maria Lind?"
    # says nothing of anything)
    return said or (set(q.terms) if q.role else set())


@lru_cache(maxsize=4096)
def _dates(grain: str, text: str) -> tuple[tuple[str, str, int], ...]:
    """``(key, value, offset)`` of each date in ``text`` at ``grain`` (``Question.date_grain``): a year
    ("y=2009"), a month ("m=apr y=2025", the year when given), or a day ("m=mar d=6", with "y=2026"
    and shown with it when written "March 6, 2026"). Cached: a unit's dates are read for its value
    and for every value it names."""
    if grain == "year":
        return tuple((f"y={m.group()}", m.group(), m.start()) for m in _YEAR.finditer(text))
    if grain == "month":
        found = []
        for m in _MONTH_YEAR.finditer(text):
            year = f" y={m.group(2)}" if m.group(2) else ""
            found.append((f"m={fold(m.group(1))[:3]}{year}", m.group(), m.start()))
        return tuple(found)
    found = []
    for m in DATES.finditer(text):
        parts = re.findall(r"[a-z]+|\d+", fold(m.group()))
        month = next(p for p in parts if p.isalpha() and p not in ("st", "nd", "rd", "th"))
        day = next(p for p in parts if p.isdigit())
        year = _DAY_YEAR.match(text, m.end())
        key = f"m={month[:3]} d={int(day)}" + (f" y={year.group(1)}" if year else "")
        found.append((key, text[m.start() : year.end() if year else m.end()], m.start()))
    return tuple(found)


def _word_before(text: str, at: int) -> str:
    """The word just before offset ``at``, folded: "until" for the 2012 of "from 2002 until 2012"."""
    before = words(text[:at])
    return fold(before[-1]) if before else ""


def _untitled(q: Question, person: str) -> str:
    """``person`` without its leading words that the question names (the role it asks about): "paul
    meyer" of "engineer paul meyer" for "Who is the Chief Engineer?"."""
    parts = person.split()
    while len(parts) > 1 and parts[0] in q.proper_names:
        parts = parts[1:]
    return " ".join(parts)


def _written(person: str, text: str) -> str | None:
    """Where ``person`` (folded: "francis l donovan") is written in ``text``: "Francis L. Donovan"."""
    pattern = r"\W+".join(re.escape(part) for part in person.split())
    folded = "".join(fold(c)[:1] or c for c in text)  # one letter for one, so offsets hold
    found = re.search(rf"\b{pattern}\b", folded)
    return text[found.start() : found.end()] if found else None
