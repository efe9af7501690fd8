"""Does per-reviewer normalisation (reviews.scoring.normalise) recover true merit better than the raw mean?

Usage: ``python bench/calibration.py [--panels 500] [--seed 1]`` prints one JSON object.

Each simulated panel: 40 applications with true merit ~ N(0, 1); 12 reviewers, each with a
harshness bias ~ N(0, 0.8), a scale factor ~ U(0.6, 1.4) (how strongly they separate good from
bad) and noise sd 0.5. A reviewer perceives ``scale * merit + bias + noise`` and gives an NIH-style
score ``round(5 - 1.5 * perceived)`` clipped to 1-9 (1 best). Every application gets 3 distinct
reviewers and every reviewer exactly 10 reviews (so all are normalised). Scores become totals on the
0-100 goodness scale through ``reviews.scoring.goodness``; per application we take the arithmetic
mean of the raw totals and of the normalised totals, and report Kendall's tau-b of each against true
merit, averaged over panels.
"""

import argparse
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from scipy.stats import kendalltau

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reviews.scoring import goodness, normalise

APPLICATIONS, REVIEWERS, PER_APPLICATION = 40, 12, 3
BIAS_SD, SCALE_RANGE, NOISE_SD = 0.8, (0.6, 1.4), 0.5
NIH = SimpleNamespace(scale_min=1, scale_max=9, direction="lower_is_better")


def simulate_panel(rng: np.random.Generator) -> tuple[float, float]:
    merit = rng.normal(0, 1, APPLICATIONS)
    bias = rng.normal(0, BIAS_SD, REVIEWERS)
    scale = rng.uniform(*SCALE_RANGE, REVIEWERS)
    # Balanced design: consecutive reviewers of a shuffled ring, so each gets 40 * 3 / 12 = 10 reviews.
    ring = rng.permutation(REVIEWERS)
    order = rng.permutation(APPLICATIONS)
    totals: dict[int, list[tuple[int, float]]] = {}
    for slot, application in enumerate(order):
        for j in range(PER_APPLICATION):
            r = int(ring[(slot * PER_APPLICATION + j) % REVIEWERS])
            perceived = scale[r] * merit[application] + bias[r] + rng.normal(0, NOISE_SD)
            score = int(np.clip(round(5 - 1.5 * perceived), 1, 9))
            totals.setdefault(r, []).append((int(application), goodness(score, NIH)))
    raw: dict[int, list[float]] = {}
    for pairs in totals.values():
        for application, total in pairs:
            raw.setdefault(application, []).append(total)
    raw_mean = [float(np.mean(raw[a])) for a in range(APPLICATIONS)]
    normalised = normalise(totals).means()
    normalised_mean = [normalised[a] for a in range(APPLICATIONS)]
    return kendalltau(merit, raw_mean).statistic, kendalltau(merit, normalised_mean).statistic


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panels", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    taus = np.array([simulate_panel(rng) for _ in range(args.panels)])
    tau_raw, tau_normalised = taus[:, 0], taus[:, 1]
    print(
        json.dumps(
            {
                "panels": args.panels,
                "tau_raw": round(float(tau_raw.mean()), 4),
                "tau_normalised": round(float(tau_normalised.mean()), 4),
                "tau_raw_sd": round(float(tau_raw.std(ddof=1)), 4),
                "tau_normalised_sd": round(float(tau_normalised.std(ddof=1)), 4),
                "mean_gain": round(float((tau_normalised - tau_raw).mean()), 4),
                "normalisation_helped_share": round(float((tau_normalised > tau_raw).mean()), 4),
                "normalisation_hurt_share": round(float((tau_normalised < tau_raw).mean()), 4),
                "setup": {
                    "applications": APPLICATIONS,
                    "reviewers": REVIEWERS,
                    "reviews_per_application": PER_APPLICATION,
                    "bias_sd": BIAS_SD,
                    "scale_range": list(SCALE_RANGE),
                    "noise_sd": NOISE_SD,
                    "score_scale": "1-9, 1 best (NIH style), totals on the 0-100 goodness scale",
                    "seed": args.seed,
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
