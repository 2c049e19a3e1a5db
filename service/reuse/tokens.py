"""Words of a text for matching: normalised, with their ORIGINAL character offsets.

Words are runs of ``\\w`` on the normalised text (service.text.normalize: diacritics,
alef forms, digits and quotes folded), each mapped back to the original characters it
came from. Content words are the words that carry meaning: not a frequent function
word, longer than one letter (or a number). Sentence numbers split the text at ``. ! ? ;``
and line breaks, so passages and sentence seeds need nothing but this module.

Example:
    >>> t = tokens("قالَ بوتين: «العلاقات بدأت بالتغيّر».")
    >>> t.words
    ('قال', 'بوتين', 'العلاقات', 'بدات', 'بالتغير')
    >>> t.starts[1], t.ends[1]
    (5, 10)
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left
from collections import OrderedDict
from dataclasses import dataclass, field

from service.text.normalize import normalize

WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.!?;\n\u061f\u061b\u06d4]")

# Frequent function words (normalised), which every sentence of a language shares.
STOPWORDS = frozenset(
    """في من على الى ان او و ثم عن مع هذا هذه ذلك التي الذي الذين كان كانت قد لا ما لم لن
    كما بين بعد قبل عند حتى اي كل هو هي هم انه انها به بها له لها ضد خلال حول منذ اذا لكن
    وفي ومن وعلى والى وان او فان بان لان ولا وما ولم وقد وكان وهو وهي وهذا وهذه الا غير
    the a an of to in and or for on at by with from as is are was were be been that this it its
    le la les de des du un une et ou en au aux pour par sur dans que qui est sont
    bir ve ile da de bu için olarak""".split()
)


def is_content(word: str) -> bool:
    """A word that carries meaning (not a function word, not a single letter)."""
    return word not in STOPWORDS and (len(word) > 1 or word.isdigit())


# Tokens kept in memory, by text: at most this many words in all (~400 bytes a word with
# what ``bags`` and ``seeds`` derive from them), least recently used dropped first.
CACHED_WORDS = 1_000_000


@dataclass(frozen=True, slots=True, eq=False)
class Tokens:
    """Normalised words of a text, their original spans, content flags and sentence numbers.

    Compared and hashed by identity. ``memo`` holds what ``bags`` and ``seeds`` derive
    from the words (bags, windows, sentence units), so it lives and dies with them.
    """

    words: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    content: tuple[bool, ...]
    sentence: tuple[int, ...]
    memo: dict[object, object] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.words)

    def index_at(self, offset: int) -> int:
        """Index of the first word starting at or after original ``offset``."""
        return bisect_left(self.starts, offset)

    def words_between(self, start: int, end: int) -> tuple[str, ...]:
        """The words starting within original offsets ``[start, end)`` (an aligned span's)."""
        return self.words[self.index_at(start) : self.index_at(end)]

    def head(self, count: int) -> Tokens:
        """The first ``count`` words (remembered: a query is aligned with many candidates)."""
        if count >= len(self.words):
            return self
        key = ("head", count)
        found = self.memo.get(key)
        if not isinstance(found, Tokens):
            found = Tokens(self.words[:count], self.starts[:count], self.ends[:count], self.content[:count], self.sentence[:count])
            self.memo[key] = found
        return found


class _TokenCache:
    """Tokens by text, bounded by their total count of words (not of texts: one upload of
    2 MB has as many words as a thousand articles)."""

    def __init__(self, *, max_words: int) -> None:
        self.max_words = max_words
        self._items: OrderedDict[str, Tokens] = OrderedDict()
        self._words = 0
        self._lock = threading.Lock()

    def get(self, text: str) -> Tokens | None:
        with self._lock:
            found = self._items.get(text)
            if found is not None:
                self._items.move_to_end(text)
            return found

    def put(self, text: str, value: Tokens) -> None:
        with self._lock:
            if text in self._items or len(value) > self.max_words // 4:
                return  # a text this long is tokenised again rather than evict a quarter of the cache
            self._items[text] = value
            self._words += len(value)
            while self._words > self.max_words:
                _, dropped = self._items.popitem(last=False)
                self._words -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._words = 0


_cache = _TokenCache(max_words=CACHED_WORDS)


def tokens(text: str) -> Tokens:
    """The words of ``text`` (cached: a stored article is compared with many queries)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    found = _cache.get(text)
    if found is None:
        found = _tokenize(text)
        _cache.put(text, found)
    return found


def _tokenize(text: str) -> Tokens:
    n = normalize(text)
    normalised = n.text
    words, starts, ends, sentence = [], [], [], []
    number, position = 0, 0
    for m in WORD.finditer(normalised):
        start, end = n.starts[m.start()], n.ends[m.end() - 1]
        if _SENTENCE_END.search(text, position, start):  # between words, in the original
            number += 1
        position = end
        words.append(m.group())
        starts.append(start)
        ends.append(end)
        sentence.append(number)
    return Tokens(tuple(words), tuple(starts), tuple(ends), tuple(is_content(w) for w in words), tuple(sentence))


def spaceless(text: str) -> bool:
    """Text written without spaces between words (Chinese, Japanese, Thai)."""
    letters = sum(c.isalpha() for c in text)
    return letters > 20 and text.count(" ") < letters / 30
