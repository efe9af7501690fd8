"""How well each accepted reviewer fits each submitted application of a call, as matrices.

Three components, each in [0, 1], combined into ``total`` (all matrix arithmetic, no loop over pairs):

* ``text``: cosine similarity of TF-IDF vectors. The vectoriser is fitted on the call's own corpus
  (application title + scientific abstract + keywords, reviewer expertise statement + keywords):
  English stop words, sublinear tf, unigrams and bigrams, terms in at least two documents (a term in
  one document can never be shared). Raw cosines are small and call-dependent (typically 0-0.4), so
  they are **divided by the call's largest cosine**: the best-matching pair scores 1, a pair with
  no shared term scores 0, and ratios between pairs are kept (a rank transform would turn tiny
  differences among unrelated pairs into large ones).
* ``focus``: the share of the application's focus areas the reviewer covers, a product of 0/1
  incidence matrices. An application without focus areas has no focus component ("n/a", not 0):
  its total is the text and bid parts with their weights rescaled to sum to 1.
* ``bid``: :data:`BID_SCORES` (no bid = neutral).

``total = TEXT_WEIGHT * text + FOCUS_WEIGHT * focus + BID_WEIGHT * bid``, then multiplied by
:data:`NOT_WILLING_FACTOR` for pairs the reviewer bid "not willing" on: with the bid weight alone a
"not willing" would cost only 0.075 against neutral, less than small text differences; the factor
makes the optimiser pick such a pair only when nothing else satisfies the constraints (it is never
forbidden: conflicts and forbidden pairs are the only hard exclusions).
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from reviews.models import Bid

if TYPE_CHECKING:
    from scipy import sparse

__all__ = [
    "BID_SCORES",
    "BID_WEIGHT",
    "FOCUS_WEIGHT",
    "NOT_WILLING_FACTOR",
    "TEXT_WEIGHT",
    "AffinityMatrix",
    "affinity_from_components",
    "compute_affinity",
    "shared_terms",
    "shared_terms_for_pairs",
]

TEXT_WEIGHT = 0.6  # what the application is about vs. what the reviewer knows: the main signal
FOCUS_WEIGHT = 0.25  # the call's focus areas, declared by both sides: coarse but reliable
BID_WEIGHT = 0.15  # the reviewer's own preference: a tie-breaker among similar experts
BID_SCORES = {
    Bid.Value.EAGER: 1.0,
    Bid.Value.WILLING: 0.75,
    Bid.Value.NEUTRAL: 0.5,
    Bid.Value.NOT_WILLING: 0.0,
}
NO_BID_SCORE = BID_SCORES[Bid.Value.NEUTRAL]
NOT_WILLING_FACTOR = 0.2  # the total of a "not willing" pair is multiplied by this


@dataclass
class AffinityMatrix:
    """Affinity of ``A`` applications (rows) and ``R`` reviewers (columns), both ordered by pk."""

    application_ids: np.ndarray  # int (A,)
    reviewer_ids: np.ndarray  # int (R,)
    text: np.ndarray  # float (A, R)
    focus: np.ndarray  # float (A, R); 0 where the application has no focus areas
    bid: np.ndarray  # float (A, R)
    total: np.ndarray  # float (A, R)
    has_focus: np.ndarray  # bool (A,): the application names focus areas
    application_vectors: "sparse.csr_matrix | None" = None  # TF-IDF rows, for shared_terms
    reviewer_vectors: "sparse.csr_matrix | None" = None
    feature_names: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))

    @property
    def shape(self) -> tuple[int, int]:
        return self.total.shape


def _text_similarity(app_texts: list[str], reviewer_texts: list[str]):
    """Rescaled cosine matrix, the two TF-IDF matrices and the vocabulary."""
    # scikit-learn takes seconds to import: only the assignment run pays for it, not every web and
    # worker process at start-up.
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer

    a_count, r_count = len(app_texts), len(reviewer_texts)
    vectoriser = TfidfVectorizer(
        stop_words="english", sublinear_tf=True, ngram_range=(1, 2), min_df=2, strip_accents="unicode"
    )
    try:
        vectors = vectoriser.fit_transform(app_texts + reviewer_texts).tocsr()
    except ValueError:  # empty vocabulary: no term is shared by two documents
        empty = sparse.csr_matrix((a_count, 0))
        return np.zeros((a_count, r_count)), empty, sparse.csr_matrix((r_count, 0)), np.array([], object)
    apps, revs = vectors[:a_count], vectors[a_count:]
    cosine = (apps @ revs.T).toarray()  # rows are l2-normalised, so the product is the cosine
    top = cosine.max(initial=0.0)
    text = np.clip(cosine / top, 0.0, 1.0) if top > 0 else np.zeros_like(cosine)
    return text, apps, revs, vectoriser.get_feature_names_out()


def affinity_from_components(
    text: np.ndarray, app_focus: np.ndarray, reviewer_focus: np.ndarray, bid_scores: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(focus, total, has_focus)`` from the text matrix, 0/1 focus incidence matrices
    (applications x areas, reviewers x areas) and the bid-score matrix."""
    app_focus = np.asarray(app_focus, dtype=np.float64)
    reviewer_focus = np.asarray(reviewer_focus, dtype=np.float64)
    per_app = app_focus.sum(axis=1)
    has_focus = per_app > 0
    covered = app_focus @ reviewer_focus.T  # (A, R): focus areas both name
    focus = np.divide(covered, per_app[:, None], out=np.zeros_like(covered), where=has_focus[:, None])
    # Without focus areas the remaining weights are rescaled so that totals still span [0, 1].
    weight_sum = np.where(has_focus, TEXT_WEIGHT + FOCUS_WEIGHT + BID_WEIGHT, TEXT_WEIGHT + BID_WEIGHT)
    total = (TEXT_WEIGHT * text + FOCUS_WEIGHT * focus + BID_WEIGHT * bid_scores) / weight_sum[:, None]
    total = np.where(bid_scores == BID_SCORES[Bid.Value.NOT_WILLING], total * NOT_WILLING_FACTOR, total)
    return focus, np.clip(total, 0.0, 1.0), has_focus


def _incidence(rows: list[tuple[int, int]], row_index: dict[int, int], col_index: dict[int, int], shape):
    matrix = np.zeros(shape)
    if rows:
        pairs = np.array([(row_index[r], col_index[c]) for r, c in rows if r in row_index and c in col_index])
        if len(pairs):
            matrix[pairs[:, 0], pairs[:, 1]] = 1.0
    return matrix


def compute_affinity(*, call, applications, reviewers) -> AffinityMatrix:
    """Affinity of the given applications of ``call`` and reviewers (users with ``reviewer_profile``).

    Both are sorted by pk here, so the rows and columns have a stable order. Four queries: the two
    focus-area link tables, the bids and nothing else (texts come from the given objects).
    """
    from applications.models import Application
    from reviews.models import ReviewerProfile

    applications = sorted(applications, key=lambda a: a.pk)
    reviewers = sorted(reviewers, key=lambda u: u.pk)
    app_ids = np.array([a.pk for a in applications], dtype=np.int64)
    rev_ids = np.array([u.pk for u in reviewers], dtype=np.int64)
    app_index = {int(pk): i for i, pk in enumerate(app_ids)}
    rev_index = {int(pk): j for j, pk in enumerate(rev_ids)}

    app_texts = [" ".join([a.title, a.scientific_abstract, a.keywords]) for a in applications]
    profiles = [getattr(u, "reviewer_profile", None) for u in reviewers]
    reviewer_texts = [" ".join([p.expertise, p.keywords]) if p else "" for p in profiles]
    text, app_vectors, rev_vectors, names = _text_similarity(app_texts, reviewer_texts)

    app_links = list(
        Application.focus_areas.through.objects.filter(application_id__in=app_ids.tolist()).values_list(
            "application_id", "focusarea_id"
        )
    )
    rev_links = list(
        ReviewerProfile.focus_areas.through.objects.filter(
            reviewerprofile__user_id__in=rev_ids.tolist()
        ).values_list("reviewerprofile__user_id", "focusarea_id")
    )
    area_ids = sorted({f for _, f in app_links} | {f for _, f in rev_links})
    area_index = {pk: i for i, pk in enumerate(area_ids)}
    app_focus = _incidence(app_links, app_index, area_index, (len(app_ids), len(area_ids)))
    rev_focus = _incidence(rev_links, rev_index, area_index, (len(rev_ids), len(area_ids)))

    bid = np.full((len(app_ids), len(rev_ids)), NO_BID_SCORE)
    bids = Bid.objects.filter(application__call=call, reviewer_id__in=rev_ids.tolist()).values_list(
        "application_id", "reviewer_id", "value"
    )
    rows = [(app_index[a], rev_index[r], BID_SCORES[v]) for a, r, v in bids if a in app_index]
    if rows:
        arr = np.array(rows)
        bid[arr[:, 0].astype(int), arr[:, 1].astype(int)] = arr[:, 2]

    focus, total, has_focus = affinity_from_components(text, app_focus, rev_focus, bid)
    return AffinityMatrix(
        application_ids=app_ids,
        reviewer_ids=rev_ids,
        text=text,
        focus=focus,
        bid=bid,
        total=total,
        has_focus=has_focus,
        application_vectors=app_vectors,
        reviewer_vectors=rev_vectors,
        feature_names=names,
    )


def shared_terms(app_vector, reviewer_vector, feature_names, n: int = 3) -> list[str]:
    """The ``n`` terms that contribute most to the cosine of two TF-IDF rows (largest first)."""
    from scipy import sparse

    product = sparse.csr_matrix(app_vector).multiply(sparse.csr_matrix(reviewer_vector)).tocsr()
    return _top_terms(product.indices, product.data, feature_names, n)


def _top_terms(indices: np.ndarray, weights: np.ndarray, feature_names, n: int) -> list[str]:
    positive = weights > 0
    indices, weights = indices[positive], weights[positive]
    order = np.lexsort((indices, -weights))[:n]  # heaviest first, vocabulary order on ties
    return [str(feature_names[i]) for i in indices[order]]


def shared_terms_for_pairs(matrix: AffinityMatrix, pairs: np.ndarray, n: int = 3) -> list[list[str]]:
    """:func:`shared_terms` for many (application index, reviewer index) pairs at once: one sparse
    product for all of them, then a short loop over the pairs' rows (used for assigned pairs only)."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    if matrix.application_vectors is None or matrix.application_vectors.shape[1] == 0 or not len(pairs):
        return [[] for _ in range(len(pairs))]
    product = matrix.application_vectors[pairs[:, 0]].multiply(matrix.reviewer_vectors[pairs[:, 1]]).tocsr()
    names = matrix.feature_names
    return [
        _top_terms(
            product.indices[product.indptr[i] : product.indptr[i + 1]],
            product.data[product.indptr[i] : product.indptr[i + 1]],
            names,
            n,
        )
        for i in range(len(pairs))
    ]
