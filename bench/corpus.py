"""A deterministic generator of synthetic news-like documents, for the ingestion and retrieval benchmarks.

    python bench/corpus.py OUT_DIR --docs 2000 --seed 0

Each document is a ``.txt`` file that starts with ``date YYYY-MM-DD <headline>`` (the header
``rag.reading`` understands), then 3-12 paragraphs, 150-900 words in all, of news prose built from
templates and word lists: people with roles, made-up towns and organisations, amounts, percentages,
counts, dates and quotes. Every document gets its own names and numbers, so a keyword or dense
retrieval benchmark can ask about one document and know which one holds the answer.

The same ``--docs`` and ``--seed`` always give byte-identical files: document ``i`` depends only on
``(seed, i)``, so the first 100 documents of a 2,000-document corpus are the 100 of a 100-document one.

What it prints: how many documents and words were written and how long it took. The figures also go
to ``bench-out/corpus.json``. Other scripts import ``write_corpus`` and ``generate_document``.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/corpus.py`: import `bench` from the repository root
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import random
import re
import statistics
import time

from bench._common import DEFAULT_OUT, machine, write_json

MIN_WORDS, MAX_WORDS = 150, 900
MIN_PARAGRAPHS, MAX_PARAGRAPHS = 3, 12


def _list(words: str) -> tuple[str, ...]:
    return tuple(words.split())


FIRST_NAMES = _list(
    "Amara Bastien Celine Dario Elif Farid Greta Hiroshi Ingrid Joaquin Kavya Lorcan Mireille Nikolai "
    "Odile Pablo Quentin Rosalind Soren Tamsin Ulrich Valentina Wendell Ximena Yusuf Zofia Anselm Beatriz "
    "Cosimo Delphine Emeka Fenella Gideon Halima Isidro Jolene Kenji Leopold Marisol Nadia Orson Priya "
    "Rafferty Saoirse Thaddeus Una Vikram Wilhelmina Yannick Zainab Aurelio Brigid Casimir Dagny Evander "
    "Florentyna Gustavo Henrietta Ignatius Juniper Kasimir Lucinda Matthias Noor Octavia Piers Rhiannon "
    "Sebastiano Theodora Ursula Viggo Winifred Xavier Yelena Zebulon Adaeze Benedikt Caoimhe Dmitri"
)
LAST_NAMES = _list(
    "Abernathy Bellweather Castellanos Drummond Eriksen Fairweather Galloway Halvorsen Ibarra Jankowski "
    "Kowalczyk Lindqvist Montague Nakamura Okonkwo Pemberton Quiroga Rasmussen Szabo Thornbury Uematsu "
    "Vasquez Whitlock Yilmaz Zielinski Ashdown Blackwood Carrington Delacroix Esposito Fitzgerald Gutierrez "
    "Hargreaves Iversen Jaramillo Kristiansen Lachance Mbeki Nordstrom Oyelaran Petrakis Quennell Rourke "
    "Silvestri Takahashi Umberto Valdivia Wainwright Xanthopoulos Yoshida Zamora Achterberg Brannigan "
    "Cvetkovic Dunmore Eberhardt Falkenrath Grimaldi Holloway Ilunga Jovanovic Kettering Larkspur Moreau "
    "Novak Ostrowski Pellegrini Radcliffe Sandoval Trevelyan Underhill Vilanova Wexford"
)
TOWN_HEADS = _list(
    "Ash Brack Cald Dun Ell Fen Gil Hart Ivy Kel Lang Mar Nor Ock Pell Quarry Rook Sal Thorn Umber "
    "Vale Wex Yar Zen Brig Cray Drum Glen High Kirk Low Mill Oak Pen Red Stone Wolf"
)
TOWN_TAILS = _list(
    "bridge ford haven holm mouth port stead wick worth by field gate ham ley minster ton vale well "
    "crest moor"
)
REGIONS = _list(
    "Northmarch Southreach Eastwold Westerly Highveld Lowmere Coastmoor Riverlands Greyfell Amberleigh "
    "Suncliff Stormhaven"
)
DISTRICTS = (
    "Old Town",
    "the harbour district",
    "the northern suburbs",
    "the university quarter",
    "the industrial estate",
    "the riverside",
    "the market square",
    "the eastern estates",
)
RIVERS = _list("Aldwyn Brisk Corran Dee Esk Fallow Garrow Hollin Isel Kennet")
WEEKDAYS = _list("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
MONTHS = _list("January February March April May June July August September October November December")
CURRENCIES = ("$", "\u20ac", "\u00a3")
DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

# Per topic: what is built or decided, who is affected, what is counted, who speaks for it.
TOPICS = {
    "transport": {
        "projects": [
            "extend the tram line to {district}",
            "rebuild the {river} bridge",
            "electrify the coastal railway",
            "add {small} new bus routes",
            "widen the ring road around {town}",
        ],
        "things": ["bus fares", "the rail link", "the new tram depot", "night services", "the cycle lanes"],
        "affected": ["commuters", "passengers", "drivers", "cyclists"],
        "unit": ["passengers a day", "journeys a week", "vehicles an hour"],
        "org_kind": ["Transit Authority", "Railways", "Roads Agency"],
        "roles": ["transport minister", "head of the drivers' union", "chief engineer"],
    },
    "health": {
        "projects": [
            "open a second emergency ward in {town}",
            "hire {small}0 more nurses",
            "replace the hospital's heating plant",
            "vaccinate every pupil in {region}",
        ],
        "things": ["waiting lists", "the new clinic", "ambulance response times", "the maternity unit"],
        "affected": ["patients", "nurses", "families", "care workers"],
        "unit": ["patients a month", "beds", "appointments a week"],
        "org_kind": ["Health Trust", "Medical Board", "Hospital Foundation"],
        "roles": ["health minister", "chief medical officer", "director of nursing"],
    },
    "energy": {
        "projects": [
            "build a {small}0-megawatt solar farm near {town}",
            "connect {district} to the district heating network",
            "close the coal plant at {town}",
            "install an offshore wind array off {region}",
        ],
        "things": ["electricity prices", "the grid upgrade", "the battery store", "heating bills"],
        "affected": ["households", "businesses", "factories", "tenants"],
        "unit": ["homes", "megawatt hours a year", "tonnes of carbon a year"],
        "org_kind": ["Energy", "Power Cooperative", "Grid Company"],
        "roles": ["energy minister", "chief executive", "grid operations director"],
    },
    "courts": {
        "projects": [
            "reopen the inquiry into the {river} warehouse fire",
            "appeal the sentence handed down in {town}",
            "review {small}00 closed fraud cases",
        ],
        "things": ["the verdict", "the trial", "the evidence", "the appeal", "the plea deal"],
        "affected": ["defendants", "witnesses", "victims' families", "jurors"],
        "unit": ["cases", "charges", "witness statements"],
        "org_kind": ["Prosecution Service", "Court of Appeal", "Legal Aid Board"],
        "roles": ["chief prosecutor", "defence lawyer", "presiding judge"],
    },
    "education": {
        "projects": [
            "build a new secondary school in {district}",
            "cut class sizes across {region}",
            "offer free school meals to every pupil in {town}",
            "merge the two colleges in {town}",
        ],
        "things": ["exam results", "teacher pay", "the school budget", "the new curriculum"],
        "affected": ["pupils", "teachers", "parents", "students"],
        "unit": ["pupils", "teaching posts", "classrooms"],
        "org_kind": ["Schools Board", "College", "Teachers' Federation"],
        "roles": ["education minister", "head teacher", "union secretary"],
    },
    "environment": {
        "projects": [
            "restore the wetlands along the {river}",
            "plant {small}0,000 trees around {town}",
            "ban single-use plastics in {region}",
            "clean up the {river} estuary",
        ],
        "things": ["air quality", "the flood defences", "river pollution", "the nature reserve"],
        "affected": ["residents", "farmers", "anglers", "volunteers"],
        "unit": ["hectares", "tonnes of waste", "species"],
        "org_kind": ["Environment Agency", "Rivers Trust", "Wildlife Society"],
        "roles": ["environment minister", "ecologist", "campaign director"],
    },
    "business": {
        "projects": [
            "take over its rival in {town}",
            "move its headquarters to {district}",
            "cut {small}00 jobs at the {town} plant",
            "list its shares on the {region} exchange",
        ],
        "things": ["the merger", "quarterly profits", "the share price", "the new factory"],
        "affected": ["workers", "shareholders", "suppliers", "customers"],
        "unit": ["employees", "units a year", "stores"],
        "org_kind": ["Holdings", "Industries", "Logistics", "Foods"],
        "roles": ["chief executive", "finance director", "works council chair"],
    },
    "housing": {
        "projects": [
            "build {small}00 affordable homes in {district}",
            "cap rents across {town}",
            "demolish the tower blocks in {district}",
            "convert the old barracks in {town} into flats",
        ],
        "things": ["rents", "the housing waiting list", "the building permits", "house prices"],
        "affected": ["tenants", "first-time buyers", "landlords", "homeless families"],
        "unit": ["homes", "flats", "families on the list"],
        "org_kind": ["Housing Association", "Development Corporation", "Tenants' Union"],
        "roles": ["housing minister", "planning officer", "tenants' spokesperson"],
    },
    "sport": {
        "projects": [
            "host the {region} games in {town}",
            "rebuild the stadium in {district}",
            "sign the striker from {town} United",
            "bid for the continental championship",
        ],
        "things": ["the final", "the season", "ticket sales", "the new stadium"],
        "affected": ["fans", "players", "season-ticket holders", "local clubs"],
        "unit": ["spectators", "goals", "matches"],
        "org_kind": ["Football Club", "Athletics Federation", "Sports Council"],
        "roles": ["head coach", "club chairman", "team captain"],
    },
    "technology": {
        "projects": [
            "bring fibre broadband to every village in {region}",
            "open a data centre outside {town}",
            "launch a satellite from the {region} spaceport",
            "digitise the land registry",
        ],
        "things": ["the outage", "the data breach", "the new app", "mobile coverage"],
        "affected": ["users", "small businesses", "engineers", "subscribers"],
        "unit": ["users", "servers", "connections"],
        "org_kind": ["Telecom", "Networks", "Digital Agency", "Robotics"],
        "roles": ["chief technology officer", "digital minister", "security researcher"],
    },
    "weather": {
        "projects": [
            "raise the flood walls along the {river}",
            "evacuate the low-lying streets of {district}",
            "reopen the mountain pass above {town}",
        ],
        "things": ["the storm", "the floods", "the heatwave", "the snowfall", "the drought"],
        "affected": ["residents", "motorists", "farmers", "holidaymakers"],
        "unit": ["millimetres of rain", "homes without power", "people evacuated"],
        "org_kind": ["Met Office", "Civil Protection Agency", "Fire and Rescue Service"],
        "roles": ["chief forecaster", "fire chief", "emergency coordinator"],
    },
}

HEADLINES = [
    "{town} approves {money} plan to {project}",
    "{person_full} named {role} of {org}",
    "{count} {affected} hit as {thing_cap} row deepens in {town}",
    "{org} to {project}, {person_last} says",
    "{region} votes on {thing} after {percent} rise",
    "{thing_cap} in {town}: what the {money} deal means for {affected}",
    "{person_last} defends {org} over {thing}",
    "Inquiry into {thing} opens in {town}",
]

# Slots: {person} (a name, with its role the first time), {org}, {town}, {region}, {district}, {river},
# {money}, {percent}, {count}, {unit}, {affected}, {thing}, {project}, {date}, {weekday}, {year}, {small}.
SENTENCES = [
    "{org} said on {weekday} it would {project} at a cost of {money}.",
    "Speaking in {town} on {date}, {person} said the first phase alone would cost {money}.",
    "The figure of {count} {unit} was disputed by {org}, which put it closer to {count2}.",
    "{person} first raised concerns about {thing} in a letter sent on {date}, {year}.",
    "At a hearing in {town} on {weekday}, lawyers for {org} asked for a delay of {small} months.",
    "Turnout at the public meeting in {district} was the highest since {year}, organisers said.",
    "The cost per head works out at roughly {money_small}, {org} calculated.",
    "A spokesperson for {org} said the {percent} figure was \u201cmisleading\u201d.",
    "Those most affected, mainly {affected} in {district}, were offered compensation of {money_small} each.",
    "{person} said {org} had received {count} complaints since {date}.",
    "The scheme was modelled on one in {town2}, where {thing} improved by {percent} within {small} years.",
    "Auditors found that {count} {unit} had been counted twice in the {year} accounts.",
    "Engineers from {org} will survey the site near the {river} from {date}.",
    "By {year2}, {org} expects to serve {count} {unit} in {region}.",
    "{person} has led {org} since {year} and is widely expected to stand for re-election.",
    "The motion passed with the support of {small} independent members of the {region} assembly.",
    "The plan, first proposed in {year}, was approved by {votes} votes to {votes2} on {date}.",
    "Officials estimate that {count} {affected} in {town} will be affected by the change.",
    "According to figures published by {org}, {thing} rose by {percent} over the past year.",
    "{person} said the decision had been taken after months of talks with {affected}.",
    "Critics argue that {thing} has been neglected in {region} for more than a decade.",
    "The work is due to start on {date} and to finish by {year2}.",
    "In {district}, home to about {count} {affected}, opinion is divided.",
    "The budget for {thing} now stands at {money}, up from {money2} two years ago.",
    "{person} told reporters in {town} that the timetable was \u201cambitious but achievable\u201d.",
    "A survey of {count} {affected} found that {percent} supported the proposal.",
    "The {river} has long marked the boundary between {town} and {town2}.",
    "Opposition councillors in {town} called for an independent review of {thing}.",
    "{org} has not said how it will pay for the remaining {money}.",
    "It is the third time since {year} that {thing} has come before the regional assembly of {region}.",
    "Local businesses in {district} reported a {percent} drop in trade during the disruption.",
    "{person} is expected to present the final figures to {org} on {date}.",
    "The measure would serve about {count} {unit}, according to an internal report.",
    "Union representatives met {person} for {small} hours on {weekday} without reaching an agreement.",
    "{org} employs {count} people across {region}, most of them in {town}.",
    "Residents of {town2} say they were not consulted before the plan was announced.",
    "The previous attempt to {project} collapsed in {year} after costs rose to {money}.",
    "Neighbouring {town2} is watching closely, with a similar scheme planned for {year2}.",
    "An earlier inquiry, led by {person}, found that {percent} of the money had been spent on consultants.",
    "Police said {small} people were detained near {district} on {date}.",
    "The agreement runs for {small} years and can be extended once.",
    "Figures for {year} show {count} {unit}, the highest number on record in {region}.",
    "{person} declined to comment on the cost, saying only that talks with {org} were continuing.",
    "Some {affected} have started a petition, which had gathered {count} signatures by {weekday}.",
    "The regional government of {region} will contribute {money}; {org} will cover the rest.",
]
QUOTES = [
    "We cannot ask {affected} to wait another {small} years for {thing}",
    "This is the largest investment in {thing} that {town} has seen since {year}",
    "Nobody in {district} was asked what they wanted",
    "The numbers simply do not add up, and {org} knows it",
    "We have listened, and we have changed the plan",
    "Every {small} weeks of delay costs us about {money}",
    "I understand the anger, but doing nothing is not an option for {region}",
    "{thing_cap} is the first thing people mention when I knock on doors in {town}",
    "We will {project}, and we will do it on budget",
    "Frankly, the figure of {percent} should worry all of us",
]
QUOTE_FRAMES = [
    "\u201c{quote},\u201d said {person}.",
    "\u201c{quote},\u201d {person} said in a statement on {weekday}.",
    "{person} put it bluntly: \u201c{quote}.\u201d",
    "\u201c{quote},\u201d {person} told a packed meeting in {town}.",
]
CLOSERS = [
    "{org} is due to publish its next report on {date}.",
    "A final decision is expected before the end of {year2}.",
    "{person} is due to appear before the regional assembly of {region} on {date}.",
    "The consultation closes on {date}.",
]
_GENERIC_ROLES = ("spokesperson for", "mayor of", "resident of", "professor at")
_SLOT = re.compile(r"\{(\w+)\}")
# Ends a person's first mention ("Name, role,"): a comma, unless punctuation follows anyway.
_ROLE_END = "\x00"
_ROLE_END_BEFORE_PUNCTUATION = re.compile("\x00(?=[.,:;\u201d])")


class _Story:
    """The cast and numbers of one document, so its sentences keep talking about the same things."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.topic = TOPICS[rng.choice(sorted(TOPICS))]
        self.town, self.town2 = self._towns(2)
        self.region = rng.choice(REGIONS)
        self.year = rng.randint(2018, 2026)
        month = rng.randint(1, 12)
        self.date = f"{self.year}-{month:02d}-{rng.randint(1, DAYS_IN_MONTH[month - 1]):02d}"
        kind = rng.choice(self.topic["org_kind"])
        self.orgs = [
            f"{self.town} {kind}",
            f"{rng.choice(LAST_NAMES)} {rng.choice(self.topic['org_kind'])}",
            f"the {self.region} {rng.choice(self.topic['org_kind'])}",
        ]
        self.people = [self._person(i) for i in range(rng.randint(2, 5))]
        self.introduced: set[int] = set()
        self._sentences: list[str] = []
        self._quotes: list[str] = []
        self.project = self.fill(rng.choice(self.topic["projects"]), capitalize=False)

    def _towns(self, n: int) -> list[str]:
        towns: list[str] = []
        while len(towns) < n:
            town = self.rng.choice(TOWN_HEADS) + self.rng.choice(TOWN_TAILS)
            if town not in towns:
                towns.append(town)
        return towns

    def _person(self, i: int) -> tuple[str, str]:
        rng = self.rng
        middle = f" {rng.choice('ABCDEFGHJKLMNPRSTVW')}." if rng.random() < 0.3 else ""
        name = f"{rng.choice(FIRST_NAMES)}{middle} {rng.choice(LAST_NAMES)}"
        role = rng.choice(
            [*self.topic["roles"], "spokesperson for", "mayor of", "resident of", "professor at"]
        )
        if role.endswith((" for", " at")):
            role = f"{role} {rng.choice(self.orgs)}"
        elif role.endswith(" of"):
            role = f"{role} {self.town}"
        else:
            role = f"{role} at {self.orgs[i % len(self.orgs)]}"
        return name, role

    def person(self) -> str:
        i = self.rng.randrange(len(self.people))
        name, role = self.people[i]
        if i in self.introduced:
            return name.split()[-1] if self.rng.random() < 0.7 else name
        self.introduced.add(i)
        return f"{name}, {role}{_ROLE_END}"

    def next_sentence(self) -> str:
        """A sentence template not used yet in this document, while there are any left."""
        if not self._sentences:
            self._sentences = self.rng.sample(SENTENCES, len(SENTENCES))
        return self._sentences.pop()

    def next_quote(self) -> str:
        if not self._quotes:
            self._quotes = self.rng.sample(QUOTES, len(QUOTES))
        return self.rng.choice(QUOTE_FRAMES).replace("{quote}", self._quotes.pop())

    def value(self, slot: str) -> str:
        rng = self.rng
        if slot == "person":
            return self.person()
        if slot == "person_full":
            return self.people[0][0]
        if slot == "person_last":
            return self.people[0][0].split()[-1]
        if slot == "role":
            return rng.choice(self.topic["roles"])
        if slot == "org":
            return rng.choice(self.orgs)
        if slot in ("town", "town2", "region", "project", "year"):
            return str(getattr(self, slot))
        if slot == "year2":
            return str(self.year + rng.randint(1, 6))
        if slot == "district":
            return rng.choice(DISTRICTS)
        if slot == "river":
            return f"River {rng.choice(RIVERS)}"
        if slot in ("money", "money2"):
            return _money(rng)
        if slot == "money_small":
            return f"{rng.choice(CURRENCIES)}{rng.randint(40, 9_500):,}"
        if slot == "percent":
            return f"{rng.randint(3, 89)}{rng.choice([' percent', '%', '.5 percent'])}"
        if slot in ("count", "count2"):
            return f"{rng.choice([rng.randint(12, 990), rng.randint(1000, 98000)]):,}"
        if slot in ("votes", "votes2"):
            return str(rng.randint(9, 41) if slot == "votes" else rng.randint(2, 8))
        if slot == "small":
            return str(rng.randint(2, 9))
        if slot == "date":
            month = rng.randint(1, 12)
            return f"{MONTHS[month - 1]} {rng.randint(1, DAYS_IN_MONTH[month - 1])}"
        if slot == "weekday":
            return rng.choice(WEEKDAYS)
        if slot in ("thing", "thing_cap"):
            thing = rng.choice(self.topic["things"])
            return thing[0].upper() + thing[1:] if slot == "thing_cap" else thing
        if slot in ("affected", "unit"):
            return rng.choice(self.topic[slot])
        raise KeyError(slot)

    def fill(self, template: str, *, capitalize: bool = True) -> str:
        text = _SLOT.sub(lambda m: self.value(m.group(1)), template)
        text = _ROLE_END_BEFORE_PUNCTUATION.sub("", text).replace(_ROLE_END, ",")
        return text[0].upper() + text[1:] if capitalize else text


def _money(rng: random.Random) -> str:
    currency = rng.choice(CURRENCIES)
    if rng.random() < 0.6:
        return f"{currency}{rng.randint(1, 980)}.{rng.randint(1, 9)} million"
    return f"{currency}{rng.randint(20, 990) * 1000:,}"


def generate_document(i: int, rng: random.Random) -> str:
    """Document ``i`` (``i`` only numbers it): a header line and 3-12 paragraphs, 150-900 words."""
    story = _Story(rng)
    headline = story.fill(rng.choice(HEADLINES))
    paragraphs_wanted = rng.randint(MIN_PARAGRAPHS, MAX_PARAGRAPHS)
    # A target in [150, 900] that the paragraphs can reach with at least one sentence each.
    target = rng.randint(max(MIN_WORDS, paragraphs_wanted * 22), MAX_WORDS - 60)
    per_paragraph = target / paragraphs_wanted
    lead = f"{story.town.upper()}, {story.region} \u2014 " + story.fill(rng.choice(SENTENCES[:2]))
    paragraphs: list[str] = []
    words = len(headline.split())
    for p in range(paragraphs_wanted):
        sentences = [lead] if p == 0 else []
        length = sum(len(s.split()) for s in sentences)
        while not sentences or length < per_paragraph:
            sentence = story.fill(story.next_quote() if rng.random() < 0.2 else story.next_sentence())
            if words + length + len(sentence.split()) > MAX_WORDS:
                break
            sentences.append(sentence)
            length += len(sentence.split())
        if not sentences:
            break
        paragraphs.append(" ".join(sentences))
        words += length
    if len(paragraphs) < MAX_PARAGRAPHS and words < MAX_WORDS - 25:
        paragraphs.append(story.fill(rng.choice(CLOSERS)))
    return f"date {story.date} {headline}\n\n" + "\n\n".join(paragraphs) + "\n"


def document_rng(seed: int, i: int) -> random.Random:
    """The generator of document ``i``: it depends only on ``(seed, i)`` (str seeds hash stably)."""
    return random.Random(f"bench-corpus:{seed}:{i}")


def write_corpus(out_dir: Path, docs: int, seed: int = 0) -> list[Path]:
    """Write ``docs`` documents as ``out_dir/doc_00000.txt`` ... and return their paths, in order."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(docs):
        path = out_dir / f"doc_{i:05d}.txt"
        path.write_text(generate_document(i, document_rng(seed, i)), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out_dir", type=Path, help="folder to write the .txt documents into")
    parser.add_argument("--docs", type=int, default=2000, help="number of documents (default 2000)")
    parser.add_argument("--seed", type=int, default=0, help="seed: the same seed gives the same files")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for corpus.json (bench-out)")
    args = parser.parse_args(argv)
    if args.docs < 1:
        parser.error(f"--docs must be at least 1, got {args.docs}")

    started = time.perf_counter()
    paths = write_corpus(args.out_dir, args.docs, args.seed)
    seconds = time.perf_counter() - started
    counts = [len(p.read_text(encoding="utf-8").split()) - 2 for p in paths]  # minus "date YYYY-MM-DD"
    figures = {
        "benchmark": "corpus",
        "out_dir": str(args.out_dir.resolve()),
        "docs": len(paths),
        "seed": args.seed,
        "seconds": round(seconds, 3),
        "docs_per_s": round(len(paths) / seconds, 1),
        "words_total": sum(counts),
        "words_min": min(counts),
        "words_median": statistics.median(counts),
        "words_max": max(counts),
        "bytes_total": sum(p.stat().st_size for p in paths),
        "machine": machine(),
    }
    saved = write_json(args.out, "corpus.json", figures)
    print(
        f"wrote {len(paths)} documents ({sum(counts):,} words; {min(counts)}-{max(counts)} per document, "
        f"median {statistics.median(counts):.0f}) to {args.out_dir} in {seconds:.2f} s\nfigures: {saved}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
