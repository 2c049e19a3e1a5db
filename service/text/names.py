"""Named people, places and organisations, numbers and dates of an article, language-aware.

No gazetteer and no tagger: simple, inspectable heuristics whose only job is to give two
articles on one event something to agree on beyond their topic (who, where, how many,
when). Keys are normalised (``service.text.normalize``: case, accents, Arabic spelling
variants and Arabic-Indic digits folded) so that two outlets' spellings meet.

Latin scripts (en, fr, tr, ...): a capitalised word not at the start of a sentence is a
name; a sentence-initial one counts when the article also capitalises it elsewhere or
the next word is capitalised too ("Vladimir Putin said").
Acronyms (NATO, AKP) count anywhere. Elisions (l'État) and Turkish case suffixes after an
apostrophe (İzmir'de) are cut off. Lines written in capitals (shouted titles) are skipped.

Arabic has no capitals. A token is a name when it follows a title word (الرئيس، وزير،
المتحدث، مدينة ...; adjectives with ال such as الروسي are skipped on the way), or when
it is a word without the article ال that the article repeats and that is not a common
word. A one-letter proclitic (و ف ب ل ك) is cut when the rest also occurs as a word of
the same article (لبومبيو -> بومبيو), so both outlets' forms meet.

Numbers: digit groups with thousands separators folded (1 059 000, 1.059.000 and
1,059,000 all give 1059000); single digits are too common to tell events apart and are
left out. Years (1900-2099) and day-month dates (14 May, 14 mai, 14 Mayıs, 14 أيار/مايو)
are kept apart from numbers.

Example:
    >>> n = extract_names("Talks in Sochi. Vladimir Putin met Mike Pompeo on 14 May 2019 for 3 hours.", language="en")
    >>> sorted(n.entities), sorted(n.years), sorted(n.dates)
    (['mike', 'pompeo', 'putin', 'sochi', 'vladimir'], ['2019'], ['05-14'])
    >>> sorted(extract_names("التقى الرئيس الروسي فلاديمير بوتين في سوتشي. وقال بوتين إن", language="ar").entities)
    ['بوتين', 'فلاديمير']
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from service.text.normalize import normalize

ARABIC_LANGUAGES = frozenset({"ar", "fa", "ur", "ckb", "ps", "sd", "ug"})  # written in Arabic script


@dataclass(frozen=True, slots=True)
class Names:
    """Normalised keys of an article's names, numbers, years and dates ("MM-DD")."""

    entities: frozenset[str] = frozenset()
    numbers: frozenset[str] = frozenset()
    years: frozenset[str] = frozenset()
    dates: frozenset[str] = frozenset()

    def __len__(self) -> int:
        return len(self.entities) + len(self.numbers) + len(self.years) + len(self.dates)


_MONTHS = {
    # en
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    # fr (accents folded)
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "decembre": 12, "novembre": 11,
    # tr (dotless i folded)
    "ocak": 1, "subat": 2, "mart": 3, "nisan": 4, "mayis": 5, "haziran": 6, "temmuz": 7,
    "agustos": 8, "eylul": 9, "ekim": 10, "kasim": 11, "aralik": 12,
    # ar, after normalize (Levantine and Egyptian month names)
    "كانون الثاني": 1, "يناير": 1, "شباط": 2, "فبراير": 2, "اذار": 3, "مارس": 3, "نيسان": 4,
    "ابريل": 4, "ايار": 5, "مايو": 5, "حزيران": 6, "يونيو": 6, "تموز": 7, "يوليو": 7, "اب": 8,
    "اغسطس": 8, "ايلول": 9, "سبتمبر": 9, "تشرين الاول": 10, "اكتوبر": 10, "تشرين الثاني": 11,
    "نوفمبر": 11, "كانون الاول": 12, "ديسمبر": 12,
}
_MONTH_PATTERN = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_DATE = re.compile(rf"\b([0-3]?\d)(?:er)?\s*(?:[/-]\s*)?({_MONTH_PATTERN})(?:\s*[/-]\s*(?:{_MONTH_PATTERN}))?\b")
_DATE_EN = re.compile(rf"\b({_MONTH_PATTERN})\s+([0-3]?\d)\b")
_NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:(?:[ \u00a0\u202f]|[.,](?=\d{3}\b))\d{3})+(?![\d])|(?<![\w])\d+(?:[.,]\d+)?")
_YEAR = re.compile(r"^(19|20)\d\d$")

_LATIN_WORD = re.compile(r"[^\W\d_][\w\-]*(?:['’][\w]+)*")
_SENTENCE_BREAK = set(".!?:;\"«»“”„()[]\n-–—|•")
_LATIN_STOP = frozenset(
    """the a an and or but if in on at of for to from by with as is are was were be this that these
    those it its he she they we you i his her their our my your there here when where what who why how
    not no yes also after before while during says said mr mrs ms dr le la les un une des du de et ou
    mais dans sur pour par avec sans ce cette ces il elle ils elles nous vous on je son sa ses leur
    selon lors depuis apres avant alors ainsi comme si plus tres tout tous toute toutes m mme
    bu su o ve ile ama de da ki icin gibi daha cok en her bir ancak ise hem ya veya ayrica sonra
    once boyle soyle bunun sunun onun bunlar onlar biz siz ben sen then however meanwhile yesterday
    today according last next first cependant puis hier aujourd ensuite""".split()
) | frozenset(m for m in _MONTHS if m.isascii())

_AR_LETTERS = re.compile(r"[\u0621-\u064a]+")
_AR_TITLES = frozenset(
    """الرئيس رئيس رييس الرييس وزير الوزير وزيره المتحدث الناطق مساعد مستشار المستشار نظيره نظيرته
    السفير سفير الملك الامير امير الشيخ الجنرال العقيد اللواء العميد زعيم الزعيم قائد القائد السيناتور
    النايب نايب الامين امين مدير المدير مدينه المدينه بلده محافظه ولايه منطقه عاصمه العاصمه شركه
    وكاله صحيفه حزب حركه جماعه تنظيم منظمه مجلس جامعه مطار ميناء نهر جزيره قريه الدكتور المبعوث
    مبعوث المندوب مندوب رييسه المرشح""".split()
)
_AR_STOP = frozenset(
    """في من الي علي عن مع ان او ثم بين حتي منذ عند لدي خلال بعد قبل حول ضد دون عبر غير كل بعض اي
    هذا هذه ذلك تلك هولاء الذي التي الذين اللذين هو هي هم هما نحن انا انت كان كانت يكون تكون كانوا
    قد لقد لم لن لا ما ماذا كيف اين متي لماذا اذا لو ليس ليست قال قالت يقول تقول وقال وقالت واضاف
    اضاف اضافت اكد اكدت يوم اليوم امس غدا عام العام سنه شهر اسبوع اكثر اقل ايضا حيث بينما لكن لكنه
    وكان وهو وهي ولا وان وفي ومن والي وعلي انه انها انهم لها له لهم بها به بهم فيها فيه عليها عليه
    منها منه عنها عنه الان هناك هنا جدا فقط نحو وفق وفقا كما مثل ذات اطار الي خاصه بشان بشكل مجال
    تم يتم جميع عدد عده اول ثاني اخر اخري الاخر الاخري سابق وقت اجل الذي""".split()
)
_AR_PROCLITICS = ("و", "ف", "ب", "ل", "ك")


def extract_names(text: str, *, language: str | None) -> Names:
    """Names, numbers, years and dates of ``text`` (title included by the caller if wanted).

    ``language`` is an ISO 639-1 code; Arabic-script languages use the Arabic rules, any
    other the Latin ones (a ``None`` language is guessed from the script).
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    folded = normalize(text).text
    if language is None:
        arabic = len(_AR_LETTERS.findall(folded)) > len(re.findall(r"[a-z\u00c0-\u024f]+", folded))
    else:
        arabic = language.split("-")[0].lower() in ARABIC_LANGUAGES
    entities = _arabic_entities(folded) if arabic else _latin_entities(text)
    numbers, years = _numbers(folded)
    return Names(frozenset(entities), frozenset(numbers), frozenset(years), frozenset(_dates(folded)))


def name_key(token: str) -> str:
    """A token's key: normalised, accents and Turkish dotless i folded."""
    folded = normalize(token).text
    decomposed = unicodedata.normalize("NFD", folded)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").replace("ı", "i")


def _latin_entities(text: str) -> set[str]:
    inner: set[str] = set()
    initial: list[tuple[str, str]] = []
    for line in text.splitlines():
        letters = [c for c in line if c.isalpha()]
        if letters and sum(c.isupper() for c in letters) > 0.6 * len(letters):
            continue  # a line in capitals says nothing about names
        matches = list(_LATIN_WORD.finditer(line))
        for position, match in enumerate(matches):
            word = _strip_affixes(match.group())
            if len(word) < 2 or not word[0].isupper():
                continue
            key = name_key(word)
            if key in _LATIN_STOP:
                continue
            before = line[: match.start()].rstrip()
            if word.isupper() and len(word) <= 6:
                inner.add(key)  # an acronym, wherever it stands
            elif not before or before[-1] in _SENTENCE_BREAK:
                following = matches[position + 1] if position + 1 < len(matches) else None
                if following is not None and following.group()[0].isupper() and line[match.end() : following.start()] == " ":
                    inner.add(key)  # the first word of a name: "Vladimir Putin said"
                else:
                    initial.append((key, word))
            else:
                inner.add(key)
    lowercase = {name_key(m.group()) for m in _LATIN_WORD.finditer(text) if m.group()[0].islower()}
    inner -= lowercase  # a word the article also writes in lower case is a common word
    return inner | {key for key, _ in initial if key in inner}


def _strip_affixes(word: str) -> str:
    word = word.replace("’", "'")
    if "'" in word:
        head, _, tail = word.partition("'")
        # French elision (l'État, d'Ankara) or a Turkish suffix (İzmir'de, Erdoğan'ın).
        word = tail if len(head) <= 2 and head.lower() in {"l", "d", "j", "m", "n", "s", "t", "qu", "c"} else head
    return word.strip("-")


def _arabic_entities(folded: str) -> set[str]:
    tokens = _AR_LETTERS.findall(folded)
    vocabulary = set(tokens)
    stems = [_strip_proclitic(t, vocabulary) for t in tokens]
    counts = Counter(stems)
    names: set[str] = set()
    for i, token in enumerate(stems):
        if token in _AR_TITLES or tokens[i] in _AR_TITLES:
            taken = skipped = 0
            for nxt in stems[i + 1 : i + 6]:
                if nxt.startswith("ال") and taken == 0 and skipped < 2:
                    skipped += 1  # an adjective or a ministry: الروسي، الخارجيه
                    continue
                if nxt.startswith("ال") or nxt in _AR_STOP or nxt in _AR_TITLES or len(nxt) < 3 or taken == 2:
                    break
                names.add(nxt)
                taken += 1
    for token, count in counts.items():
        if count >= 2 and len(token) >= 4 and not token.startswith("ال") and token not in _AR_STOP:
            if not _looks_inflected(token):
                names.add(token)
    return {n for n in names if n not in _AR_STOP}


def _strip_proclitic(token: str, vocabulary: set[str]) -> str:
    if len(token) > 3 and token[0] in _AR_PROCLITICS and token[1:] in vocabulary:
        return token[1:]
    if token.startswith("وال") or token.startswith("بال") or token.startswith("فال") or token.startswith("كال"):
        return token[1:]
    if token.startswith("لل") and len(token) > 4:
        return "ال" + token[2:]
    return token


def _looks_inflected(token: str) -> bool:
    """Verb and plural shapes that names rarely take: يفعلون، تفعل، فعلوا، فعلات ..."""
    return (
        token.endswith(("ون", "ين", "وا", "ات", "ها", "هم", "نا"))
        or (token[0] in "يتن" and len(token) <= 5)
        or token.startswith(("است", "يست", "تست"))
    )


def _numbers(folded: str) -> tuple[set[str], set[str]]:
    numbers: set[str] = set()
    years: set[str] = set()
    for match in _NUMBER.finditer(folded):
        raw = match.group()
        value = re.sub(r"[ \u00a0\u202f]", "", raw)
        if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", value):
            value = re.sub(r"[.,]", "", value)
        value = value.replace(",", ".")
        if "." in value:
            value = value.rstrip("0").rstrip(".")
        value = value.lstrip("0") or "0"
        if _YEAR.match(value):
            years.add(value)
        elif len(value) >= 2:
            numbers.add(value)
    return numbers, years


def _dates(folded: str) -> set[str]:
    plain = "".join(c for c in unicodedata.normalize("NFD", folded) if unicodedata.category(c) != "Mn").replace("ı", "i")
    out = set()
    for day, month in _DATE.findall(plain):
        if 1 <= int(day) <= 31:
            out.add(f"{_MONTHS[month]:02d}-{int(day):02d}")
    for month, day in _DATE_EN.findall(plain):
        if 1 <= int(day) <= 31:
            out.add(f"{_MONTHS[month]:02d}-{int(day):02d}")
    return out


# Consonant classes shared by Latin and Arabic spellings of one name (vowels and the
# long-vowel letters ا و ي dropped): Putin / بوتين -> BTN, Lavrov / لافروف -> LFRF.
_LATIN_DIGRAPHS = (("sch", "S"), ("tch", "TS"), ("ch", "TS"), ("sh", "S"), ("kh", "H"), ("gh", "G"), ("th", "T"), ("ph", "F"), ("ck", "K"), ("zh", "S"))
_LATIN_CLASSES = {"b": "B", "p": "B", "t": "T", "d": "D", "k": "K", "c": "K", "q": "K", "g": "G", "j": "G", "f": "F", "v": "F",
                  "l": "L", "m": "M", "n": "N", "r": "R", "s": "S", "z": "S", "x": "KS", "h": "H"}
_ARABIC_CLASSES = {"ب": "B", "ت": "T", "ط": "T", "ث": "S", "ج": "G", "غ": "G", "ح": "H", "خ": "H", "ه": "H", "د": "D", "ذ": "D",
                   "ض": "D", "ر": "R", "ز": "S", "س": "S", "ش": "S", "ص": "S", "ظ": "S", "ف": "F", "ق": "K", "ك": "K", "ل": "L",
                   "م": "M", "ن": "N"}
MIN_SKELETON = 3


def name_skeleton(key: str) -> str:
    """Script-independent consonant skeleton of a name key ("" when not a name-like word).

    >>> name_skeleton("pompeo"), name_skeleton("بومبيو"), name_skeleton("sochi"), name_skeleton("سوتشي")
    ('BMB', 'BMB', 'STS', 'STS')
    """
    if not key:
        return ""
    if "\u0600" <= key[0] <= "\u06ff":
        body = key[:-1] if key.endswith("ه") else key  # final ta marbuta (folded to ه) is a vowel
        out = "".join(_ARABIC_CLASSES.get(c, "") for c in body)
    else:
        word = key.lower()
        for digraph, value in _LATIN_DIGRAPHS:
            word = word.replace(digraph, value)
        out = "".join(c if c.isupper() else _LATIN_CLASSES.get(c, "") for c in word)
    collapsed = "".join(c for i, c in enumerate(out) if i == 0 or c != out[i - 1])  # doubled letters: Pompeo ~ Pompeyo
    return collapsed


def skeletons(names: frozenset[str]) -> frozenset[str]:
    """Skeletons of at least MIN_SKELETON consonants (shorter ones collide too often)."""
    return frozenset(s for s in map(name_skeleton, names) if len(s) >= MIN_SKELETON)
