"""Help articles: read and check the Markdown files, and rank them against a customer's problem."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
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
from support_core.systems import canonical_system, known_systems

logger = logging.getLogger(__name__)

REQUIRED_TEXT_FIELDS = ("slug", "title", "url")
LIST_FIELDS = ("systems", "tags")
KNOWN_FIELDS = frozenset(REQUIRED_TEXT_FIELDS + LIST_FIELDS)
SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)^---[ \t]*$\n?(.*)\Z", re.DOTALL | re.MULTILINE)

# How much each part of an article counts in the ranking: the title and tags say what an
# article is about, the body adds the details customers mention.
TITLE_REPEATS = 3
TAG_REPEATS = 2
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

#: Danish and informal words customers use, mapped to the words the articles use.
GLOSSARY_FILE = config.PROJECT_ROOT / "data" / "search" / "glossary.yml"
# Filler of a support chat that the general stop-word lists do not have.
# fmt: off
DOMAIN_FILLER_WORDS = frozenset({
    "hi", "hello", "hey", "thanks", "thank", "pls", "please", "regards", "iex", "dear", "just",
    "ok", "okay", "help", "need", "problem", "problems", "question", "questions", "issue",
    "issues", "hej", "tak", "mvh", "hjælp", "hvordan", "hvorfor", "hvornår", "endnu", "får",
    "fået", "sker", "stadig", "kan", "vores", "jeres",
})
# fmt: on


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


def _inspect(path: Path) -> tuple[dict, str, list[str]]:
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
    return meta, body, _problems(path, meta, body)


def _problems(path: Path, meta: dict, body: str) -> list[str]:
    """List what is wrong with the front matter and body of one article."""
    problems = [f"unknown field '{name}'" for name in meta if name not in KNOWN_FIELDS]
    for name in REQUIRED_TEXT_FIELDS:
        if name not in meta:
            problems.append(f"missing field '{name}'")
        elif not isinstance(meta[name], str) or not meta[name].strip():
            problems.append(f"field '{name}' is empty")
    for name in LIST_FIELDS:
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


def check_article(path: Path | str) -> list[str]:
    """Return the problems of one article file; an empty list means it can be published."""
    return _inspect(Path(path))[2]


def load_article(path: Path | str) -> Article:
    """Read one article file; raises ArticleError listing its problems if it is not valid."""
    path = Path(path)
    meta, body, problems = _inspect(path)
    if problems:
        raise ArticleError("; ".join(problems))
    return Article(
        slug=meta["slug"].strip(),
        title=meta["title"].strip(),
        url=meta["url"].strip(),
        systems=tuple(str(item).strip() for item in meta["systems"]),
        tags=tuple(str(item).strip() for item in meta["tags"]),
        body=body,
        path=path,
    )


def article_files(folder: Path | str) -> list[Path]:
    """The article files of a folder, in a stable order."""
    return sorted(Path(folder).glob("*.md"))


def check_articles(folder: Path | str) -> dict[Path, list[str]]:
    """Every article file of a folder with its problems, duplicate slugs and urls included."""
    results: dict[Path, list[str]] = {}
    first_owner: dict[tuple[str, str], Path] = {}
    for path in article_files(folder):
        meta, _, problems = _inspect(path)
        for name in ("slug", "url"):
            value = meta.get(name)
            if not isinstance(value, str) or not value.strip():
                continue
            owner = first_owner.setdefault((name, value.strip()), path)
            if owner != path:
                problems.append(f"duplicate {name} '{value.strip()}', also used by {owner.name}")
        results[path] = problems
    return results


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


def _read_glossary(path: Path) -> dict[str, str]:
    """The glossary file as word -> the articles' words; a missing file means no glossary."""
    try:
        mapping = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as error:
        logger.warning("Cannot read the search glossary %s: %s", path, error)
        return {}
    return {normalise(str(word)): str(meaning).lower() for word, meaning in mapping.items()}


#: Every word that names a system, from the NLU synonyms of data/nlu/systems.yml.
SYSTEM_WORDS = _system_words(known_systems())
GLOSSARY = _read_glossary(GLOSSARY_FILE)
#: Words that say nothing about which article fits: English and Danish filler, greetings.
#: scikit-learn's English list adds the filler the shorter stop-words list lacks ("still",
#: "already", "since", "get"); without it fewer questions find their article.
STOP_WORDS = (
    frozenset(get_stop_words("english"))
    | frozenset(get_stop_words("danish"))
    | ENGLISH_STOP_WORDS
    | DOMAIN_FILLER_WORDS
)
_STEMMER = snowballstemmer.stemmer("english")
# British and American spelling meet before stemming: synchronised, synchronized.
_BRITISH_SPELLING = re.compile(r"(?<=\w{4})is(e|ed|es|ing|ation|ations)$")


@lru_cache(maxsize=20_000)
def _stem(word: str) -> str:
    """The English stem of a word, so 'transferred', 'transfers' and 'transfer' meet."""
    return _STEMMER.stemWord(_BRITISH_SPELLING.sub(r"iz\1", word))


def translate(text: str) -> str:
    """Normalised text with Danish and informal words replaced by the articles' words."""
    return " ".join(GLOSSARY.get(token, token) for token in re.findall(r"\w+", normalise(text)))


def _content(text: str) -> str:
    """Translated text without filler words, for the character vectorizer."""
    return " ".join(token for token in translate(text).split() if token not in STOP_WORDS)


def _words(text: str) -> list[str]:
    """Tokens for the word vectorizer: translated, without filler words, stemmed."""
    return [_stem(token) for token in _content(text).split()]


def _document(article: Article) -> str:
    """The text an article is found by, with the title and tags weighted by repetition."""
    tags = " ".join(article.tags + article.systems)
    parts = [article.title] * TITLE_REPEATS + [tags] * TAG_REPEATS + [article.body]
    return "\n".join(parts)


@dataclass(frozen=True)
class _Index:
    """The articles of one reading of the folder and their TF-IDF vectors."""

    articles: tuple[Article, ...]
    words: TfidfVectorizer | None = None
    characters: TfidfVectorizer | None = None
    word_matrix: sparse.csr_matrix | None = None
    character_matrix: sparse.csr_matrix | None = None
    #: Factor per word feature applied to a question: lower for system names.
    word_feature_weights: np.ndarray | None = None
    #: Character n-grams of every word the articles use, to recognise misspelt words.
    spelling: TfidfVectorizer | None = None
    lexicon_matrix: sparse.csr_matrix | None = None

    @classmethod
    def build(cls, articles: list[Article]) -> _Index:
        """Fit the vectorizers on the articles; an empty list gives an index that finds nothing."""
        if not articles:
            return cls(articles=())
        documents = [_document(article) for article in articles]
        words = TfidfVectorizer(
            tokenizer=_words,
            token_pattern=None,
            lowercase=False,
            ngram_range=(1, 2),
            sublinear_tf=True,
        )
        characters = TfidfVectorizer(
            analyzer="char_wb",
            preprocessor=_content,
            ngram_range=(3, 5),
            sublinear_tf=True,
        )
        word_matrix = words.fit_transform(documents)
        features = words.get_feature_names_out()
        system_stems = {_stem(word) for word in SYSTEM_WORDS}
        is_system = [
            any(token in system_stems for token in feature.split()) for feature in features
        ]
        lexicon = [feature for feature in features if " " not in feature]
        spelling = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3), use_idf=False)
        return cls(
            articles=tuple(articles),
            words=words,
            characters=characters,
            word_matrix=word_matrix,
            character_matrix=characters.fit_transform(documents),
            word_feature_weights=np.where(is_system, SYSTEM_WORD_WEIGHT, 1.0),
            spelling=spelling,
            lexicon_matrix=spelling.fit_transform(lexicon),
        )

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
        terms = [term for term in _words(text) if not term.isdigit()]
        if not terms:
            return 0.0
        unknown = [term for term in terms if term not in self.words.vocabulary_]
        known = len(terms) - len(unknown)
        if unknown:
            resemblance = (self.spelling.transform(unknown) @ self.lexicon_matrix.T).max(axis=1)
            credit = resemblance.toarray().ravel()
            known += float(np.sum(np.where(credit >= SPELLING_MATCH, credit, 0.0)))
        return known / len(terms)


class KnowledgeBase:
    """The help articles of one folder, searchable, re-read whenever a file changes."""

    #: How the articles are indexed and scored (scripts/evaluate_articles.py compares others).
    _index_type: type[_Index] = _Index

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        self._lock = threading.Lock()
        self._signature: tuple | None = None
        self._index = self._index_type(articles=())
        self._refresh()

    def articles(self) -> list[Article]:
        """All valid articles, sorted by title."""
        return sorted(self._current().articles, key=lambda article: article.title.lower())

    def get(self, slug: str) -> Article | None:
        """The article with this slug, or None."""
        return next((a for a in self._current().articles if a.slug == slug), None)

    def search(
        self,
        text: str,
        systems: Iterable[str] | str | None = (),
        exclude: Iterable[str] | str | None = (),
        limit: int = 3,
    ) -> list[Hit]:
        """The articles that best answer the text, best first; none when nothing is relevant.

        Articles about one of the given systems rank higher, but only among the relevant ones;
        articles whose slug or url is in exclude (already shown) are left out.
        """
        index = self._current()
        if not index.articles or not text or not text.strip() or limit <= 0:
            return []
        relevance = index.scores(text)
        wanted_systems = {system_key(name) for name in _as_list(systems)}
        excluded = set(_as_list(exclude))
        hits = []
        for article, score in zip(index.articles, relevance, strict=True):
            if score < config.ARTICLE_MIN_SCORE or excluded & {article.slug, article.url}:
                continue
            if wanted_systems & {system_key(name) for name in article.systems}:
                score *= 1 + SYSTEM_BOOST
            hits.append(Hit(article=article, score=round(float(score), 4)))
        hits.sort(key=lambda hit: (-hit.score, hit.article.slug))
        return hits[:limit]

    def _current(self) -> _Index:
        self._refresh()
        return self._index

    def _refresh(self) -> None:
        """Re-read the folder if a file was added, changed or removed since the last look."""
        try:
            signature = _folder_signature(self.folder)
        except OSError as error:
            logger.warning("Cannot list help articles in %s: %s", self.folder, error)
            return
        if signature == self._signature:
            return
        with self._lock:
            if signature == self._signature:
                return
            try:
                self._index = self._index_type.build(_load_folder(self.folder))
            except ValueError as error:  # e.g. articles with nothing but filler words
                logger.warning("Keeping the previous help articles, %s: %s", self.folder, error)
            else:
                logger.info(
                    "Loaded %d help articles from %s", len(self._index.articles), self.folder
                )
            self._signature = signature


def _folder_signature(folder: Path) -> tuple:
    """What changes when an article file is added, edited or removed."""
    if not folder.is_dir():
        return ()
    signature = []
    for path in article_files(folder):
        status = path.stat()
        signature.append((path.name, status.st_mtime_ns, status.st_size))
    return tuple(signature)


def _load_folder(folder: Path) -> list[Article]:
    """Every valid article of a folder; broken ones are skipped with a warning.

    Slugs are unique because each must equal its file name.
    """
    if not folder.is_dir():
        logger.warning("Help article folder %s does not exist", folder)
        return []
    articles = []
    for path in article_files(folder):
        try:
            articles.append(load_article(path))
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
def _knowledge_base_for(folder: Path) -> KnowledgeBase:
    return KnowledgeBase(folder)


def knowledge_base() -> KnowledgeBase:
    """The process-wide knowledge base of the configured articles folder."""
    return _knowledge_base_for(Path(config.ARTICLES_DIR))
