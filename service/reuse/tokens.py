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
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

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


@dataclass(frozen=True, slots=True, eq=False)
class Tokens:
    """Normalised words of a text, their original spans, content flags and sentence numbers.

    Compared and hashed by identity: caches keyed by a Tokens (``bags``, ``seeds``) would
    otherwise hash every word and offset of the text on each lookup.
    """

    words: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    content: tuple[bool, ...]
    sentence: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.words)

    def index_at(self, offset: int) -> int:
        """Index of the first word starting at or after original ``offset``."""
        return bisect_left(self.starts, offset)


@lru_cache(maxsize=4096)
def tokens(text: str) -> Tokens:
    """The words of ``text`` (cached: a stored article is compared with many queries)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
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
