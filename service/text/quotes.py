"""Quotes: direct quotations and reported speech, with their speakers and offsets.

Two kinds:
- ``direct``: text between quotation marks (« » “ ” „ " and their mixes; a quotation may
  run over several sentences), introduced by a speech verb in the same sentence or
  attributed to the last speaker ("وقال: “...”");
- ``reported``: a sentence led by a speech verb ("وأكد بوتين أن ...", "Putin said that
  ..."): the statement is what follows the speaker (and "إن/أن/that" or a colon).

Speakers: Arabic news is verb-first ("قال الرئيس الروسي فلاديمير بوتين إن"): the speaker
is the name after the verb, past title words ("الرئيس", and "ال..." words such as
"الروسي"). A title with a name teaches the title ("الرئيس الروسي" -> بوتين), so a later
bare title resolves to the name; a verb with no named subject ("وقال:") keeps the
previous speaker. English: "X said" / "said X". ``speaker`` is the name as written (its
last word), ``speaker_key`` its folded form for matching across articles.

Example:
    >>> [(q.kind, q.speaker) for q in extract_quotes("قال الرئيس الروسي فلاديمير بوتين إن العلاقات تتحسن بين البلدين في مجالات كثيرة. وأضاف: «نحن مستعدون للعمل مع الجميع».")]
    [('reported', 'بوتين'), ('direct', 'بوتين')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.domain import Span
from service.text.names import extract_names
from service.text.normalize import fold_char, normalize
from service.text.segment import sentences

OPENING = "«“„\""
CLOSING = {"«": "»", "“": "”", "„": "“”", "\"": "\"", "”": "“"}
MAX_QUOTE_CHARS = 2_000
MIN_QUOTE_WORDS = 3

# Folded (alef, ya, ta marbuta, hamza forms) speech verbs and participles, without the
# conjunction و/ف and the feminine ت, which are stripped before lookup.
_AR_VERBS = {
    "قال", "اكد", "اضاف", "اوضح", "اشار", "اعرب", "صرح", "ذكر", "لفت", "شدد", "اعلن", "راي",
    "اعتبر", "تابع", "نوه", "قالا", "قالوا", "اكدوا", "يقول", "يري", "قايلا", "مضيفا", "مويدا",
    "موكدا", "مشيرا", "معربا", "معتبرا", "لافتا", "قوله", "تصريحه",
}
_EN_VERBS = {"said", "says", "told", "added", "stressed", "noted", "stated", "declared", "warned", "insisted"}
# Words of a title before a name ("الرئيس الروسي", "وزير الخارجية الامريكي").
_AR_TITLES = {
    "رييس", "الرييس", "وزير", "الوزير", "نايب", "المتحدث", "المتحدثه", "الناطق", "باسم", "سفير", "السفير",
    "الامين", "امين", "العام", "الملك", "الامير", "الشيخ", "مدير", "المدير", "زعيم", "مستشار", "قايد", "عضو",
    "مساعد", "نظيره", "نظيرته", "الخارجيه", "الدوله", "الدفاع", "الداخليه", "سمو", "معالي", "فخامه", "جلاله",
    "السيد", "السيده", "الدكتور", "د",
}
_AR_STOPS = {"ان", "إن", "في", "عن", "خلال", "امس", "اليوم", "الي", "علي", "من", "مع", "بان", "انه", "انها", "بعد", "قبل", "لدي", "اثناء"}
_EN_STOPS = {"that", "on", "in", "at", "to", "during", "after", "before", "the", "a", "an", "he", "she", "they", "it", "we", "i"}
_WORD = re.compile(r"[\w\u0610-\u061a\u064b-\u065f\u0670]+")  # letters with Arabic marks, not "،"
_TANWEEN = re.compile(r"[\u064b-\u064d]")  # مجدداً, قائلاً: adverbs and participles, never names
_SPEECH_BREAK = re.compile(r"\s*(?:[:：]|\b(?:إن|إنّ|أن|أنّ|ان|that)\b)\s*")


@dataclass(frozen=True, slots=True)
class Quote:
    """A statement: ``text[start:end]`` (offsets into the text given), who said it, how."""

    start: int
    end: int
    kind: str  # direct | reported
    speaker: str | None
    speaker_key: str | None
    speaker_title: str | None = None  # "وزير الخارجيه الاميركي": a title the text never names


def fold(word: str) -> str:
    """A word folded for matching: Arabic letter variants, diacritics, case."""
    return "".join(fold_char(c) for c in word).strip()


def extract_quotes(text: str, *, language: str | None = None) -> list[Quote]:
    """Direct and reported quotes of ``text``, in text order (see the module docstring)."""
    if not isinstance(text, str):
        raise ValueError("text must be a string")
    english = (language or "").startswith("en") or (language is None and not re.search(r"[\u0600-\u06ff]", text))
    all_words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    names: object = None if english else _ArabicNames(text, all_words)
    out: list[Quote] = []
    speaker: str | None = None
    covered_until = 0
    for sentence in sentences(text):
        if sentence.start < covered_until:
            continue
        words = [(m.start() + sentence.start, m.end() + sentence.start, m.group()) for m in _WORD.finditer(text[sentence.start : sentence.end])]
        verb_at = _speech_verb(words, english=english)
        if verb_at is not None:
            named, after = (_en_speaker(words, verb_at, names) if english else _ar_speaker(words, verb_at, names))  # type: ignore[arg-type]
            speaker = named or speaker
        else:
            after = None
        directs = _direct_quotes(text, sentence)
        if directs and (verb_at is not None or speaker is not None):
            for direct in directs:
                # '"...," said Lavrov': a verb right after a quotation names its speaker.
                follower = _verb_after(words, direct.end, english=english)
                who = (_en_speaker(words, follower, names)[0] if english else _ar_speaker(words, follower, names)[0]) if follower is not None else None  # type: ignore[arg-type]
                out.append(_quote(direct, "direct", who or speaker))
            covered_until = directs[-1].end
            continue
        if verb_at is not None and after is not None:
            statement = _statement(text, after, sentence.end)
            if statement is not None:
                out.append(_quote(statement, "reported", speaker))
    return out


def _quote(span: Span, kind: str, speaker: str | None) -> Quote:
    if isinstance(speaker, _UnnamedTitle):
        return Quote(span.start, span.end, kind, None, None, normalize(str(speaker)).text)
    return Quote(span.start, span.end, kind, speaker, fold(speaker) if speaker else None)


def title_names(text: str) -> dict[str, str]:
    """Titles this (Arabic) text puts before a name, normalised: {"الخارجيه الامريكي": "بومبيو"}."""
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    return {normalize(title).text: fold(name) for _, title, name in _ArabicNames(text, words).titled}


def _bare(word: str) -> str:
    """Folded, without the conjunction و/ف and a feminine ت ending (verbs)."""
    folded = fold(word)
    if len(folded) > 3 and folded[0] in "وف":
        folded = folded[1:]
    return folded


def _speech_verb(words: list[tuple[int, int, str]], *, english: bool) -> int | None:
    for i, (_, _, word) in enumerate(words[:12] if not english else words):
        if english:
            if word.lower() in _EN_VERBS:
                return i
            continue
        bare = _bare(word)
        if bare in _AR_VERBS or (bare.endswith("ت") and bare[:-1] in _AR_VERBS):
            return i
    return None


class _ArabicNames:
    """What speaker resolution knows of one Arabic text: its name words, and where a title
    was followed by a name ("الرئيس الروسي فلاديمير بوتين"), to resolve a bare title later."""

    def __init__(self, text: str, words: list[tuple[int, int, str]]) -> None:
        self.text = text
        self.entities = extract_names(text, language="ar").entities
        self.standalone = {fold(w) for _, _, w in words}
        self.titled: list[tuple[int, str, str]] = []  # (offset, title key, name)
        title: list[str] = []
        for i, (start, _, word) in enumerate(words):
            folded = fold(word)
            if _is_title(folded):
                title = title + [folded] if title and not self._broken(words[i - 1][1], start) else [folded]
                continue
            if title and folded in self.entities and not self._broken(words[i - 1][1], start):
                name = self.name_run(words, i)
                if name is not None:
                    self.titled.append((start, " ".join(title[-2:]), name[0]))
            title = []

    def _broken(self, end: int, start: int) -> bool:
        gap = self.text[end:start]
        return any(c in gap for c in ",،:؛;.«“„\"”»()")

    def name_run(self, words: list[tuple[int, int, str]], i: int) -> tuple[str, int] | None:
        """The name starting at word ``i`` (its last word, its end) if it is one: entity
        words, then a break (punctuation, إن/أن, a preposition word, a verb, the end)."""
        last = None
        for j in range(i, min(len(words), i + 4)):
            start, end, word = words[j]
            if last is not None and self._broken(words[j - 1][1], start):
                return last
            folded = fold(word)
            if folded in self.entities and not self._preposition(folded) and not _TANWEEN.search(word) and _bare(word) not in _AR_VERBS:
                last = (word, end)
                continue
            if last is not None and (
                folded in _AR_STOPS or self._preposition(folded) or _bare(word) in _AR_VERBS or _TANWEEN.search(word) or _is_title(folded)
            ):
                return last
            return None
        return last

    def _preposition(self, folded: str) -> bool:
        """لبومبيو / ببوتين: a preposition on a word that also stands alone in the text."""
        return len(folded) > 3 and folded[0] in "لب" and folded[1:] in self.standalone

    def title_before(self, key: str, offset: int) -> str | None:
        for start, title, name in reversed(self.titled):
            if start < offset and (title == key or title.endswith(key) or key.endswith(title)):
                return name
        return None


def _is_title(folded: str) -> bool:
    return folded in _AR_TITLES or (folded.startswith("ال") and len(folded) > 3)


def _ar_speaker(words: list[tuple[int, int, str]], verb_at: int, names: _ArabicNames) -> tuple[str | None, int | None]:
    """(name, offset where the statement may start) after an Arabic speech verb."""
    title: list[str] = []
    position = words[verb_at][1]
    for i in range(verb_at + 1, min(len(words), verb_at + 9)):
        start, end, word = words[i]
        if names._broken(words[i - 1][1], start) and (title or i > verb_at + 1):
            break
        folded = fold(word)
        if folded in _AR_STOPS or any(c in names.text[words[i - 1][1] : start] for c in OPENING):
            break
        found = names.name_run(words, i)
        if found is not None and folded not in _AR_TITLES:
            return found
        if _is_title(folded):
            title.append(folded)
            position = end
            continue
        break
    if title:
        key = " ".join(title[-2:])
        return names.title_before(key, words[verb_at][0]) or _UnnamedTitle(" ".join(title[-3:])), position
    return None, position


class _UnnamedTitle(str):
    """A speaker known only by a title in this text (resolved across texts, if at all)."""


def _en_speaker(words: list[tuple[int, int, str]], verb_at: int, _names: object) -> tuple[str | None, int | None]:
    """English: the capitalised words before the verb ("Putin said"), else after it."""
    before = [w for w in words[max(0, verb_at - 3) : verb_at] if w[2][:1].isupper() and w[2].lower() not in _EN_STOPS]
    if before:
        return before[-1][2], words[verb_at][1]
    after = [w for w in words[verb_at + 1 : verb_at + 4] if w[2][:1].isupper()]
    if after:
        return after[-1][2], after[-1][1]
    return None, words[verb_at][1]


def _statement(text: str, start: int, end: int) -> Span | None:
    """The reported statement: from after إن/أن/that or a colon (if near) to the sentence end."""
    match = _SPEECH_BREAK.search(text, start, min(end, start + 60))
    begin = match.end() if match else start
    while begin < end and not text[begin].isalnum():
        begin += 1
    stop = end
    while stop > begin and not text[stop - 1].isalnum():
        stop -= 1
    if len(text[begin:stop].split()) < MIN_QUOTE_WORDS:
        return None
    return Span(begin, stop)


def _verb_after(words: list[tuple[int, int, str]], offset: int, *, english: bool) -> int | None:
    following = [i for i, w in enumerate(words) if w[0] > offset][:2]
    for i in following:
        word = words[i][2]
        if (english and word.lower() in _EN_VERBS) or (not english and _bare(word) in _AR_VERBS):
            return i
    return None


def _direct_quotes(text: str, sentence: Span) -> list[Span]:
    """The quotations opening in ``sentence`` (the last may close in a later sentence)."""
    out: list[Span] = []
    position = sentence.start
    while position < sentence.end:
        found = _direct_quote(text, Span(position, sentence.end))
        if found is None:
            break
        out.append(found)
        position = found.end + 1
    return out


def _direct_quote(text: str, sentence: Span) -> Span | None:
    """The first quotation opening in ``sentence`` (it may close in a later sentence)."""
    for i in range(sentence.start, sentence.end):
        closing = CLOSING.get(text[i])
        if closing is None or (text[i] == "”" and i > sentence.start and text[i - 1].isalnum()):
            continue
        limit = min(len(text), i + MAX_QUOTE_CHARS)
        j = next((k for k in range(i + 1, limit) if text[k] in closing or text[k] in "»”" or text[k] == "\n"), None)
        if j is not None and text[j] == "\n":  # never closed in its paragraph: it ends there
            while j > i + 1 and not text[j - 1].isalnum():
                j -= 1
        if j is None or len(text[i + 1 : j].split()) < MIN_QUOTE_WORDS:
            continue
        return Span(i + 1, j)
    return None
