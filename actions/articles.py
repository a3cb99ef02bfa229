"""Help articles: read and check the Markdown files, and rank them against a customer's problem.

The articles are written in English in the articles folder; a translation lives in a subfolder
named by its language code (data/articles/da/<slug>.md) and takes the English article's systems.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache, lru_cache, partial
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import snowballstemmer
import yaml
from scipy import sparse
from scipy.sparse import linalg as sparse_linalg
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from stop_words import get_stop_words

from actions import config
from support_core.language import DEFAULT_LANGUAGE, LANGUAGES
from support_core.systems import canonical_system, known_systems

logger = logging.getLogger(__name__)

REQUIRED_TEXT_FIELDS = ("slug", "title", "url")
LIST_FIELDS = ("systems", "tags")
KNOWN_FIELDS = frozenset(REQUIRED_TEXT_FIELDS + LIST_FIELDS)
#: Fields a translation leaves to the English article: which systems it concerns is no wording.
ORIGINAL_ONLY_FIELDS = frozenset({"systems"})
#: The articles are written in the default language; other languages are translations of them.
ORIGINAL_LANGUAGE = DEFAULT_LANGUAGE
TRANSLATIONS = tuple(language for language in LANGUAGES if language != ORIGINAL_LANGUAGE)
SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)^---[ \t]*$\n?(.*)\Z", re.DOTALL | re.MULTILINE)

# How much each part of an article counts in the ranking: the title and tags say what an
# article is about, the body adds the details customers mention.
TITLE_REPEATS = 3
TAG_REPEATS = 2
# A translation is also found by the English article's title and tags, once: Danish customers
# quote English terms and log messages ("Error in totals validation", "skipped").
ORIGINAL_REPEATS = 1
# Word n-grams reward exact vocabulary; character n-grams forgive typos and word forms.
WORD_WEIGHT = 0.6
CHARACTER_WEIGHT = 0.4
# A system name in the question says which system, not which problem, so it counts less than
# the other words; otherwise "order missing in e-conomic" finds every e-conomic article.
SYSTEM_WORD_WEIGHT = 0.5
# A word the articles do not use still counts as known when it resembles one of theirs this much
# (character n-gram cosine), so typos are not taken for a question about something else.
SPELLING_MATCH = 0.5
# An article about a system the customer uses ranks this much higher (a factor on the score).
SYSTEM_BOOST = 0.15

#: Per language, the words customers use that no stemmer relates to the articles' words.
GLOSSARY_FILE = config.PROJECT_ROOT / "data" / "search" / "glossary.yml"
# Filler of a support chat that the general stop-word lists do not have.
# fmt: off
DOMAIN_FILLER_WORDS = frozenset({
    "hi", "hello", "hey", "thanks", "thank", "pls", "please", "regards", "iex", "dear", "just",
    "ok", "okay", "help", "need", "problem", "problems", "question", "questions", "issue",
    "issues", "hej", "tak", "mvh", "hjælp", "hvordan", "hvorfor", "hvornår", "endnu", "får",
    "fået", "sker", "stadig", "kan", "vores", "jeres",
})
# Danish chat filler for the Danish search only (the English search keeps the list above).
DANISH_FILLER_WORDS = frozenset({
    "hejsa", "goddag", "hilsen", "venlig", "venligst", "hjælpe", "spørgsmål", "gerne", "lige",
    "bare", "altså", "nogen", "måske", "tror", "synes", "kære", "jo", "nok", "helt", "også",
    "egentlig", "netop", "osv", "fx", "ik", "ikk",
})
# fmt: on
#: The snowball stemmer of each language.
STEMMER_NAMES = {"en": "english", "da": "danish"}


class ArticleError(ValueError):
    """An article file that cannot be used; the message lists what is wrong."""


@dataclass(frozen=True)
class Article:
    """One help article: its front matter, its Markdown body and the file it came from."""

    slug: str
    title: str
    url: str
    systems: tuple[str, ...]
    tags: tuple[str, ...]
    body: str
    path: Path
    #: The language of the title, tags and body; an untranslated article stays in English.
    language: str = ORIGINAL_LANGUAGE


@dataclass(frozen=True)
class Hit:
    """An article found for a search, with its relevance score."""

    article: Article
    score: float

    @property
    def slug(self) -> str:
        return self.article.slug

    @property
    def title(self) -> str:
        return self.article.title

    @property
    def url(self) -> str:
        return self.article.url


# Reading and checking article files


def article_language(path: Path) -> str:
    """The language of an article file: a translation's folder is named by its language code."""
    return path.parent.name if path.parent.name in TRANSLATIONS else ORIGINAL_LANGUAGE


def _inspect(path: Path, language: str) -> tuple[dict, str, list[str]]:
    """Read an article file and return its front matter, body and every problem found."""
    try:
        text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError) as error:
        return {}, "", [f"cannot be read: {error}"]
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, "", ["no front matter: start with a '---' line and end it with another"]
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as error:
        first_line = str(error).splitlines()[0] if str(error) else "unreadable"
        return {}, "", [f"front matter is not valid YAML ({first_line})"]
    if not isinstance(meta, dict):
        return {}, "", ["front matter must be 'key: value' lines"]
    body = match.group(2).strip()
    return meta, body, _problems(path, meta, body, language)


def _problems(path: Path, meta: dict, body: str, language: str) -> list[str]:
    """List what is wrong with the front matter and body of one article."""
    translated = language != ORIGINAL_LANGUAGE
    problems = []
    for name in meta:
        if translated and name in ORIGINAL_ONLY_FIELDS:
            problems.append(f"field '{name}' belongs in the English article only")
        elif name not in KNOWN_FIELDS:
            problems.append(f"unknown field '{name}'")
    for name in REQUIRED_TEXT_FIELDS:
        if name not in meta:
            problems.append(f"missing field '{name}'")
        elif not isinstance(meta[name], str) or not meta[name].strip():
            problems.append(f"field '{name}' is empty")
    for name in LIST_FIELDS:
        if translated and name in ORIGINAL_ONLY_FIELDS:
            continue
        value = meta.get(name)
        if name not in meta:
            problems.append(f"missing field '{name}' (write [] when there is nothing to list)")
        elif not isinstance(value, list) or not all(_is_word(item) for item in value):
            problems.append(f"field '{name}' must be a list of words, like [vat, oss]")
    if meta.get("tags") == []:
        problems.append("field 'tags' is empty")
    slug = meta.get("slug")
    if isinstance(slug, str) and slug.strip():
        if not SLUG_PATTERN.fullmatch(slug):
            problems.append(f"slug '{slug}' must be lower-case letters, digits and hyphens")
        if slug != path.stem:
            problems.append(f"slug '{slug}' differs from the file name '{path.stem}'")
    url = meta.get("url")
    if isinstance(url, str) and url.strip() and not _is_https_url(url):
        problems.append(f"url '{url}' is not a well-formed https URL")
    if not body:
        problems.append("body is empty: write a summary and steps after the front matter")
    return problems


def _is_word(item: object) -> bool:
    """A list entry that reads as a word: text or a number, not empty, not a nested value."""
    return (
        isinstance(item, (str, int, float))
        and not isinstance(item, bool)
        and bool(str(item).strip())
    )


def _is_https_url(url: str) -> bool:
    parsed = urlparse(url)
    return (
        parsed.scheme == "https"
        and "." in parsed.netloc
        and not re.search(r"\s", url)
        and not parsed.netloc.startswith(".")
    )


def check_article(path: Path | str, language: str | None = None) -> list[str]:
    """Return the problems of one article file; an empty list means it can be published.

    The language is the file's folder's unless given; a translation must have an English article.
    """
    path = Path(path)
    language = language or article_language(path)
    meta, _, problems = _inspect(path, _checked(language))
    if language != ORIGINAL_LANGUAGE:
        problems += _missing_original(meta, path.parent.parent)
    return problems


def load_article(path: Path | str, language: str | None = None) -> Article:
    """Read one article file; raises ArticleError listing its problems if it is not valid.

    A translation comes without systems: the knowledge base takes them from the English article.
    """
    path = Path(path)
    language = _checked(language or article_language(path))
    meta, body, problems = _inspect(path, language)
    if problems:
        raise ArticleError("; ".join(problems))
    return Article(
        slug=meta["slug"].strip(),
        title=meta["title"].strip(),
        url=meta["url"].strip(),
        systems=tuple(str(item).strip() for item in meta.get("systems", ())),
        tags=tuple(str(item).strip() for item in meta["tags"]),
        body=body,
        path=path,
        language=language,
    )


def article_files(folder: Path | str) -> list[Path]:
    """The article files of a folder, in a stable order."""
    return sorted(Path(folder).glob("*.md"))


def language_folder(folder: Path | str, language: str) -> Path:
    """Where the articles of a language are: the folder itself for English, else its subfolder."""
    folder = Path(folder)
    return folder if _checked(language) == ORIGINAL_LANGUAGE else folder / language


def check_articles(folder: Path | str) -> dict[Path, list[str]]:
    """Every article file of a folder and of its translation folders, with its problems.

    Duplicate slugs and urls are reported within one language; a translation must have an
    English article with its slug.
    """
    results: dict[Path, list[str]] = {}
    for language in LANGUAGES:
        results.update(_check_language_folder(Path(folder), language))
    return results


def _check_language_folder(folder: Path, language: str) -> dict[Path, list[str]]:
    """The problems of every article file of one language."""
    results: dict[Path, list[str]] = {}
    first_owner: dict[tuple[str, str], Path] = {}
    for path in article_files(language_folder(folder, language)):
        meta, _, problems = _inspect(path, language)
        if language != ORIGINAL_LANGUAGE:
            problems += _missing_original(meta, folder)
        for name in ("slug", "url"):
            value = meta.get(name)
            if not isinstance(value, str) or not value.strip():
                continue
            owner = first_owner.setdefault((name, value.strip()), path)
            if owner != path:
                problems.append(f"duplicate {name} '{value.strip()}', also used by {owner.name}")
        results[path] = problems
    return results


def _missing_original(meta: dict, folder: Path) -> list[str]:
    """The problem of a translation whose slug has no English article in the folder."""
    slug = meta.get("slug")
    if not isinstance(slug, str) or not slug.strip() or (folder / f"{slug.strip()}.md").is_file():
        return []
    return [f"slug '{slug.strip()}' has no English article {slug.strip()}.md to translate"]


def _checked(language: str | None) -> str:
    """The language code itself, the default one for None; raises ValueError for an unknown one."""
    if not language:
        return DEFAULT_LANGUAGE
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}, expected one of {', '.join(LANGUAGES)}")
    return language


# Ranking


def normalise(text: str) -> str:
    """Lower-case text and join hyphenated or dotted words: e-conomic and economic are one word."""
    return re.sub(r"(?<=\w)[-.](?=\w)", "", text.lower())


def system_key(name: str) -> str:
    """The comparable form of a system name, so 'Visma e-conomic' and 'economic' match."""
    canonical = canonical_system(name) or " ".join(name.lower().split())
    return normalise(canonical).replace(" ", "")


def _system_words(systems: dict[str, tuple[str, ...]]) -> frozenset[str]:
    """The words that name a system: one-word names, and the brand that starts a longer name.

    The other words of a longer name ("central", "pos", "online") also say what a problem is.
    """
    words = set()
    for canonical, aliases in systems.items():
        for name in (canonical, *aliases):
            tokens = re.findall(r"\w+", normalise(name))
            if len(tokens) == 1:
                words.add(tokens[0])
        words.add(re.findall(r"\w+", normalise(canonical))[0])
    return frozenset(words)


# Danish customers often write æ, ø and å as ae, oe and aa; the Danish search reads both alike.
_DANISH_LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})
# Some leave out the marks altogether ("pa", "nar"); only filler words are matched that way, and
# not where the plain spelling is a word of its own ("være" written "vare" is the word for goods).
_PLAIN_LETTERS = str.maketrans({"æ": "a", "ø": "o", "å": "a"})
_PLAIN_SPELLINGS_THAT_ARE_WORDS = frozenset({"vare"})


def fold(word: str, language: str) -> str:
    """The spelling a word is compared in: Danish æ, ø, å as ae, oe, aa; English unchanged."""
    return word.translate(_DANISH_LETTERS) if language == "da" else word


#: The glossary section of Danish words in English questions, found in any of their forms.
DANISH_IN_ENGLISH = "danish_in_english"


def _read_glossary(path: Path) -> dict[str, dict[str, str]]:
    """The glossary file as section -> word -> the articles' words; a missing file means none.

    The sections are the languages' searches and DANISH_IN_ENGLISH; words are compared folded.
    """
    try:
        sections = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as error:
        logger.warning("Cannot read the search glossary %s: %s", path, error)
        sections = {}
    language_of = {language: language for language in LANGUAGES} | {DANISH_IN_ENGLISH: "en"}
    return {
        section: {
            fold(normalise(str(word)), language): fold(str(meaning).lower(), language)
            for word, meaning in (sections.get(section) or {}).items()
        }
        for section, language in language_of.items()
    }


#: Every word that names a system, from the NLU synonyms of data/nlu/systems.yml.
SYSTEM_WORDS = _system_words(known_systems())
GLOSSARY = _read_glossary(GLOSSARY_FILE)
#: Words that say nothing about which article fits: English and Danish filler, greetings.
#: scikit-learn's English list adds the filler the shorter stop-words list lacks ("still",
#: "already", "since", "get"); without it fewer questions find their article. Both languages'
#: lists count in both searches, as customers mix the two.
STOP_WORDS = (
    frozenset(word for language in LANGUAGES for word in get_stop_words(language))
    | ENGLISH_STOP_WORDS
    | DOMAIN_FILLER_WORDS
)
_DANISH_STOP_WORDS = STOP_WORDS | DANISH_FILLER_WORDS
#: The stop words of each search, in the spelling its words are compared in.
LANGUAGE_STOP_WORDS = {
    "en": STOP_WORDS,
    "da": frozenset(fold(word, "da") for word in _DANISH_STOP_WORDS)
    | (
        frozenset(word.translate(_PLAIN_LETTERS) for word in _DANISH_STOP_WORDS)
        - _PLAIN_SPELLINGS_THAT_ARE_WORDS
    ),
}
#: snowballstemmer's stemmers keep their word between calls, so each thread has its own.
_THREAD_STEMMERS = threading.local()
# British and American spelling meet before stemming: synchronised, synchronized.
_BRITISH_SPELLING = re.compile(r"(?<=\w{4})is(e|ed|es|ing|ation|ations)$")


@lru_cache(maxsize=40_000)
def _stem(word: str, language: str = "en") -> str:
    """The stem of a word, so 'transferred', 'transfers' and 'transfer' meet (ordren, ordrer)."""
    if language == "en":
        word = _BRITISH_SPELLING.sub(r"iz\1", word)
    return stemmer(language).stemWord(word)


def stemmer(language: str) -> snowballstemmer.stemmer:
    """This thread's snowball stemmer for ``language`` (one stemmer must not serve two threads)."""
    stemmers = getattr(_THREAD_STEMMERS, "by_language", None)
    if stemmers is None:
        stemmers = _THREAD_STEMMERS.by_language = {
            code: snowballstemmer.stemmer(STEMMER_NAMES[code]) for code in LANGUAGES
        }
    return stemmers[language]


def _stems(glossary: dict[str, str]) -> dict[str, str]:
    """A glossary of Danish words keyed by their stems: one entry covers every form of a word.

    "ordre" covers ordren, ordrer and ordrene.
    """
    by_stem: dict[str, str] = {}
    for word, meaning in glossary.items():
        by_stem.setdefault(_stem(fold(word, "da"), "da"), meaning)
    return by_stem


#: Per search, the words looked up as written, and the stems of the Danish words among them.
_GLOSSARY_LOOKUPS = {
    "en": (GLOSSARY["en"] | GLOSSARY[DANISH_IN_ENGLISH], _stems(GLOSSARY[DANISH_IN_ENGLISH])),
    "da": (GLOSSARY["da"], _stems(GLOSSARY["da"])),
}


def _glossary_meaning(token: str, language: str) -> str:
    """The articles' words for one word of a question or article, the word itself if none.

    A word not listed is looked up by its Danish stem only when that cuts off a Danish ending:
    "ordrene" is found as "ordre", but "send" and "sends" (English words) stay themselves.
    """
    as_written, by_stem = _GLOSSARY_LOOKUPS[language]
    if token in as_written:
        return as_written[token]
    folded = fold(token, "da")
    stem = _stem(folded, "da")
    if folded in (stem, stem + "s"):
        return token
    return by_stem.get(stem, token)


def translate(text: str, language: str = DEFAULT_LANGUAGE) -> str:
    """Normalised text with the glossary's words replaced by the words the articles use."""
    tokens = (fold(token, language) for token in re.findall(r"\w+", normalise(text)))
    return " ".join(_glossary_meaning(token, language) for token in tokens)


@dataclass(frozen=True)
class CompoundSplitter:
    """Splits a Danish compound the articles do not use into the words of theirs it is made of.

    Danish writes compounds as one word ("momsberegningen", "produktsynkronisering",
    "lagerstyring"), and a customer's compound is rarely the articles' own; its parts usually are
    ("moms", "synkronisering", "lager"). A word the articles use is left whole, and a part counts
    only if the articles use it (as a stem); the linking s or e between the parts is dropped
    ("betalingsbetingelse" is "betaling" + "betingelse").
    """

    #: The words the articles use, as written, and their stems.
    words: frozenset[str]
    stems: frozenset[str]
    language: str = "da"

    @classmethod
    def of(cls, documents: Iterable[str], language: str) -> CompoundSplitter:
        """The splitter for the words of these documents."""
        words = {token for document in documents for token in _content(document, language).split()}
        stems = {_stem(word, language) for word in words}
        return cls(words=frozenset(words), stems=frozenset(stems), language=language)

    def split(self, word: str) -> list[str]:
        """The word itself if the articles know it or it is no compound of their words, else
        its parts (the last one may be a word the articles do not use)."""
        if len(word) < 2 * COMPOUND_PART_LENGTH or self._known(word) or word.isdigit():
            return [word]
        parts = self._parts(word)
        return parts or [word]

    def _known(self, word: str) -> bool:
        """A word the articles use (in any of its forms), not a filler word."""
        return (
            word not in LANGUAGE_STOP_WORDS[self.language]
            and _stem(word, self.language) in self.stems
        )

    def _first_parts(self, start: str) -> list[str]:
        """The first part of a compound that starts so: without a linking letter if that is a
        word of the articles ("betaling" in "betalings..."), and as written."""
        if start.endswith(_LINKING_LETTERS) and start[:-1] in self.words:
            return [start[:-1], start]
        return [start]

    def _parts(self, word: str) -> list[str] | None:
        """Two words of the articles, else the longest first part the articles know and a rest
        long enough to be a word of its own; None if the word is neither."""
        ends = range(len(word) - COMPOUND_PART_LENGTH, COMPOUND_PART_LENGTH - 1, -1)
        for end in ends:
            rest = word[end:]
            for head in self._first_parts(word[:end]):
                if self._known(head) and self._known(rest):
                    return [head, rest]
        # With an unknown rest the first part must be a word as the articles write it: "produkt"
        # + "synkroniseringen", not "produkts" + "ynkroniseringen".
        return next(
            (
                [word[:end], word[end:]]
                for end in ends
                if word[:end] in self.words and len(word) - end >= COMPOUND_UNKNOWN_REST_LENGTH
            ),
            None,
        )


#: The languages whose compounds are split (English writes its compounds as separate words).
COMPOUND_LANGUAGES = frozenset({"da"})
# The shortest part a compound is split into, and the shortest rest a split leaves that is not a
# word of the articles (it is kept as a word of its own: "varekartotek" is "vare" + "kartotek").
COMPOUND_PART_LENGTH = 3
COMPOUND_UNKNOWN_REST_LENGTH = 4
# Danish joins the parts of a compound with an s or an e ("betalingsbetingelse", "ordrenummer").
_LINKING_LETTERS = ("s", "e")


def _content(
    text: str, language: str = DEFAULT_LANGUAGE, compounds: CompoundSplitter | None = None
) -> str:
    """Translated text without filler words, compounds split, for the character vectorizer."""
    stop_words = LANGUAGE_STOP_WORDS[language]
    tokens = [token for token in translate(text, language).split() if token not in stop_words]
    if compounds is not None:
        tokens = [part for token in tokens for part in compounds.split(token)]
    return " ".join(tokens)


def _words(
    text: str, language: str = DEFAULT_LANGUAGE, compounds: CompoundSplitter | None = None
) -> list[str]:
    """Tokens for the word vectorizer: translated, without filler words, compounds split,
    stemmed."""
    return [_stem(token, language) for token in _content(text, language, compounds).split()]


def _document(article: Article, original: Article | None = None) -> str:
    """The text an article is found by, with the title and tags weighted by repetition.

    A translation adds the English article's title and tags (original).
    """
    tags = " ".join(article.tags + article.systems)
    parts = [article.title] * TITLE_REPEATS + [tags] * TAG_REPEATS + [article.body]
    if original is not None and original is not article:
        parts += [f"{original.title}\n{' '.join(original.tags)}"] * ORIGINAL_REPEATS
    return "\n".join(parts)


@dataclass(frozen=True)
class _Index:
    """The articles of one language from one reading of the folder, and their TF-IDF vectors."""

    articles: tuple[Article, ...]
    language: str = DEFAULT_LANGUAGE
    words: TfidfVectorizer | None = None
    characters: TfidfVectorizer | None = None
    word_matrix: sparse.csr_matrix | None = None
    character_matrix: sparse.csr_matrix | None = None
    #: Factor per word feature applied to a question: lower for system names.
    word_feature_weights: np.ndarray | None = None
    #: Character n-grams of every word the articles use, to recognise misspelt words.
    spelling: TfidfVectorizer | None = None
    lexicon_matrix: sparse.csr_matrix | None = None
    #: How compounds the articles do not use are split into their words (Danish only).
    compounds: CompoundSplitter | None = None

    @classmethod
    def build(
        cls,
        articles: list[Article],
        language: str = DEFAULT_LANGUAGE,
        originals: dict[str, Article] | None = None,
    ) -> _Index:
        """Fit the vectorizers on the articles; an empty list gives an index that finds nothing.

        originals are the English articles by slug, whose title and tags a translation adds.
        """
        if not articles:
            return cls(articles=(), language=language)
        originals = originals or {}
        documents = [_document(article, originals.get(article.slug)) for article in articles]
        compounds = (
            CompoundSplitter.of(documents, language) if language in COMPOUND_LANGUAGES else None
        )
        words = TfidfVectorizer(
            tokenizer=partial(_words, language=language, compounds=compounds),
            token_pattern=None,
            lowercase=False,
            ngram_range=(1, 2),
            sublinear_tf=True,
        )
        characters = TfidfVectorizer(
            analyzer="char_wb",
            preprocessor=partial(_content, language=language, compounds=compounds),
            ngram_range=(3, 5),
            sublinear_tf=True,
        )
        word_matrix = words.fit_transform(documents)
        features = words.get_feature_names_out()
        system_stems = {_stem(fold(word, language), language) for word in SYSTEM_WORDS}
        is_system = [
            any(token in system_stems for token in feature.split()) for feature in features
        ]
        lexicon = [feature for feature in features if " " not in feature]
        spelling = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3), use_idf=False)
        return cls(
            articles=tuple(articles),
            language=language,
            words=words,
            characters=characters,
            word_matrix=word_matrix,
            character_matrix=characters.fit_transform(documents),
            word_feature_weights=np.where(is_system, SYSTEM_WORD_WEIGHT, 1.0),
            spelling=spelling,
            lexicon_matrix=spelling.fit_transform(lexicon),
            compounds=compounds,
        )

    def terms(self, text: str) -> list[str]:
        """The words of a text as this index compares them (translated, split, stemmed)."""
        return _words(text, self.language, self.compounds)

    def scores(self, text: str) -> np.ndarray:
        """Relevance of every article to the text, between 0 and 1.

        The similarity is scaled by the share of the question's words the articles know, so a
        question about something else ("who won the match") does not pass on one shared word.
        """
        question = self.words.transform([text]).multiply(self.word_feature_weights).tocsr()
        length = sparse_linalg.norm(question)
        word_scores = np.zeros(len(self.articles))
        if length:
            word_scores = (self.word_matrix @ (question / length).T).toarray().ravel()
        character_scores = (
            (self.character_matrix @ self.characters.transform([text]).T).toarray().ravel()
        )
        similarity = WORD_WEIGHT * word_scores + CHARACTER_WEIGHT * character_scores
        return similarity * self.known_share(text)

    def known_share(self, text: str) -> float:
        """Share of the question's words (numbers aside) that occur in any article.

        A misspelt word counts as far as it resembles a word of the articles.
        """
        terms = [term for term in self.terms(text) if not term.isdigit()]
        if not terms:
            return 0.0
        unknown = [term for term in terms if term not in self.words.vocabulary_]
        known = len(terms) - len(unknown)
        if unknown:
            resemblance = (self.spelling.transform(unknown) @ self.lexicon_matrix.T).max(axis=1)
            credit = resemblance.toarray().ravel()
            known += float(np.sum(np.where(credit >= SPELLING_MATCH, credit, 0.0)))
        return known / len(terms)


# Danish sorts æ, ø and å after z, in that order.
_DANISH_ALPHABET = str.maketrans({"æ": "z\u0001", "ø": "z\u0002", "å": "z\u0003"})


def _title_order(article: Article) -> str:
    """The key that sorts articles by title in the alphabet of their language."""
    title = article.title.lower()
    return title.translate(_DANISH_ALPHABET) if article.language == "da" else title


class KnowledgeBase:
    """The help articles of one folder in every language, searchable, re-read when a file changes.

    English is the default language of every method; a language without its own version of an
    article shows the English one.
    """

    #: How the articles are indexed and scored (scripts/evaluate_articles.py compares others).
    _index_type: type[_Index] = _Index

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        self._lock = threading.Lock()
        self._signature: tuple | None = None
        self._indexes = {
            language: self._index_type(articles=(), language=language) for language in LANGUAGES
        }
        self._refresh()

    def articles(self, language: str = DEFAULT_LANGUAGE) -> list[Article]:
        """All valid articles in the language, sorted by title."""
        return sorted(self._current(language).articles, key=_title_order)

    def get(self, slug: str, language: str = DEFAULT_LANGUAGE) -> Article | None:
        """The article with this slug in the language, or None."""
        return next((a for a in self._current(language).articles if a.slug == slug), None)

    def search(
        self,
        text: str,
        systems: Iterable[str] | str | None = (),
        exclude: Iterable[str] | str | None = (),
        limit: int = 3,
        language: str = DEFAULT_LANGUAGE,
    ) -> list[Hit]:
        """The articles that best answer the text, best first; none when nothing is relevant.

        Articles about one of the given systems rank higher, but only among the relevant ones;
        articles whose slug or url (in any language) is in exclude (already shown) are left out.
        """
        index = self._current(language)
        if not index.articles or not text or not text.strip() or limit <= 0:
            return []
        relevance = index.scores(text)
        wanted_systems = {system_key(name) for name in _as_list(systems)}
        excluded = self._slugs_of(set(_as_list(exclude)))
        hits = []
        for article, score in zip(index.articles, relevance, strict=True):
            if score < config.ARTICLE_MIN_SCORE or article.slug in excluded:
                continue
            if wanted_systems & {system_key(name) for name in article.systems}:
                score *= 1 + SYSTEM_BOOST
            hits.append(Hit(article=article, score=round(float(score), 4)))
        hits.sort(key=lambda hit: (-hit.score, hit.article.slug))
        return hits[:limit]

    def slugs_by_url(self) -> dict[str, str]:
        """Every article's slug by the address of each of its versions, in every language (a
        Danish article without a Danish page keeps the English address: the same slug)."""
        self._refresh()
        return self._slugs_by_url()

    def _slugs_by_url(self) -> dict[str, str]:
        return {
            article.url: article.slug
            for index in self._indexes.values()
            for article in index.articles
        }

    def _slugs_of(self, slugs_or_urls: set[str]) -> set[str]:
        """The slugs of the articles named by slug or by the url of any of their versions."""
        if not slugs_or_urls:
            return set()
        slugs = self._slugs_by_url()
        return slugs_or_urls | {slugs[url] for url in slugs_or_urls if url in slugs}

    def _current(self, language: str) -> _Index:
        language = _checked(language)
        self._refresh()
        return self._indexes[language]

    def _refresh(self) -> None:
        """Re-read the folders if a file was added, changed or removed since the last look."""
        try:
            signature = tuple(
                _folder_signature(language_folder(self.folder, language)) for language in LANGUAGES
            )
        except OSError as error:
            logger.warning("Cannot list help articles in %s: %s", self.folder, error)
            return
        if signature == self._signature:
            return
        with self._lock:
            if signature == self._signature:
                return
            originals = _load_folder(self.folder, ORIGINAL_LANGUAGE)
            by_slug = {article.slug: article for article in originals}
            for language in LANGUAGES:
                versions = originals
                if language != ORIGINAL_LANGUAGE:
                    versions = _translated(by_slug, _load_folder(self.folder, language))
                try:
                    index = self._index_type.build(versions, language, by_slug)
                except ValueError as error:  # e.g. articles with nothing but filler words
                    logger.warning(
                        "Keeping the previous %s help articles, %s: %s",
                        language,
                        self.folder,
                        error,
                    )
                    continue
                self._indexes[language] = index
                translated = sum(article.language == language for article in index.articles)
                logger.info(
                    "Loaded %d help articles (%d in %s) from %s",
                    len(index.articles),
                    translated,
                    language,
                    self.folder,
                )
            self._signature = signature


def _translated(originals: dict[str, Article], translations: list[Article]) -> list[Article]:
    """Every article in a language: its translation with the original's systems, else the original.

    A translation without an English article is skipped with a warning.
    """
    by_slug = {}
    for translation in translations:
        if translation.slug not in originals:
            logger.warning(
                "Skipping help article %s: no English article with the slug '%s'",
                translation.path,
                translation.slug,
            )
            continue
        by_slug[translation.slug] = replace(
            translation, systems=originals[translation.slug].systems
        )
    return [by_slug.get(slug, original) for slug, original in originals.items()]


def _folder_signature(folder: Path) -> tuple:
    """What changes when an article file is added, edited or removed."""
    if not folder.is_dir():
        return ()
    signature = []
    for path in article_files(folder):
        status = path.stat()
        signature.append((path.name, status.st_mtime_ns, status.st_size))
    return tuple(signature)


def _load_folder(folder: Path, language: str = ORIGINAL_LANGUAGE) -> list[Article]:
    """Every valid article of a language; broken ones are skipped with a warning.

    Slugs are unique because each must equal its file name. A missing translation folder is
    normal (nothing translated yet); a missing English folder is worth a warning.
    """
    folder = language_folder(folder, language)
    if not folder.is_dir():
        if language == ORIGINAL_LANGUAGE:
            logger.warning("Help article folder %s does not exist", folder)
        return []
    articles = []
    for path in article_files(folder):
        try:
            articles.append(load_article(path, language))
        except ArticleError as error:
            logger.warning("Skipping help article %s: %s", path.name, error)
    return articles


def _as_list(values: Iterable[str] | str | None) -> list[str]:
    """Accept one value, several, or none (as a Rasa slot may hold any of them)."""
    if not values:
        return []
    if isinstance(values, str):
        return [values]
    return [value for value in values if isinstance(value, str)]


@cache
def knowledge_base_for(folder: Path) -> KnowledgeBase:
    """The help articles of a folder, loaded once per process (the action server's search, the
    help pages, the widget's feedback and the inbox's titles share it)."""
    return KnowledgeBase(folder)


def knowledge_base() -> KnowledgeBase:
    """The process-wide knowledge base of the configured articles folder."""
    return knowledge_base_for(Path(config.ARTICLES_DIR))
