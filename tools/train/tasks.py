"""Synthetic document tasks for training the default model, and their evaluation twins.

Pure Python (no torch): `python3 tools/train/tasks.py` prints one example of every family and
checks the hold-out rules.

Training families mirror what runtime/eval measures (RULER-style, Hsieh et al. 2024):
passkey, single needle, multi-key / multi-value / multi-query needles, variable tracking,
common-words extraction and extractive document QA with distractor facts.  Every training
template, keyword, name and value list below is DISJOINT from the ones the C++ evaluation uses
(the EVAL_* constants, copied from runtime/eval/*.cpp and checked by `check_holdout`), so the C++
eval measures reading a document, not recalling a memorised phrase.  What is shared on purpose:
the generic "Question: ... Answer:" scaffold (format_document_question's plain form), random
digits and 5-letter variable names (drawn fresh per prompt, nothing to memorise), and English
words as common-words items (which ones are common is drawn per prompt).

A task is a Task(intro, doc, question, prefix, answer): the reader gets intro + doc + question;
the answer is `prefix` (a sentence start that the model must write, usually mirroring the fact in
the document) followed by `answer` (leading space, the value(s)).  `format_plain` makes the
completion prompt the C++ eval uses; `format_chatml` makes a ChatML conversation (document and
question in the user turn, prefix + answer in the assistant turn), the form `mrrope-cli ask` uses.
"""
import random
import re
from collections import namedtuple

Task = namedtuple("Task", "family intro doc question prefix answer")
IM_START, IM_END = "<|im_start|>", "<|im_end|>"

# =============================================================== held out: what runtime/eval uses
# runtime/eval/prompt_building.cpp needle_words(); retrieval_task.h; ruler_*.cpp; doc_qa.cpp.
EVAL_NEEDLE_WORDS = ("apple river mountain candle garden window silver dragon forest anchor basket castle "
                     "copper desert eagle feather glacier harbor island jacket kettle lantern meadow needle").split()
EVAL_NEEDLE = "The special magic number for {W} is {N}."
EVAL_NEEDLE_Q = "What is the special magic number for {W}?"
EVAL_NEEDLE_PREFIX = "The special magic number for {W} is"
EVAL_MV_Q = "What are all the special magic numbers for {W} mentioned in the text?"
EVAL_MANY_PREFIX = "The special magic numbers for {W} are"
EVAL_MQ_Q = "What are the special magic numbers for {W}?"
EVAL_PK_INTRO = ("There is an important info hidden inside a lot of irrelevant text. Find it and memorize it. "
                 "I will quiz you about the important information there.")
EVAL_PK_FILLER = "The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again."
EVAL_PK_NEEDLE = "The pass key is {N}. Remember it. {N} is the pass key."
EVAL_PK_KEY = "pass key"
EVAL_VT_KEYWORD = "VAR"
EVAL_VT_INTRO = "Memorize and track the chain of variable assignments hidden in the following text.\n"
EVAL_VT_Q = "Find all variables that are assigned the value {V} in the text above."
EVAL_VT_PREFIX = ("According to the chain of variable assignments in the text above, {K} variables are assigned "
                  "the value {V}, they are:")
EVAL_CW_INTRO = ("Below is a numbered list of words. In these words, some appear more often than others. "
                 "Memorize the ones that appear most often.\n")
EVAL_CW_ITEM = "{I}. {W}"
EVAL_CW_Q = "What are the {K} most common words in the above list?"
EVAL_CW_PREFIX = "The top {K} words that appear most often in the list are:"
EVAL_QA_RELATIONS = [  # (fact, question, answer prefix, values)
    ("{P} lives in the town of {V}.", "In which town does {P} live?", "{P} lives in the town of",
     ["Harwick", "Elmsford", "Port Avery", "Caldmoor", "Brindle Cross", "Ostwick", "Marrow Bay", "Fennick",
      "Lowther Green", "Quillon", "Ashby Vale", "Dunmore"]),
    ("The profession of {P} is {V}.", "What is the profession of {P}?", "The profession of {P} is",
     ["baker", "carpenter", "glassblower", "ferryman", "cartographer", "beekeeper", "clockmaker", "weaver",
      "lamplighter", "stonemason", "bookbinder", "shepherd"]),
    ("The favourite colour of {P} is {V}.", "What is the favourite colour of {P}?", "The favourite colour of {P} is",
     ["crimson", "olive green", "amber", "slate grey", "violet", "teal", "ochre", "ivory", "cobalt blue", "scarlet",
      "lavender", "bronze"]),
]
EVAL_FIRST = "Mira Tobias Elena Rufus Ingrid Caspar Delia Hugo Nadia Osric Petra Silas Wilma Jasper Livia Edmund".split()
EVAL_LAST = "Castell Thorne Vance Halloway Brook Merrow Ashdown Kestrel Pryce Fenwick Lorne Quade".split()

# =============================================================== training vocabularies
NEEDLE_WORDS = """acorn badger beacon beetle bicycle blanket bottle bucket button cabin cactus camera canyon
carpet cherry chimney cliff cloud compass cottage crayon crown cushion daisy dolphin donkey drum ember
engine falcon fence fiddle flute fountain fox gate ginger goblet goose guitar hammer hazel helmet hill
honey horse igloo ivory jewel juniper kayak kite koala ladder lamp lemon lily lizard magnet mango marble
mirror mitten moon nectar nickel nutmeg oak olive onion orchard otter owl oyster paddle parrot pebble
pepper piano pillow pine plum pocket pond quill quiver rabbit raven ribbon rocket rose saddle salmon
scarf shell shovel sparrow spider spoon squirrel stone sugar teapot temple thimble thistle tiger tower
trumpet tulip tunnel turnip umbrella valley velvet vessel violin wagon walnut whistle willow wolf yarrow
yogurt zebra""".split()
NEEDLE_ADJ = "secret hidden lucky private chosen special magic reserved registered assigned".split()
NEEDLE_NOUN = ["number", "code", "value", "key number", "pin", "serial number", "magic number", "ticket number",
               "account number", "token"]
NEEDLE_PREP = ["for", "of"]
PK_KEYS = ["access code", "secret key", "door code", "pass code", "vault number", "lock combination", "pin code",
           "entry code", "safe code", "gate number"]
PK_INTROS = [
    "Some important information is hidden in the long text below. Find it and remember it; you will be asked about it.",
    "A secret is buried somewhere in the following text. Read carefully and memorise it.",
    "The text below hides one piece of important information among many irrelevant sentences. Remember it.",
    "Read the following text. Somewhere in it there is a code you will need later.",
    "",
]
PK_NEEDLES = ["The {K} is {N}. Remember it. {N} is the {K}.", "The {K} is {N}. Keep it in mind. {N} is the {K}.",
              "Remember this: the {K} is {N}.", "The {K} is {N}. Do not forget it."]
FILLERS = [  # synthetic repeated noise, none of the eval's filler sentences
    "The river runs to the sea. The birds sing at dawn. The road is long. On we go. Over the hills and far away.",
    "The wind is cold. The hills are quiet. The stars are bright. Here it comes. Up and down again.",
    "The cat sleeps by the fire. The door is shut. The tea is warm. So it goes. Round and round we go.",
    "The clouds are grey. The field is wide. The snow is white. There it is. Back and forth once more.",
    "The bread is fresh. The lamp is lit. The clock ticks on. Now and then. In and out again.",
]
VT_KEYWORDS = ["LET", "SET", "VAL", "DEF", "NUM"]
VT_INTROS = ["Keep track of the chain of variable assignments hidden in the text below.\n",
             "Follow the variable assignments that are hidden in the following text.\n",
             "The text below hides a chain of variable assignments. Track it.\n",
             "Somewhere in this text, variables are assigned values and copied into each other. Follow them.\n",
             "Pay attention to every assignment of a variable in the following passage.\n", ""]
VT_QUESTIONS = [("Which variables are assigned the value {V} in the text above?",
                 "Following the chain of assignments in the text above, {K} variables are assigned the value {V}, "
                 "they are:"),
                ("List every variable that holds the value {V}.",
                 "The {K} variables that hold the value {V} are:"),
                ("Which variables end up with the value {V}?", "{K} variables end up with the value {V}:"),
                ("Name all the variables whose value is {V}.", "The variables whose value is {V} are:"),
                ("Tracing the assignments above, which variables equal {V}?",
                 "Tracing the assignments above, {K} variables equal {V}, namely:"),
                ("Which names in the text above are given the value {V}, directly or through another name?",
                 "In the text above, {K} names are given the value {V}, they are:"),
                ("After all the assignments in the text, which variables hold {V}?",
                 "After all the assignments, the variables that hold {V} are:")]
CW_INTROS = ["Here is a list of words. Some of them occur more often than the rest. Remember the most frequent ones.\n",
             "Read the list of words below and count how often each one appears.\n",
             "Count the words in the following list; a few of them are repeated many times.\n",
             "The list below repeats some words more than others.\n", ""]
CW_ITEMS = ["{I}) {W}", "({I}) {W}", "{I}: {W}", "#{I} {W}", "- {W}", "[{I}] {W}", "{I} - {W}", "item {I}: {W}",
            "{W} ({I})", "{I}/ {W}", "{W};", "{I}> {W}"]
CW_QUESTIONS = [("Which {K} words occur most often in the list above?", "The {K} most frequent words in the list are:"),
                ("Name the {K} words that appear most often in the list.", "The {K} words that appear most often are:"),
                ("Which {K} words are repeated the most in the list?", "The {K} words repeated the most are:"),
                ("List the {K} most frequent words of the list above.", "The {K} most frequent words of the list are:"),
                ("What are the {K} words that the list above repeats most often?",
                 "The words that the list repeats most often are:")]
QA_SCAFFOLDS = ["Question: {Q}\nAnswer: ", "Question: {Q} Answer: ", "Q: {Q}\nA: ", "{Q} "]

FIRST = """Abel Ada Agnes Alaric Alma Ambrose Anselm Arthur Beatrix Benedict Bertha Blythe Bram Cecily Clement
Constance Cora Cyril Dagny Dorian Dorothea Eamon Edith Elias Elspeth Ewan Fabian Felicity Florian Freya Gideon
Greta Gwen Hector Helga Hester Ida Ignatius Imogen Isolde Ivor Jorah Judith Juno Kasimir Katrin Lambert Leona
Linus Lorna Lucian Magnus Maud Meredith Milo Minna Nell Nico Odile Orla Otto Perpetua Quentin Quinn Rhoda Roland
Rosalind Rowan Sabine Saul Seraphina Soren Tamsin Thea Ulric Una Ursula Valentin Vera Wendell Winifred Xavier
Yvette Zelda Zeno""".split()
LAST = """Abernethy Ackroyd Banfield Barlow Blackwood Bramley Carrick Colbourne Crane Dalby Drummond Eastwood Ellery
Falkner Farrow Garland Gilchrist Grantham Hadley Harcourt Holbrook Ingram Jessop Keating Kingsley Lachlan Langford
Lockhart Mallory Marwood Moncrieff Nightingale Norbury Oakley Ormsby Pendleton Penrose Radcliffe Redfern Rothwell
Sallow Selby Stanhope Tarrant Thackeray Underhill Upton Waverley Whitlock Winthrop Yardley Yelland""".split()
_TOWN_A = "Ash Bel Black Bright Cold Elder Fair Glen Green Hazel High Kings Long Mill North Oak Red Stone West White".split()
_TOWN_B = "bury bridge combe dale field ford gate ham haven holt hurst minster mouth stead ton wick worth".split()
TOWNS = [a + b for a in _TOWN_A for b in _TOWN_B]
QA_RELATIONS = [  # (fact, question, answer prefix, values); the value ends each fact
    ("{P} was born in the city of {V}.", "In which city was {P} born?", "{P} was born in the city of", TOWNS),
    ("The pet of {P} is a {V}.", "What kind of pet does {P} have?", "The pet of {P} is a",
     ["parrot", "tortoise", "ferret", "beagle", "goldfish", "hamster", "tabby cat", "pony", "rabbit", "canary",
      "lizard", "sheepdog", "guinea pig", "cockatoo"]),
    ("The favourite fruit of {P} is {V}.", "What is the favourite fruit of {P}?", "The favourite fruit of {P} is",
     ["quince", "apricot", "gooseberry", "damson", "fig", "pear", "blackberry", "melon", "greengage", "mulberry",
      "peach", "raspberry", "cranberry", "medlar"]),
    ("{P} plays the {V}.", "Which instrument does {P} play?", "{P} plays the",
     ["cello", "harp", "oboe", "bassoon", "clarinet", "viola", "harpsichord", "tuba", "accordion", "banjo",
      "mandolin", "trombone", "bagpipes", "lute"]),
    ("{P} works at the {V}.", "Where does {P} work?", "{P} works at the",
     ["post office", "library", "bakery", "harbour office", "railway station", "town hall", "hospital", "museum",
      "school", "paper mill", "savings bank", "brewery", "observatory", "printing works"]),
    ("The best friend of {P} is {V}.", "Who is the best friend of {P}?", "The best friend of {P} is", FIRST),
    ("The favourite drink of {P} is {V}.", "What is the favourite drink of {P}?", "The favourite drink of {P} is",
     ["cider", "black tea", "lemonade", "cocoa", "ginger beer", "buttermilk", "barley water", "coffee", "perry",
      "mint tea", "elderflower cordial", "sarsaparilla"]),
    ("The boat of {P} is called {V}.", "What is the boat of {P} called?", "The boat of {P} is called",
     ["Seagull", "Morning Star", "Jenny Wren", "Kittiwake", "Northern Light", "Saucy Sue", "Cormorant",
      "Silver Spray", "Wanderer", "Puffin", "Blue Heron", "Tern"]),
    ("The age of {P} is {V}.", "How old is {P}?", "The age of {P} is", [str(i) for i in range(18, 96)]),
    ("The house number of {P} is {V}.", "What is the house number of {P}?", "The house number of {P} is",
     [str(i) for i in range(2, 400)]),
    ("Last summer {P} travelled to {V}.", "Where did {P} travel last summer?", "Last summer {P} travelled to", TOWNS),
    ("The sister of {P} is called {V}.", "What is the sister of {P} called?", "The sister of {P} is called", FIRST),
    ("The favourite season of {P} is {V}.", "Which season does {P} like best?", "The favourite season of {P} is",
     ["spring", "summer", "autumn", "winter", "early spring", "late autumn", "midwinter", "high summer"]),
    ("The hobby of {P} is {V}.", "What is the hobby of {P}?", "The hobby of {P} is",
     ["chess", "fishing", "archery", "knitting", "rowing", "gardening", "birdwatching", "pottery", "fencing",
      "sailing", "woodcarving", "astronomy", "cycling", "baking"]),
]

# Generated doc-QA relations (run 4 on): an attribute and a sentence form drawn per prompt,
# values from the document's own words, made-up names and numbers. The shipped run-3 model
# answered doc-QA prompts of the fixed relations above 3 of 3 on training-style prompts but 2% of
# the C++ eval's held-out ones: with 14 values a relation it had learned the value lists, not to
# copy the fact's end. Relations and values it cannot have memorised make copying the only way.
QA_ATTRIBUTES = """lucky number|middle name|home island|secret word|favourite tool|oldest friend|first teacher|
boat's name|dog's name|favourite song|best recipe|garden flower|family motto|favourite book|winter coat|
travel bag|chess opening|bicycle|lucky stone|favourite river|guild|ship|workshop|street|village inn|
favourite tree|shop sign|password|favourite dish|nickname|horse|violin maker|home county|club|
favourite poet|cousin|landlord|godmother|favourite painter|study subject|garden gnome|market stall|
favourite mountain|sailing club|apprentice|pen name|favourite card game|tea blend|coat of arms""".replace("\n", "").split("|")
QA_FORMS = [  # (fact, question, answer prefix): {A} the attribute, {P} the person, {V} the value
    ("The {A} of {P} is {V}.", "What is the {A} of {P}?", "The {A} of {P} is"),
    ("{P}'s {A} is {V}.", "What is {P}'s {A}?", "{P}'s {A} is"),
    ("For {P}, the {A} is {V}.", "For {P}, what is the {A}?", "For {P}, the {A} is"),
    ("As for {P}, the {A} was {V}.", "What was the {A} of {P}?", "As for {P}, the {A} was"),
    ("Everyone knows that the {A} of {P} is {V}.", "Which {A} does {P} have?", "The {A} of {P} is"),
    ("{P} once said that the {A} was {V}.", "According to {P}, what was the {A}?", "{P} once said that the {A} was"),
]
QA_VERBS = [("collects", "collect"), ("grows", "grow"), ("repairs", "repair"), ("paints", "paint"),
            ("studies", "study"), ("sells", "sell"), ("writes about", "write about"), ("dreams of", "dream of"),
            ("keeps", "keep"), ("builds", "build"), ("teaches", "teach"), ("breeds", "breed"),
            ("visits", "visit"), ("sketches", "sketch")]
NAME_SYLLABLES = "ka lo mir den ta vos bri el an or ith ul sa ren qu ba dor fi nel po rash te wyn zo cal mae".split()

# Mixture of synthetic families (relative weights).
FAMILY_WEIGHTS = {"passkey": 8, "needle": 10, "multikey": 14, "multivalue": 12, "multiquery": 12,
                  "variable_tracking": 14, "common_words": 10, "doc_qa": 20}


def check_holdout():
    """Raise if any training template, keyword, name or value is one the C++ evaluation uses."""
    def clash(a, b, what):
        both = set(a) & set(b)
        if both:
            raise AssertionError(f"{what} used by the C++ eval: {sorted(both)[:5]}")
    clash(NEEDLE_WORDS, EVAL_NEEDLE_WORDS, "needle words")
    clash(PK_KEYS, [EVAL_PK_KEY], "passkey keys")
    clash(FILLERS, [EVAL_PK_FILLER], "fillers")
    clash(sum((f.split(". ") for f in FILLERS), []), EVAL_PK_FILLER.split(". "), "filler sentences")
    clash(VT_KEYWORDS, [EVAL_VT_KEYWORD], "variable keywords")
    clash(CW_ITEMS, [EVAL_CW_ITEM], "word-list item formats")
    clash(VT_INTROS, [EVAL_VT_INTRO], "variable-tracking intros")
    clash([q for q, _ in VT_QUESTIONS], [EVAL_VT_Q], "variable-tracking questions")
    clash([a for _, a in VT_QUESTIONS], [EVAL_VT_PREFIX], "variable-tracking answer prefixes")
    clash(CW_INTROS, [EVAL_CW_INTRO], "common-words intros")
    clash([q for q, _ in CW_QUESTIONS], [EVAL_CW_Q], "common-words questions")
    clash([a for _, a in CW_QUESTIONS], [EVAL_CW_PREFIX], "common-words answer prefixes")
    clash(FIRST, EVAL_FIRST, "first names")
    clash(LAST, EVAL_LAST, "last names")
    clash({v for r in QA_RELATIONS for v in r[3]}, _EVAL_QA_VALUES, "doc-qa values")
    clash([r[0] for r in QA_RELATIONS], [r[0] for r in EVAL_QA_RELATIONS], "doc-qa facts")
    clash([r[2] for r in QA_RELATIONS], [r[2] for r in EVAL_QA_RELATIONS], "doc-qa answer prefixes")
    # Generated relations: no attribute or form yields one of the eval's facts or answer prefixes.
    eval_prefixes = {r[2] for r in EVAL_QA_RELATIONS}
    eval_facts = {r[0] for r in EVAL_QA_RELATIONS}
    for a in QA_ATTRIBUTES:
        for fact, _, prefix in QA_FORMS:
            assert prefix.replace("{A}", a) not in eval_prefixes, f"doc-qa prefix of the eval: {prefix} / {a}"
            assert fact.replace("{A}", a) not in eval_facts, f"doc-qa fact of the eval: {fact} / {a}"
    for vs, vb in QA_VERBS:
        assert f"{{P}} {vs}" not in eval_prefixes
    r = random.Random(1)
    made = {_made_up_name(r) for _ in range(3000)}
    clash(made, _EVAL_NAMES | _EVAL_QA_VALUES, "made-up names")
    # The eval's needle phrase is one combination of the grid; _needle_style never returns it.
    r = random.Random(0)
    styles = {_needle_phrase(*_needle_style(r)) for _ in range(5000)}
    assert "special magic number for" not in styles and len(styles) > 100, "eval needle phrase"


# =============================================================== text helpers
def collapse(text):
    """Whitespace runs as single spaces, as runtime/eval/prompt_building.cpp collapse_spaces."""
    return " ".join(text.split())


def text_window(docs, rng, nchars):
    """About nchars of real text (whitespace collapsed), starting after a sentence end; several
    documents are joined when one is too short."""
    out = ""
    while len(out) < nchars:
        d = docs[rng.randrange(len(docs))]
        st = rng.randrange(max(1, len(d) - nchars))
        j = d.find(". ", st)
        st = j + 2 if 0 <= j < st + 300 else st
        out += (" " if out else "") + collapse(d[st:st + nchars - len(out) + 200])
    return out[:nchars]


def cut_at_sentence(text):
    """Text up to its last sentence end (so every insertion point is a boundary)."""
    j = text.rfind(". ")
    return text[:j + 1] if j > 0 else text


def insert_at_depths(text, items):
    """Put each (depth, sentence) after the sentence end nearest depth * len(text)."""
    text = cut_at_sentence(text)
    bounds = [0] + [m.end() for m in re.finditer(r"\. ", text)] + [len(text)]
    placed = []
    for depth, sent in items:
        target = depth * len(text)
        placed.append((min(bounds, key=lambda b: abs(b - target)), sent))
    end = len(text)
    for at, sent in sorted(placed, key=lambda p: -p[0]):  # from the back: offsets stay valid
        text = text[:at] + (" " + sent if at == end else sent + " ") + text[at:]
    return text.strip()


def insert_in_sentences(sentences, n, items):
    """n sentences cycled from `sentences`, each item before sentence round(depth * n)."""
    before = [[] for _ in range(n + 1)]
    for depth, sent in items:
        before[min(n, max(0, round(depth * n)))].append(sent)
    out = []
    for i in range(n + 1):
        out += before[i]
        if i < n:
            out.append(sentences[i % len(sentences)])
    return " ".join(out)


def sentences_of(text):
    return [s if s.endswith(".") else s + "." for s in text.split(". ") if s.strip()]


def digits(rng, n):
    return str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(n - 1))


def distinct_numbers(rng, k, n):
    out = []
    while len(out) < k:
        v = digits(rng, n)
        if v not in out:
            out.append(v)
    return out


def join_and(items):
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _needle_phrase(adj, noun, prep):
    return f"{adj} {noun} {prep}"


# =============================================================== training families
# Each maker takes (rng, docs, nchars): nchars is the size of the document part in characters,
# chosen by the caller to hit a token budget.

def make_passkey(rng, docs, nchars):
    key, n = rng.choice(PK_KEYS), digits(rng, rng.randint(3, 9))
    needle = rng.choice(PK_NEEDLES).replace("{K}", key).replace("{N}", n)
    if rng.random() < 0.5:  # repeated filler, as RULER's passkey
        sents = sentences_of(rng.choice(FILLERS))
        count = max(1, nchars // (sum(map(len, sents)) // len(sents) + 1))
        doc = insert_in_sentences(sents, count, [(rng.random(), needle)])
    else:
        doc = insert_at_depths(text_window(docs, rng, nchars), [(rng.random(), needle)])
    intro = rng.choice(PK_INTROS)
    return Task("passkey", intro + (" " if intro else ""), doc, f"What is the {key}?", f"The {key} is", f" {n}")


def _needle_style(rng):
    adj, noun, prep = rng.choice(NEEDLE_ADJ), rng.choice(NEEDLE_NOUN), rng.choice(NEEDLE_PREP)
    while _needle_phrase(adj, noun, prep) == "special magic number for" or adj in noun:
        adj, noun, prep = rng.choice(NEEDLE_ADJ), rng.choice(NEEDLE_NOUN), rng.choice(NEEDLE_PREP)
    return adj, noun, prep


def _needle_doc(rng, docs, nchars, keyed):
    """keyed: [(word, number)]; the first needle at a uniform depth, others anywhere."""
    adj, noun, prep = _needle_style(rng)
    sent = lambda w, n: f"The {adj} {noun} {prep} {w} is {n}."
    items = [(rng.random(), sent(w, n)) for w, n in keyed]
    return (adj, noun, prep), insert_at_depths(text_window(docs, rng, nchars), items)


def make_needle(rng, docs, nchars, n_keys=None):
    """Single needle (n_keys=1) or multi-key: several keyed numbers, one asked."""
    n_keys = n_keys or rng.randint(2, 6)
    words = rng.sample(NEEDLE_WORDS, n_keys)
    nums = distinct_numbers(rng, n_keys, rng.randint(5, 8))
    (adj, noun, prep), doc = _needle_doc(rng, docs, nchars, list(zip(words, nums)))
    q = rng.randrange(n_keys)
    return Task("needle" if n_keys == 1 else "multikey", "", doc, f"What is the {adj} {noun} {prep} {words[q]}?",
                f"The {adj} {noun} {prep} {words[q]} is", f" {nums[q]}")


def make_multivalue(rng, docs, nchars):
    word, k = rng.choice(NEEDLE_WORDS), rng.randint(2, 6)
    nums = distinct_numbers(rng, k, rng.randint(5, 8))
    (adj, noun, prep), doc = _needle_doc(rng, docs, nchars, [(word, n) for n in nums])
    # The answer lists the values in document order (the order a reader meets them).
    order = sorted(nums, key=doc.index)
    q = rng.choice([f"What are all the {adj} {noun}s {prep} {word} given in the text?",
                    f"List every {adj} {noun} {prep} {word} in the text.",
                    f"Which {adj} {noun}s does the text give {prep} {word}?"])
    return Task("multivalue", "", doc, q, f"The {adj} {noun}s {prep} {word} are", " " + ", ".join(order))


def make_multiquery(rng, docs, nchars):
    k = rng.randint(2, 5)
    words = rng.sample(NEEDLE_WORDS, k + rng.randint(0, 2))  # extra keys are distractors
    nums = distinct_numbers(rng, len(words), rng.randint(5, 8))
    (adj, noun, prep), doc = _needle_doc(rng, docs, nchars, list(zip(words, nums)))
    asked = rng.sample(range(len(words)), k)
    names = join_and([words[i] for i in asked])
    return Task("multiquery", "", doc, f"What are the {adj} {noun}s {prep} {names}?",
                f"The {adj} {noun}s {prep} {names} are", " " + ", ".join(nums[i] for i in asked))


def _var_names(rng, n, taken=()):
    out = []
    while len(out) < n:
        v = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(5))
        if v not in out and v not in taken:
            out.append(v)
    return out


def _chain(rng, kw, names, value, start):
    """Assignment sentences of one chain with increasing depths from `start`."""
    at = sorted(start + (1 - start) * rng.random() for _ in names[1:])
    eq = rng.choice([" = ", " := "])
    items = [(start, f"{kw} {names[0]}{eq}{value}.")]
    items += [(d, f"{kw} {names[i + 1]}{eq}{kw} {names[i]}.") for i, d in enumerate(at)]
    return items


def _vt_keyword(rng):
    """One of VT_KEYWORDS, or (half the time) three or four random capitals: the chain is followed
    by its names, whatever word introduces them (the eval's is held out)."""
    while True:
        kw = rng.choice(VT_KEYWORDS) if rng.random() < 0.5 else "".join(
            rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(rng.randint(3, 4)))
        if kw != EVAL_VT_KEYWORD:
            return kw


def make_variable_tracking(rng, docs, nchars):
    kw, hops = _vt_keyword(rng), rng.randint(1, 6)
    value = digits(rng, 5)
    names = _var_names(rng, hops + 1)
    items = _chain(rng, kw, names, value, rng.random() * 0.6)
    if rng.random() < 0.5:  # a second chain with another value: the reader must follow the right one
        other = _var_names(rng, rng.randint(2, 4), names)
        items += _chain(rng, kw, other, digits(rng, 5), rng.random() * 0.6)
    if rng.random() < 0.5:
        sents = sentences_of(rng.choice(FILLERS))
        doc = insert_in_sentences(sents, max(1, nchars // 20), items)
    else:
        doc = insert_at_depths(text_window(docs, rng, nchars), items)
    q, prefix = rng.choice(VT_QUESTIONS)
    fill = lambda s: s.replace("{V}", value).replace("{K}", str(len(names)))
    return Task("variable_tracking", rng.choice(VT_INTROS), doc, fill(q), fill(prefix), " " + ", ".join(names))


_WORD = re.compile(r"^[a-z]{4,}$")


def make_common_words(rng, docs, nchars):
    """A list where k words appear `hi` times and the rest `lo` times; the k are asked."""
    words = sorted({w for w in text_window(docs, rng, 3000).lower().replace(",", " ").replace(".", " ").split()
                    if _WORD.match(w)})
    rng.shuffle(words)
    k = rng.randint(3, 7)
    lo, hi = rng.randint(1, 3), rng.randint(5, 10)
    item = rng.choice(CW_ITEMS)
    per_item = len(item) + 9  # rough characters per list entry
    hi = max(lo + 2, min(hi, nchars // per_item // (2 * k)))  # short prompts: fewer repeats
    n_unc = max(k + 1, nchars // per_item - k * hi) // lo
    common, uncommon = words[:k], words[k:k + n_unc]
    lst = common * hi + uncommon * lo
    rng.shuffle(lst)
    doc = " ".join(item.replace("{I}", str(i + 1)).replace("{W}", w) for i, w in enumerate(lst))
    common.sort(key=lst.index)  # the answer names them in order of first appearance
    q, prefix = rng.choice(CW_QUESTIONS)
    return Task("common_words", rng.choice(CW_INTROS), doc, q.replace("{K}", str(k)), prefix.replace("{K}", str(k)),
                " " + ", ".join(common))


_EVAL_NAMES = set(EVAL_FIRST) | set(EVAL_LAST)
_EVAL_QA_VALUES = {v for r in EVAL_QA_RELATIONS for v in r[3]}


def _made_up_name(rng):
    """A capitalised word of 2-3 syllables that no vocabulary here holds (eval names excluded)."""
    while True:
        w = "".join(rng.choice(NAME_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        if w not in _EVAL_NAMES:
            return w


def _qa_value(rng, docs):
    """A value nobody could have memorised: words of the text, a made-up name or a number."""
    while True:
        kind = rng.random()
        if kind < 0.45:
            words = [w for w in text_window(docs, rng, 600).lower().replace(",", " ").replace(".", " ").split()
                     if _WORD.match(w)]
            v = " ".join(rng.sample(words, min(len(words), rng.choice([1, 1, 2])))) if words else "lantern"
        elif kind < 0.75:
            v = _made_up_name(rng) + ("" if rng.random() < 0.6 else " " + _made_up_name(rng))
        else:
            v = str(rng.randint(2, 9999))
        if v and v not in _EVAL_QA_VALUES:
            return v


def _generated_relation(rng, docs, n):
    """(fact, question, prefix, values) of an attribute in one of the forms, or of a verb."""
    if rng.random() < 0.25:
        vs, vb = rng.choice(QA_VERBS)
        fact, question, prefix = "{P} " + vs + " {V}.", "What does {P} " + vb + "?", "{P} " + vs
    else:
        a = rng.choice(QA_ATTRIBUTES)
        fact, question, prefix = (x.replace("{A}", a) for x in rng.choice(QA_FORMS))
    values = []
    while len(values) < n:
        v = _qa_value(rng, docs)
        if v not in values:
            values.append(v)
    return fact, question, prefix, values


def _people(rng, n):
    """n distinct full names: the training name lists, or made-up ones."""
    out = []
    while len(out) < n:
        p = (f"{rng.choice(FIRST)} {rng.choice(LAST)}" if rng.random() < 0.6
             else f"{_made_up_name(rng)} {_made_up_name(rng)}")
        if p not in out:
            out.append(p)
    return out


def make_doc_qa(rng, docs, nchars):
    """Facts of one relation about several people; one asked, the others distract.  Some facts of
    other relations (about the same people) are mixed in too.  Two relations in three are
    generated (_generated_relation), the rest from QA_RELATIONS."""
    n = rng.randint(1, 7)
    people = _people(rng, n)
    if rng.random() < 2 / 3:
        rel = _generated_relation(rng, docs, n)
        values = rel[3]
    else:
        rel = rng.choice(QA_RELATIONS)
        values = rng.sample(rel[3], n)
    items = [(rng.random(), rel[0].replace("{P}", p).replace("{V}", v)) for p, v in zip(people, values)]
    for _ in range(rng.randint(0, 3)):
        other = rng.choice(QA_RELATIONS)
        if other[0] != rel[0]:
            items.append((rng.random(), other[0].replace("{P}", rng.choice(people)).replace("{V}", rng.choice(other[3]))))
    doc = insert_at_depths(text_window(docs, rng, nchars), items)
    p = people[0]
    return Task("doc_qa", "", doc, rel[1].replace("{P}", p), rel[2].replace("{P}", p), " " + values[0])


MAKERS = {"passkey": make_passkey, "needle": lambda r, d, c: make_needle(r, d, c, 1), "multikey": make_needle,
          "multivalue": make_multivalue, "multiquery": make_multiquery, "variable_tracking": make_variable_tracking,
          "common_words": make_common_words, "doc_qa": make_doc_qa}


def random_family(rng):
    fams = list(FAMILY_WEIGHTS)
    return rng.choices(fams, weights=[FAMILY_WEIGHTS[f] for f in fams])[0]


# =============================================================== formats
def format_plain(task, rng=None):
    """(prompt, answer): the completion form of runtime/eval (document, question, answer prefix).
    Needle-style tasks put the prefix right after the question; others use a Question/Answer
    scaffold (chosen by rng; the first scaffold when rng is None)."""
    if task.family in ("passkey", "needle", "multikey", "multivalue", "multiquery"):
        tail = f"{task.question} {task.prefix}"
    else:
        tail = (rng.choice(QA_SCAFFOLDS) if rng else QA_SCAFFOLDS[0]).replace("{Q}", task.question) + task.prefix
    return f"{task.intro}{task.doc}\n{tail}", task.answer + "."


def format_chatml(task):
    """(prompt, answer) of a ChatML conversation, as tok::format_document_question writes it for
    ChatML (document, blank line, question in one user turn; the assistant header opens the answer).
    The assistant answers with a full sentence ending in <|im_end|>."""
    user = f"{task.intro}{task.doc}\n\n{task.question}"
    prompt = f"{IM_START}user\n{user}{IM_END}\n{IM_START}assistant\n"
    return prompt, f"{task.prefix}{task.answer}.{IM_END}\n"


# =============================================================== evaluation twins (C++ templates)
def eval_task(family, rng, docs, nchars, needles=4):
    """(prompt, answer) with runtime/eval's templates, names and values (plain form, answer without
    the final period), for the in-training evaluation only."""
    if family == "passkey":
        n = digits(rng, 5)
        sents = sentences_of(EVAL_PK_FILLER)
        count = max(1, nchars // 18)
        doc = insert_in_sentences(sents, count, [(rng.random(), EVAL_PK_NEEDLE.replace("{N}", n))])
        return f"{EVAL_PK_INTRO}{doc}\nWhat is the pass key? The pass key is", f" {n}"
    if family in ("needle", "multikey", "multivalue", "multiquery"):
        k = 1 if family == "needle" else needles
        words = rng.sample(EVAL_NEEDLE_WORDS, k)
        if family == "multivalue":
            words = [words[0]] * k
        nums = distinct_numbers(rng, k, 7)
        items = [(rng.random(), EVAL_NEEDLE.replace("{W}", w).replace("{N}", n)) for w, n in zip(words, nums)]
        doc = insert_at_depths(text_window(docs, rng, nchars), items)
        if family in ("needle", "multikey"):
            w = words[0]
            return (f"{doc}\n{EVAL_NEEDLE_Q.replace('{W}', w)} {EVAL_NEEDLE_PREFIX.replace('{W}', w)}", f" {nums[0]}")
        if family == "multivalue":
            w = words[0]
            return (f"{doc}\n{EVAL_MV_Q.replace('{W}', w)} {EVAL_MANY_PREFIX.replace('{W}', w)}",
                    " " + ", ".join(sorted(nums, key=doc.index)))
        names = join_and(words)
        return (f"{doc}\n{EVAL_MQ_Q.replace('{W}', names)} {EVAL_MANY_PREFIX.replace('{W}', names)}",
                " " + ", ".join(nums))
    if family == "variable_tracking":
        value, names = digits(rng, 5), _var_names(rng, 5)
        items = [(d, s.replace(" := ", " = ")) for d, s in _chain(rng, EVAL_VT_KEYWORD, names, value, rng.random())]
        doc = insert_in_sentences(sentences_of(EVAL_PK_FILLER), max(1, nchars // 18), items)
        fill = lambda s: s.replace("{V}", value).replace("{K}", str(len(names)))
        return (f"{EVAL_VT_INTRO}{doc}\nQuestion: {fill(EVAL_VT_Q)} Answer: {fill(EVAL_VT_PREFIX)}",
                " " + ", ".join(names))
    if family == "common_words":
        words = sorted({w for w in text_window(docs, rng, 3000).lower().split() if _WORD.match(w)})
        rng.shuffle(words)
        n_unc = max(6, (nchars // 12 - 50) // 2)
        common, lst = words[:5], words[:5] * 10 + words[5:5 + n_unc] * 2
        rng.shuffle(lst)
        doc = " ".join(f"{i + 1}. {w}" for i, w in enumerate(lst))
        common.sort(key=lst.index)
        return (f"{EVAL_CW_INTRO}{doc} \nQuestion: {EVAL_CW_Q.replace('{K}', '5')} Answer: "
                f"{EVAL_CW_PREFIX.replace('{K}', '5')}", " " + ", ".join(common))
    if family == "doc_qa":
        t = eval_doc_qa_task(rng, docs, nchars)
        return f"{t.doc}\nQuestion: {t.question}\nAnswer: {t.prefix}", t.answer
    raise ValueError(family)


def eval_doc_qa_task(rng, docs, nchars):
    """runtime/eval/doc_qa.cpp's task (5 people, one relation) as a Task, for the plain and the
    ChatML (mrrope-cli ask) forms."""
    rel = rng.choice(EVAL_QA_RELATIONS)
    people = [f"{f} {l}" for f, l in zip(rng.sample(EVAL_FIRST, 5), rng.sample(EVAL_LAST, 5))]
    values = rng.sample(rel[3], 5)
    items = [(rng.random(), rel[0].replace("{P}", p).replace("{V}", v)) for p, v in zip(people, values)]
    doc = insert_at_depths(text_window(docs, rng, nchars), items)
    p = people[0]
    return Task("doc_qa", "", doc, rel[1].replace("{P}", p), rel[2].replace("{P}", p), " " + values[0])


EVAL_FAMILIES = ["passkey", "needle", "multikey", "multivalue", "multiquery", "variable_tracking", "common_words",
                 "doc_qa"]

check_holdout()

if __name__ == "__main__":
    demo_docs = ["The quick brown fox jumps over the lazy dog. " * 40 + "Another sentence follows here. " * 40]
    r = random.Random(1)
    for fam in MAKERS:
        t = MAKERS[fam](r, demo_docs, 600)
        p, a = format_plain(t, r) if fam != "doc_qa" else format_chatml(t)
        print(f"=== {fam}\n{p[-420:]!s}|||{a}")
    for fam in EVAL_FAMILIES:
        p, a = eval_task(fam, r, demo_docs, 600)
        print(f"=== eval {fam}\n{p[-300:]}|||{a}")
    print("hold-out check passed")
