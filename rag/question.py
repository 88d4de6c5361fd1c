"""Question analysis: what a question asks for and what it says, computed once per question.

Every check that decides whether evidence answers a question reads one ``Question`` (see ``analyse``):
the kind of thing asked for (a number, a date, a person...), the names, numbers and key terms it is
specific about, the thing whose value it asks for, what it says happened (its predicate, outside any
relative clause), whether it is negated, and what would mean the opposite of its words. Checks read
these fields instead of parsing the question again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from rag.lexicon import RELATIONS, Opposites, base_form, opposites, superlative, synonyms
from rag.text import (
    STOPWORDS,
    anchored_names,
    clock_times,
    content_terms,
    designations,
    fold,
    name_runs,
    names,
    negated,
    negation_at,
    normalize_word,
    numbers,
    stem,
    sums,
    word_set,
    words,
)


@dataclass(frozen=True)
class Question:
    """One question, analysed (see ``analyse``)."""

    text: str
    kind: str
    """What it asks for: ``money``, ``duration``, ``number``, ``date``, ``person``, ``place`` or ``other``."""
    words: frozenset[str]
    """Its words, folded."""
    names: frozenset[str]
    """Capitalized words, a sentence's first included ("Where" too): what a new name must differ from."""
    proper_names: frozenset[str]
    """Capitalized words that are names: not a capital that only starts the question."""
    numbers: frozenset[str]
    terms: tuple[str, ...]
    """Stems of its content words, in order."""
    asked: tuple[str, ...]
    """The words naming the thing whose value it asks for (see ``asked_about``)."""
    asked_synonyms: tuple[frozenset[str], ...]
    """For each of ``asked``, stems of its WordNet synonyms ("duration": "continuance"): a passage
    naming the thing in other words mentions it too."""
    predicate: tuple[str, ...]
    """Stems of what it says of that thing, outside any relative clause (see ``predicate_terms``)."""
    clause: str
    """Its relative clause, from the pronoun on, or "" (see ``relative_clause``)."""
    acronyms: frozenset[str]
    """Upper-case words of 2 to 5 letters, folded: "HSR", "US"."""
    name_runs: tuple[tuple[str, ...], ...]
    """Runs of capitalized words (see ``rag.text.name_runs``): what an abbreviation may stand for."""
    counted: tuple[str, ...]
    """What "how many" counts: "How many troops ...?" gives ("troops",)."""
    negated: bool
    """Its main clause says "not", "never", "no" ...: "Which problem is not in P?" (not "If the
    session has not ended, ...?", "... the member who did not vote?" nor "... when it cannot reach the
    gateway?")."""
    negated_word: str
    """The stem of the word its main clause negates, the first content word after the negation ("cover"
    of "What does the warranty not cover?"), or ""."""
    negation_terms: frozenset[str]
    """Negation words it names things by ("nobody" of "Which systems do not call the nobody group
    nogroup?"): in a passage they negate nothing."""
    sums: frozenset[str]
    """The sums of money it names (see ``rag.text.sums``): a passage's other sums are what it asks for."""
    times: frozenset[str]
    """The times of day it names ("after 18:00")."""
    day_asked: bool
    """It asks which day or date ("What date ...?", "Which days ...?"): a time of day does not answer it."""
    unit: str
    """The unit it wants the answer in ("How much is it in euros?" gives "euros"), or ""."""
    who_is: bool
    """It asks who someone is ("Who is the defense minister?"): only a person answers."""
    role: bool
    """It names a role, not someone: it has a determiner or a possessive ("the Chief Engineer",
    "Ecuador's Interior Minister"), which "Who is Maria Lind?" and "Who's Maria Lind?" lack."""
    opposites: tuple[Opposed, ...]
    """What would mean the opposite of each of its plain content words (see ``rag.lexicon``)."""
    preposition: str
    """The preposition bounding what it asks for ("Until what year ...?" gives "until"), or "": the
    answer is the value that follows it ("from 2002 until 2012"). Only prepositions that tell values
    apart: "In what year ...?" says nothing of which year a sentence gives first."""
    date_grain: str
    """What a date it asks for must say: "year" ("In what year ...?"), "month" ("Which month ...?"),
    or "day" (any other date question)."""
    yes_no: bool
    """It asks whether something is so ("Is the plant open on Sundays?", "Did Ecuador ask for help?"):
    an auxiliary verb leads its main clause."""
    anchored: tuple[tuple[str, tuple[str, ...], str], ...]
    """The names it places after "to", "from", "in", "at", "near" (see ``rag.text.anchored_names``):
    "How long is the crossing to Ytterö?" gives ("to", ("yttero",), "Ytterö")."""
    category: str
    """The kind of place a place question names ("In which province ...?" gives "province"), or ""
    ("Where ...?")."""
    designated: Mapping[tuple[str, str], str] = field(default_factory=dict)
    """The things it names by a word and a letter or number, as written ("Route C" under ("route",
    "c")), which one named otherwise ("Route B") is not (see ``rag.text.designations``)."""

    @property
    def specifics(self) -> list[str]:
        """The names, numbers and asked-about words a passage must mention, for a refusal's reason."""
        return sorted(self.proper_names | self.numbers) + list(self.asked)


NEAR = 3
"""How many words on either side of a word are its neighbourhood (see ``Opposed``)."""


@dataclass(frozen=True)
class Opposed:
    """A word of the question and what would mean its opposite, with the words around it: a passage
    says the opposite only where the opposite stands among the same words ("encoded *directly*" for
    "encoded indirectly"), not anywhere in it."""

    opposites: Opposites
    near: frozenset[str]
    """Stems of the question's content words within ``NEAR`` words of it; for a preposition
    (``rag.lexicon.RELATIONS``), of the words after it only: what it governs ("after *1.0.2*"), which
    the passage's opposite must govern too ("prior to 1.0.2", not "damaged before delivery")."""


def near_stems(stems: list[str], i: int, *, relation: bool = False) -> list[str]:
    """The stems within ``NEAR`` words of the ``i``-th; for a preposition (``relation``: "after"), those
    after it only, what it governs (see ``Opposed.near``). The question's and the passage's alike."""
    before = [] if relation else stems[max(0, i - NEAR) : i]
    return before + stems[i + 1 : i + 1 + NEAR]


_CONDITION = re.compile(r"^\W*(if|unless|once|whereas|provided that|assuming)\b[^,?]*,\s*", re.IGNORECASE)


def main_clause(question: str) -> str:
    """The question without a relative clause or a leading condition: those only say which thing or
    which case is meant ("the member *who lost* the race", "*If the session has not ended*, ...")."""
    return _CONDITION.sub("", question[: len(question) - len(relative_clause(question))])


# A clause after the question's own words, from its conjunction on: "Which exit status does it return
# *when it cannot reach the gateway*?"
_TRAILING_CONDITION = re.compile(
    r"(?<=\w)\W+\b(when|whenever|if|unless|once|because|while)\b.*$", re.IGNORECASE
)


def _asked_itself(main: str) -> str:
    """The main clause without a condition after it: a negation there says which case is meant ("...
    when it cannot reach the gateway?"), not that the question asks what is not. (Opposites there still
    count: "What happens if X is *soft* for C?" asks of another case than "hard".)"""
    return _TRAILING_CONDITION.sub("", main)


# Units an answer may be asked in: "in euros", "in kilograms", "in miles per hour"
_UNITS = word_set(
    """
    dollars euros pounds yen yuan francs kronor kroner rupees pesos usd eur gbp chf sek nok
    meters metres kilometers kilometres centimeters centimetres millimeters millimetres miles feet
    inches yards kilograms grams pounds tonnes tons ounces liters litres gallons celsius fahrenheit
    kelvin seconds minutes hours days weeks months years percent volts watts amps amperes hertz
    bytes kilobytes megabytes gigabytes terabytes kb mb gb tb
    """
)


def _asked_unit(folded: str) -> str:
    found = re.search(r"\bin (\w+)(?: per \w+)?\W*$", folded)
    return found.group(1) if found and found.group(1) in _UNITS else ""


def _opposed(question: str) -> tuple[Opposed, ...]:
    """The words of the question's main clause, with their opposites: a relative clause only says
    which thing is meant ("the member *who lost* the race"), so a passage wording it otherwise
    ("Sandoval won, defeating the member") is no edited twin."""
    tokens = words(main_clause(question))
    # stemmed as `rag.mismatch.contrast` stems the passage: "bit" is "bite"
    stems = [stem(base_form(t)) if normalize_word(t) not in STOPWORDS else "" for t in tokens]
    asked = set(stems)
    found: dict[str, Opposed] = {}
    for i, token in enumerate(tokens):
        relation = fold(token) in RELATIONS  # "after", "before": words that say little on their own
        if not token[:1].islower() or len(token) <= 2 or not (stems[i] or relation) or fold(token) in found:
            continue
        o = opposites(token)
        # an opposite the question itself says ("simple or complex") is not an edit
        o = Opposites(o.word, o.stems - asked, frozenset(w for w in o.words if stem(w) not in asked))
        near = frozenset(near_stems(stems, i, relation=relation)) - {""}
        if o and near:
            found[o.word] = Opposed(o, near)
    return tuple(found.values())


def analyse(question: str) -> Question:
    """The analysis every check reads: computed once per question."""
    folded = fold(question)
    main = main_clause(question)
    itself = _asked_itself(main)
    asked = tuple(asked_about(question))
    return Question(
        text=question,
        kind=expected_kind(question),
        words=frozenset(fold(w) for w in words(question)),
        names=frozenset(names(question)),
        proper_names=frozenset(names(question, sentence_starts=False)),
        numbers=frozenset(numbers(question)),
        terms=tuple(content_terms(question)),
        asked=asked,
        asked_synonyms=tuple(synonyms(w) for w in asked),
        predicate=tuple(predicate_terms(question)),
        clause=relative_clause(question),
        acronyms=frozenset(
            normalize_word(w)
            for w in words(question)
            if _POSSESSIVE.sub("", w).isupper() and 2 <= len(normalize_word(w)) <= 5  # "MPL's" too
        ),
        name_runs=tuple(tuple(run) for run in name_runs(question)),
        counted=tuple(re.findall(r"\bhow many (\w+)", folded)),
        negated=negated(itself),
        negated_word=_negated_word(itself),
        negation_terms=_negation_terms(question),
        sums=frozenset(sums(question)),
        times=frozenset(clock_times(question)),
        day_asked=bool(_DAY_ASKED.search(folded)),
        unit=_asked_unit(folded),
        who_is=bool(_WHO_IS.search(folded)),
        role=bool(_ROLE.search(folded)),
        opposites=_opposed(question),
        preposition=_preposition(folded),
        date_grain=_date_grain(folded),
        yes_no=_asks_whether(fold(main)),
        anchored=tuple(anchored_names(question)),
        category=_category(folded),
        designated=designations(question),
    )


def _negated_word(main: str) -> str:
    """The stem of the first content word after the first negation of ``main`` (see
    ``Question.negated_word``)."""
    tokens = words(main)
    folded = [fold(t) for t in tokens]
    at = next((i for i in range(len(folded)) if negation_at(folded, i)), None)
    if at is None:
        return ""
    following = (
        tokens[i]
        for i in range(at + 1, len(tokens))
        if normalize_word(tokens[i]) not in STOPWORDS and not negation_at(folded, i)
    )
    return stem(base_form(next(following, "")))


def _negation_terms(question: str) -> frozenset[str]:
    """The negation words of ``question`` used as names, after an article ("the nobody group", "the
    none scheduler"; see ``Question.negation_terms``). Not "when no backup exists": that negates."""
    folded = [fold(t) for t in words(question)]
    return frozenset(
        w for i, w in enumerate(folded) if i and folded[i - 1] in _ARTICLES and negation_at(folded, i)
    )


_AUXILIARY = "is|are|was|were|am|do|does|did|has|have|had|can|could|will|would|shall|should|may|might|must"
_YES_NO = re.compile(rf"^\W*({_AUXILIARY})(n['’]t)?\b")
_PREPOSITIONS = "until|till|since|before|after|from|through"
_GOVERNED = re.compile(rf"^\W*({_PREPOSITIONS}) (what|which|when)\b")
_POSSESSIVE = re.compile(r"['’]s$")
_DAY_ASKED = re.compile(r"\b(what|which) (day|date)s?\b")
_GRAIN = re.compile(r"\b(what|which) (year|month)\b")


def _date_grain(folded: str) -> str:
    """ "year" for "In what year ...?", "month" for "In which month and year ...?", else "day"."""
    found = _GRAIN.search(folded)
    return found.group(2) if found else "day"


def _asks_whether(folded_main: str) -> bool:
    """An auxiliary leads the main clause, and no question word or "or" asks for something else:
    "Is the plant open?"; not "Can you tell me how many ...?", "Was it Noboa or Lasso who ...?"."""
    return bool(_YES_NO.match(folded_main)) and not _OTHERWISE_ASKED.search(folded_main)


_OTHERWISE_ASKED = re.compile(r"\b(who|whom|whose|what|which|where|when|why|how|or)\b")


def _category(folded: str) -> str:
    """ "province" for "In which Ecuadorian province ...?"; "" for "Where ...?"."""
    found = _PLACE_Q.search(folded)
    category = found.group("category") if found else ""
    return category if category and category != "place" else ""


def _preposition(folded: str) -> str:
    """ "until" for "Until what year ...?"; "" when the question word leads ("What year ...?")."""
    found = _GOVERNED.search(folded)
    return found.group(1) if found else ""


# What questions ask for
_NUMBER_Q = re.compile(
    r"\b(how (many|much|old|long|far|large|big)|what (percentage|percent|share|proportion|number|age))\b"
)
_MONEY_VERBS = "cost|pay|paid|spend|spent|charge|charged|raise|raised|worth"
_MONEY_NOUNS = "cost|costs|price|budget|fee|fees|salary|funding"
# "How much did it cost to build ...?" (not "How much time did they spend?"), "What's the total cost?"
_MONEY_Q = re.compile(
    rf"\bhow much( extra| more| less)? (did|does|do|will|would|has|have|had|is|was|are|were)\b"
    rf".*\b({_MONEY_VERBS})\b"
    rf"|\b(what|which)('s| is| was| are| were)?( the)?( [\w']+)? ({_MONEY_NOUNS})\b"
    rf"|\bwhat (do|does|did|will|would)\b.*\b({_MONEY_VERBS})\b"  # "What do members pay ...?"
)
_DURATION_Q = re.compile(r"\bhow (long|much (time|earlier|later|longer|sooner))\b")
_DATE_Q = re.compile(r"\b(when|what (year|date|day|month|time)|which (year|date|day|month))\b")
_PERSON_NOUNS = "|".join(
    sorted(
        word_set(
            """
            official officer minister leader president member commander executive director manager
            employee politician lawmaker senator candidate councillor ambassador spokesman spokeswoman
            spokesperson secretary mayor judge chief founder author person people
            """
        )
    )
)
_MODIFIER = r"(?!(is|are|was|were|do|does|did|has|have|had|will|would|can|could|the|a|an)\b)\w+"
# "Who ...?", "On whose order ...?", "Which US cabinet official ...?"; not "The contractor whose crews ..."
_PERSON_Q = re.compile(
    rf"^\W*(\w+\W+)?(who|whom|whose)\b|^\W*(\w+\W+)?(which|what) ({_MODIFIER} ){{0,2}}({_PERSON_NOUNS})s?\b"
)
_WHO_IS = re.compile(r"\bwho('s| is| was| are| were)\b")  # asks who someone is: a person
_ROLE = re.compile(  # a determiner, or a possessive that is no contraction ("who's")
    r"\b(the|its|their|our|his|her|this|that)\b|\b(?!(who|what|where|when|how|it|that)['’]s)\w+['’]s\b"
)
_PLACE_Q = re.compile(
    r"\bwhere\b"
    r"|\b(which|what) (\w+ )?(?P<category>city|country|nation|province|port|region|state|town|place)\b(?!-)"
)


def expected_kind(question: str) -> str:
    """What the question asks for: ``money``, ``duration``, ``number``, ``date``, ``person``,
    ``place`` or ``other``. A date or a place only when the word asking for it asks the question: a
    "when" or "where" after it joins a clause ("What does a station send *when* it detects a gap?",
    "Who was president *when* ...?")."""
    q = fold(question)
    asking = _asking(q)
    if _MONEY_Q.search(q):
        return "money"
    if _DURATION_Q.search(q):
        return "duration"
    if _NUMBER_Q.search(q):
        return "number"
    if _DATE_Q.match(asking):
        return "date"
    if _PERSON_Q.search(asking):
        return "person"
    place = _PLACE_Q.match(asking)
    if place and not (place.group("category") and _next_word(asking, place.end()) in _OF_A_PLACE):
        return "place"  # not "Which port number ...?": "port" only says what the number is of
    return "other"


# What a place word before it may only qualify: "Which port number ...?", "What country code ...?"
_OF_A_PLACE = word_set("number numbers code codes name address id")


def _next_word(text: str, at: int) -> str:
    found = re.match(r"\W*(\w+)", text[at:])
    return found.group(1) if found else ""


_QUESTION_WORD = r"\b(who|whom|whose|what|which|where|when|why|how)\b"
# The word that asks: first, or after one or two words ("In which ...", "For how long ...")
_ASKS = re.compile(rf"^\W*(\w+\W+){{0,2}}?(?={_QUESTION_WORD})")
# A clause before the question, ending at a comma: "When two tablets edited the same record, which
# edit is kept?"; not "When did the plant open, and where?" nor "When's it open, on weekdays?"
_LEADING_CLAUSE = re.compile(
    rf"^\W*(when|whenever|while|once|after|before|if|unless)\b(?!['’]s\b|\s*,|\W+({_AUXILIARY})\b)[^,?]+,\s*"
)


def _asking(folded: str) -> str:
    """The folded question from the word that asks it, which leads it or follows a clause leading it
    (a clause only if a question word follows it: not "When in 2019 did it reopen, after the fire?");
    "" when no word asks ("Name the ...", "Does it stop when ...?")."""
    clause = _LEADING_CLAUSE.match(folded)
    main = folded[clause.end() :] if clause and re.search(_QUESTION_WORD, folded[clause.end() :]) else folded
    found = _ASKS.match(main)
    return main[found.end() :] if found else ""


# Words that name the kind of answer, not a thing the documents must mention: "What are the dates of
# the curfew?" is answered by "from March 15 to 30"; "What was the reason for ...?" by a clause.
_ANSWER_WORDS = word_set(
    """
    name names date dates day days month months year years time times number numbers amount amounts
    kind kinds type types sort part parts place places location locations way ways thing things one
    ones address addresses people person persons reason reasons purpose goal goals aim aims cause
    causes result results outcome effect effects impact role status response reaction significance
    plan plans idea point difference relationship situation problem issue issues view position
    stance city cities country countries nation nations province provinces state states town towns region
    regions company companies organization organizations group groups term terms word words phrase
    phrases expression expressions value values
    """
)
# Modifiers of such a word that a passage need not say: "What is the *exact* date ...?"
_ANSWER_MODIFIERS = word_set(
    "current recent latest new main exact full total specific overall approximate estimated"
)
_PHRASE_ENDS = word_set("last next this ago now today currently so far")  # "Acme's revenue last year"
# Modifiers that look like adjectives, superlatives and participles: "annual", "oldest", "starting"
_ADJECTIVE_ENDINGS = (
    "al",
    "ly",
    "ic",
    "ous",
    "ive",
    "ful",
    "less",
    "able",
    "ible",
    "ary",
    "ern",
    "est",
    "ing",
)
_ASKING = frozenset(["what", "which", "who"])
_COPULA = frozenset(["is", "are", "was", "were"])
_ARTICLES = frozenset(["the", "a", "an"])


def asked_about(question: str) -> list[str]:
    """The words naming the thing whose value the question asks for, which the passage must mention.

    "What is the capital of Peru?" asks for a capital, "Who is Ecuador's defense minister?" for a
    defense minister, "How many books ...?" for a count of books: a passage that never mentions a
    capital, a minister or books cannot answer, however close it is otherwise. Only these plain shapes
    are read. Words that name the kind of answer ("date", "name", "city") are left out, and so are
    modifiers that look like adjectives ("annual revenue" is answered by "revenue of $5 million"),
    but not nouns used as modifiers ("police chief" is not "fire chief").
    """
    tokens = words(question)
    folded = [fold(t) for t in tokens]
    counting = next((i + 2 for i in range(len(folded) - 1) if folded[i : i + 2] == ["how", "many"]), 0)
    start = counting
    if not counting and len(tokens) > 3 and folded[0] in _ASKING and folded[1] in _COPULA:
        for i in range(2, len(tokens)):  # "the X of ...", "Y's X"; not "Who was offered ...?"
            if folded[i].endswith("'s") or (i == 2 and folded[i] in _ARTICLES):
                start = i + 1
            elif folded[i] in STOPWORDS:
                break
    if not start:
        return []
    phrase: list[str] = []
    for token, following in zip(tokens[start:], [*tokens[start + 1 :], ""], strict=True):
        word = normalize_word(token)
        if word in STOPWORDS or word in _PHRASE_ENDS or (counting and word in _ANSWER_WORDS):
            break  # "How many people died?": a count of people says nothing about the passage
        if word in _ANSWER_WORDS:  # "the general term used for ...": what stands before it modifies it
            if _ends_phrase(following):
                return [w for w in phrase if not _adjective_like(w)]
            continue  # "the state budget": the head is still to come
        if phrase and _participle(word) and not all(map(superlative, phrase)):
            # after a noun a participle ends the noun phrase ("the prize offered for ...", "the term
            # used to ..."); after a superlative it qualifies the noun to come ("the largest compressed file")
            break
        if (
            not token[:1].isupper() and word not in _ANSWER_MODIFIERS and not word[:1].isdigit()
        ):  # names apart
            phrase.append(word)
        if counting and len(word) > 3 and word.endswith("s"):  # "How many soldiers died?": a plural ends it
            break
    *modifiers, head = phrase or [""]
    if superlative(head):  # "What is the fewest UIDs ...?": "fewest" names no thing
        head = ""
    return [w for w in modifiers if not _adjective_like(w)] + [head] if head else []


def _participle(word: str) -> bool:
    return len(word) >= 4 and word.endswith("ed")


def _ends_phrase(token: str) -> bool:
    """Whether the noun phrase has ended before ``token`` ("" at the end of the question): "the word
    *limit*" goes on, "the word *used* for" does not."""
    word = normalize_word(token) if token else ""
    return not word or word in STOPWORDS or word in _PHRASE_ENDS or _participle(word)


def _adjective_like(word: str) -> bool:
    """Whether a modifier looks like an adjective, a superlative or a participle ("annual",
    "oldest", "moored"), which a passage may leave out: "41 buoys" answers "How many moored buoys
    ...?"."""
    return word.endswith(_ADJECTIVE_ENDINGS) or (len(word) > 5 and word.endswith("ed"))


def predicate_terms(question: str) -> list[str]:
    """Stems of what the question says of the thing it asks about, outside any relative clause:
    its content words without its names, numbers and words for the kind of answer. "Which US
    cabinet official visited Ecuador in the month that voters rejected foreign bases?" gives the stems
    of "cabinet", "official" and "visited": not of "voters", "rejected" or "bases", which only say
    which month is meant."""
    main = question[: len(question) - len(relative_clause(question))]
    skip = {stem(n) for n in names(question, sentence_starts=False)} | {
        stem(w) for w in _ANSWER_WORDS | _ANSWER_MODIFIERS
    }
    return [t for t in content_terms(main) if t not in skip and not t[:1].isdigit()]


# "... the former base that the US Air Force had operated until 2009?"; not "In which month ...?"
_RELATIVE = frozenset(["who", "whom", "whose", "that", "which", "where"])


def relative_clause(question: str) -> str:
    """The question from its first relative pronoun after the opening words to the end, or ""."""
    tokens = list(re.finditer(r"\w+", question))
    for before, token in zip(tokens[2:-2], tokens[3:-1], strict=True):
        gap = question[before.end() : token.start()]
        if token.group().lower() in _RELATIVE and not gap.strip():  # "Besides the CFO, whose ...?" asks
            return question[token.start() :]
    return ""
