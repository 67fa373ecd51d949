"""Which language an inbound text is written in, and whether the intake models support it.

Supported languages (models.intake.SUPPORTED_LANGUAGES) are English, Spanish, Vietnamese and Chinese;
anything else goes to review with `language_unsupported` (DESIGN promise 4: a text nobody's rules
can read is not auto-routed). The detector is lingua (lingua-language-detector, models shipped in
the wheel, no download), restricted to the supported languages and the languages US clinics most
often receive besides them, so that an unsupported language is *recognised* rather than forced
onto the nearest supported one.

How it decides, in order (each step says why):
1. Scripts. Letters are counted by script. Han without kana/hangul is Chinese. A non-Latin script
   other than Han (Cyrillic, Arabic, Hangul, kana, Devanagari, Thai...) that makes up most of the
   letters is unsupported, whatever a few English words around it say.
2. Latin script. lingua is good on accented text but reads Vietnamese typed without diacritics
   (common in portal messages: "bac si oi toi bi dau nguc") as Yoruba, Swahili or French, and short
   Spanish with English drug names ("tomo lisinopril y metformin") as Italian. So its answer is
   checked against the share of the text's words that are common words of a supported language
   (short hand-written lists: function words and everyday clinic words). A supported language with a
   word share of at least SUPPORTED_WORD_SHARE is taken even when lingua prefers another;
   unaccented Vietnamese is recognised by its syllables (toi, khong, duoc, bac si, nguoi...).
3. Unsupported only with evidence: lingua names a non-supported language with confidence at least
   UNSUPPORTED_SURE (Portuguese and Italian share many of Spanish's common words), or names one with
   confidence at least UNSUPPORTED_MIN_CONFIDENCE and no supported language reaches the word share, or no supported
   language's words are present at all in a text with at least MIN_LETTERS letters.
Too little text to tell (a blank fax page, a fax header of numbers) is "und" and counts as supported:
there is nothing in it a reader of another language would understand better.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from models.intake import SUPPORTED_LANGUAGES, LanguageReport

SUPPORTED_WORD_SHARE = 0.18
UNSUPPORTED_MIN_CONFIDENCE = 0.5
UNSUPPORTED_SURE = 0.9
VI_SURE_SHARE = 0.3
# A word share that outweighs even a near-certain lingua: English words are rare in Romance-language
# text, while Portuguese and Italian carry many of Spanish's common words (hence the higher bar).
STRONG_WORD_SHARE = {"en": 0.2, "es": 0.4, "vi": VI_SURE_SHARE}
ES_ONLY_SHARE = 0.08
MIN_LETTERS = 12

# Languages the detector chooses among: the supported four and the languages most often met in US
# clinics besides them (LEP populations: Census ACS "language spoken at home"). Haitian Creole and
# Hmong have no lingua model: Haitian Creole reads as French, Hmong as one of the others, and both
# are unsupported either way (step 3).
CANDIDATES = (
    "ENGLISH", "SPANISH", "VIETNAMESE", "CHINESE", "RUSSIAN", "UKRAINIAN", "ARABIC", "PERSIAN", "URDU", "KOREAN",
    "JAPANESE", "TAGALOG", "PORTUGUESE", "FRENCH", "SOMALI", "SWAHILI", "YORUBA", "HINDI", "PUNJABI", "BENGALI",
    "GUJARATI", "THAI", "POLISH", "GERMAN", "ITALIAN", "ARMENIAN", "GREEK", "HEBREW", "ROMANIAN", "TURKISH",
    "INDONESIAN", "MALAY", "SHONA", "ZULU",
)

# Common words (accent-folded, lower case) of the Latin-script supported languages: function words
# and everyday words of clinic messages. Written from knowledge of the languages, not from any corpus.
_WORDS = {
    "en": """the a an and or but of to in on at for with from by is are was were be been am i you he she we they it my
        your his her our their this that these those not no yes have has had do does did can could will would should
        please thank thanks hello hi dear doctor dr patient pt clinic office appointment refill pharmacy medication
        medicine pain help need needs want call back today tomorrow yesterday morning night week day days since about
        what when how why who which there here if so as up out just been also any all some more very after before
        me him them us again still get got take taking took send sent request results report date name phone fax
        per re attn dob page pages note
        report final lab laboratory result total comment provider impression findings finding ratio flow range
        normal abnormal significant specimen collected ordered exam history diagnosis reason referral signed md
        bilateral bilaterally left right acute chronic mild moderate severe level levels blood urine test tests
        panel study view views follow up high low positive negative stable new prior plan assessment visit""".split(),
    "es": """el la los las un una unos unas y o pero de del a al en con por para es son fue era soy estoy esta estan
        tengo tiene tiene tenemos yo tu usted ella el nosotros ellos mi mis su sus que como cuando donde porque no si
        muy mas ya hoy manana ayer noche dia dias semana gracias hola buenos buenas doctor doctora dra medico
        paciente clinica cita receta farmacia medicina medicamento pastillas dolor ayuda necesito necesita quiero
        puedo puede favor le lo me se te nos hace hay desde hasta sobre tambien todo toda esto este eso ese mama papa
        hijo hija esposo esposa senor senora cuanto cual quien otra otro""".split(),
    # Vietnamese without diacritics (also matches accented text once folded): frequent syllables.
    "vi": """toi ban anh chi em ong ba co chu bac si thuoc khong duoc cua va la cho voi nhung nguoi nhieu roi oi xin
        cam on giup bi dau benh vien nha hom nay ngay thang nam tuan gio sang chieu toi den di ve lai ra vao len
        xuong dang se da chua het them nua cung rat qua lam gi sao nao day do con be chau phong kham hen hoi biet muon
        can uong vien mot hai bon sau bay tam chin muoi tuoi thai ket xet nghiem mau toa nhung trong ngoai tren
        duoi truoc sau khi neu thi ma vi nen bao""".split(),
}
_WORD_SETS = {k: frozenset(v) for k, v in _WORDS.items()}
# Spanish words that Portuguese, Italian and French do not share: lingua's Portuguese or Italian is
# overruled only by these (a Portuguese text has "para", "por favor", "semana" too).
_ES_ONLY = frozenset("""el los las y usted tengo tiene tienen necesito necesita estoy hola gracias cita manana muy hijo hija ella
    hoy ayer hay hasta doctora quiero puedo puede ustedes senora senor pastillas receta""".split())
_ROMANCE = frozenset({"pt", "it", "fr", "ro", "ca", "gl"})
# Syllables that are Vietnamese and almost never an English or Spanish word; two distinct ones are
# needed before the word share is believed for Vietnamese.
_VI_MARKERS = frozenset("""toi khong duoc bac cua nhung nguoi nhieu roi oi xin giup benh nha hom ngay thang tuan gio
    chieu xuong dang chua het nua rat qua lam sao nao chau phong kham hen biet muon uong vien tuoi thuoc""".split())
_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)

_SCRIPT_RANGES: list[tuple[str, tuple[tuple[int, int], ...]]] = [
    ("han", ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0xF900, 0xFAFF), (0x20000, 0x2A6DF))),
    ("kana", ((0x3040, 0x30FF), (0x31F0, 0x31FF))),
    ("hangul", ((0xAC00, 0xD7AF), (0x1100, 0x11FF), (0x3130, 0x318F))),
    ("cyrillic", ((0x0400, 0x04FF), (0x0500, 0x052F))),
    ("arabic", ((0x0600, 0x06FF), (0x0750, 0x077F), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))),
    ("hebrew", ((0x0590, 0x05FF),)),
    ("greek", ((0x0370, 0x03FF),)),
    ("armenian", ((0x0530, 0x058F),)),
    ("devanagari", ((0x0900, 0x097F),)),
    ("bengali", ((0x0980, 0x09FF),)),
    ("gurmukhi", ((0x0A00, 0x0A7F),)),
    ("gujarati", ((0x0A80, 0x0AFF),)),
    ("thai", ((0x0E00, 0x0E7F),)),
    ("lao", ((0x0E80, 0x0EFF),)),
    ("khmer", ((0x1780, 0x17FF),)),
    ("burmese", ((0x1000, 0x109F),)),
    ("ethiopic", ((0x1200, 0x137F),)),
    ("georgian", ((0x10A0, 0x10FF),)),
]
# What an unsupported script is called when lingua has no candidate for it.
_SCRIPT_LANGUAGE = {"hangul": "ko", "kana": "ja", "cyrillic": "ru", "arabic": "ar", "hebrew": "he", "greek": "el",
                    "armenian": "hy", "devanagari": "hi", "bengali": "bn", "gurmukhi": "pa", "gujarati": "gu", "thai": "th",
                    "lao": "lo", "khmer": "km", "burmese": "my", "ethiopic": "am", "georgian": "ka"}


def _script(ch: str) -> str:
    cp = ord(ch)
    if cp < 0x250:
        return "latin"
    if 0x1E00 <= cp <= 0x1EFF:  # Latin Extended Additional: Vietnamese letters with two marks
        return "latin"
    for name, ranges in _SCRIPT_RANGES:
        if any(a <= cp <= b for a, b in ranges):
            return name
    return "other"


def _fold(word: str) -> str:
    word = word.lower().replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")


@lru_cache(maxsize=1)
def _detector():
    """lingua's detector over CANDIDATES (loaded once per process, ~300 MB, a few seconds)."""
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(*(getattr(Language, n) for n in CANDIDATES)).build()


def _iso(language) -> str:
    return language.iso_code_639_1.name.lower()


def word_shares(text: str) -> dict[str, float]:
    """Share of the text's words that are common words of each Latin-script supported language.

    >>> s = word_shares("Tengo dolor de pecho, tomo lisinopril y metformin")
    >>> s["es"] > s["en"]
    True
    """
    words = [_fold(w) for w in _TOKEN.findall(text)]
    words = [w for w in words if w.isascii()]
    if not words:
        return {k: 0.0 for k in _WORD_SETS}
    shares = {k: sum(w in s for w in words) / len(words) for k, s in _WORD_SETS.items()}
    if len({w for w in words if w in _VI_MARKERS}) < 2:
        shares["vi"] = 0.0
    return shares


def detect_language(text: str) -> LanguageReport:
    """The language of `text` and whether the intake models support it.

    >>> detect_language("Tengo dolor de pecho desde anoche, tomo lisinopril y metformin").language
    'es'
    >>> r = detect_language("У меня болит грудь со вчерашнего вечера, что мне делать?")
    >>> r.language, r.supported
    ('ru', False)
    """
    counts: dict[str, int] = {}
    for ch in text:
        if ch.isalpha():
            s = _script(ch)
            counts[s] = counts.get(s, 0) + 1
    letters = sum(counts.values())
    if letters == 0:
        return LanguageReport(language="und", supported=True, confidence=0.0, method="no_text", scripts={})
    han, latin = counts.get("han", 0), counts.get("latin", 0)
    others = {k: v for k, v in counts.items() if k not in ("latin", "han", "other")}
    top_other = max(others, key=others.get) if others else None
    # Han characters carry a word each: weigh them like a 3-letter Latin word when comparing scripts.
    han_w = han * 3
    if top_other and others[top_other] * 1.0 > max(han_w, latin) * 0.5 and others[top_other] >= 2:
        if top_other in ("kana",) or (top_other == "hangul"):
            lang = _SCRIPT_LANGUAGE[top_other]
        else:
            guess = _detector().detect_language_of(text)
            lang = _iso(guess) if guess is not None else _SCRIPT_LANGUAGE.get(top_other, "und")
            if lang in SUPPORTED_LANGUAGES:
                lang = _SCRIPT_LANGUAGE.get(top_other, "und")
        return LanguageReport(language=lang, supported=False, confidence=round(others[top_other] / letters, 4),
                              method="script", scripts=counts)
    if han and han_w >= latin * 0.5:
        return LanguageReport(language="zh", supported=True, confidence=round(han_w / (han_w + latin), 4), method="script",
                              scripts=counts)
    if latin < MIN_LETTERS:
        return LanguageReport(language="und", supported=True, confidence=0.0, method="too_short", scripts=counts)
    shares = word_shares(text)
    best_sup = max(shares, key=shares.get)
    values = _detector().compute_language_confidence_values(text)
    ranked = [(_iso(v.language), round(v.value, 4)) for v in values[:3]]
    top, top_conf = ranked[0] if ranked else ("und", 0.0)
    candidates = [{"language": code, "confidence": conf} for code, conf in ranked]
    if top in SUPPORTED_LANGUAGES and top != "zh":
        # lingua and the word lists agree on a supported language, or lingua does and words are few.
        if top == "vi" and shares["vi"] == 0.0 and not _has_vi_marks(text):
            pass  # lingua says Vietnamese for a Latin text with no Vietnamese in it (Hmong reads so): go on
        elif best_sup != top and shares[best_sup] >= SUPPORTED_WORD_SHARE and shares[best_sup] > shares[top] + 0.1:
            # English clinic words inside an unaccented Vietnamese message pull lingua to English.
            return LanguageReport(language=best_sup, supported=True, confidence=round(shares[best_sup], 4),
                                  method="word_share", scripts=counts, candidates=candidates, word_shares=shares)
        else:
            return LanguageReport(language=top, supported=True, confidence=top_conf, method="lingua", scripts=counts,
                                  candidates=candidates, word_shares=shares)
    if shares["vi"] >= VI_SURE_SHARE:
        # Unaccented Vietnamese: lingua is sure of Swahili, Yoruba or French, the syllables say otherwise.
        return LanguageReport(language="vi", supported=True, confidence=round(shares["vi"], 4), method="word_share",
                              scripts=counts, candidates=candidates, word_shares=shares)
    strong = [k for k, v in shares.items() if v >= STRONG_WORD_SHARE[k]]
    if top not in SUPPORTED_LANGUAGES and top_conf >= UNSUPPORTED_SURE and not strong:
        # Portuguese shares Spanish's function words; lingua's near-certainty outweighs the word lists.
        return LanguageReport(language=top, supported=False, confidence=top_conf, method="lingua", scripts=counts,
                              candidates=candidates, word_shares=shares)
    if best_sup == "es" and top in _ROMANCE and top_conf >= UNSUPPORTED_MIN_CONFIDENCE and _es_only_share(text) < ES_ONLY_SHARE:
        return LanguageReport(language=top, supported=False, confidence=top_conf, method="lingua", scripts=counts,
                              candidates=candidates, word_shares=shares)
    if shares[best_sup] >= SUPPORTED_WORD_SHARE:
        return LanguageReport(language=best_sup, supported=True, confidence=round(shares[best_sup], 4), method="word_share",
                              scripts=counts, candidates=candidates, word_shares=shares)
    if top not in SUPPORTED_LANGUAGES and top_conf >= UNSUPPORTED_MIN_CONFIDENCE:
        return LanguageReport(language=top, supported=False, confidence=top_conf, method="lingua", scripts=counts,
                              candidates=candidates, word_shares=shares)
    if shares[best_sup] > 0.0 and shares[best_sup] >= 0.5 * SUPPORTED_WORD_SHARE:
        # Weak on both sides (lists of codes, drug names, names): read it as the supported language it most resembles.
        return LanguageReport(language=best_sup, supported=True, confidence=round(shares[best_sup], 4), method="word_share",
                              scripts=counts, candidates=candidates, word_shares=shares)
    lang = top if top not in SUPPORTED_LANGUAGES else "und"
    return LanguageReport(language=lang, supported=False, confidence=top_conf, method="no_supported_words", scripts=counts,
                          candidates=candidates, word_shares=shares)


def _es_only_share(text: str) -> float:
    words = [_fold(w) for w in _TOKEN.findall(text)]
    return sum(w in _ES_ONLY for w in words) / len(words) if words else 0.0


_VI_ONLY = re.compile("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)


def _has_vi_marks(text: str) -> bool:
    return len(_VI_ONLY.findall(text)) >= 3
