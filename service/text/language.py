"""Language identification (ISO 639-1) with py3langid, for articles sent without one.

Example:
    >>> detect_language("أكد الرئيس الروسي فلاديمير بوتين ضرورة الحفاظ على سيادة سورية")
    'ar'
"""

from __future__ import annotations

import re
from functools import lru_cache

MIN_LETTERS = 12  # shorter texts are undecidable
MIN_PROBABILITY = 0.25  # over the closed set below; short headlines rarely reach 0.5
_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_LETTER = re.compile(r"[^\W\d_]")
# Persian and Urdu share the script: an Arabic-script text is Arabic unless langid is sure.
_ARABIC_SCRIPT_LANGUAGES = {"ar", "fa", "ur", "ps", "ku", "ug"}


# The languages news arrives in; a closed set keeps langid from answering with a rare
# creole for a short English headline.
LANGUAGES = (
    "ar fa ur he tr en fr de es it pt nl ru uk pl cs sk sl hr sr bg ro hu el sv da no fi et lv lt "
    "zh ja ko vi th id ms hi bn ta sw ca"
).split()


@lru_cache(maxsize=1)
def _identifier():  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(LANGUAGES)
    return identifier


def detect_language(text: str) -> str | None:
    """The text's language code, or None when it is too short to tell."""
    letters = _LETTER.findall(text)
    if len(letters) < MIN_LETTERS:
        arabic = sum(1 for c in letters if _ARABIC.match(c))
        return "ar" if letters and arabic / len(letters) > 0.6 else None
    language, probability = _identifier().classify(text[:5000])
    arabic_share = sum(1 for c in letters if _ARABIC.match(c)) / len(letters)
    if arabic_share > 0.6 and (language not in _ARABIC_SCRIPT_LANGUAGES or (language != "ar" and probability < 0.99)):
        return "ar"
    return language if probability >= MIN_PROBABILITY else None
