"""A learned check of voiced sounds no word explains: is this an "uh" or "um" whisper never wrote?

Whisper tiny.en leaves out many fillers said at speed, and a rule for what a filler sounds like
(a sustained level vowel) fitted the one speaker it was tuned on and no other (issue 14). Here a
small logistic model reads each voiced run the transcript leaves unexplained, measured against
the rest of the same chunk, so it learns what a filler is relative to the speaker's own voice:

- its length, how level its pitch is and how little its spectrum moves;
- the silence before and after it (a filler stands apart: "we cut the, um, backlog");
- its level, pitch and mean spectrum (MFCC c1-c12) minus the chunk's, so a schwa-like vowel is
  told from the speaker's ordinary sounds whatever the voice;
- how much of it a word's stamp covers, and how far that stamp runs past the time its word
  takes to say (whisper stretches a word over the filler it dropped);
- how near it is to a filler the transcript has (fillers come in chains);
- how many more voiced runs than words lie around it: every word has its voiced sound, so a run
  to spare is one no word said, wherever whisper's loose stamps put the words;
- how many words' stamps overlap it more than any other run: the sound of a word stamped late
  ("um, so" with "so" stamped after its vowel) is still that word's.

The features are measured by `acoustic_fillers.unexplained_runs`. A second model over the same
features tells "um" from "uh". Both are trained by
`scripts/train_filler_model.py` on the tuned-on voices and a corpus of voices no evaluation
scores, never on a held-out speaker; the file records the voices it learned from.

It is off by default (`FillerSearchOptions.learned_check`): its training voices are eSpeak's
and one real speaker's, and on held-out real speech it invented fillers (issue 14, round 7).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from mock_interview.core.paths import shipped_config_dir

CEPSTRA = 12
FEATURES = (
    "duration_s",
    "pitch_spread_st",
    "pitch_wobble_st",
    "spectral_spread",
    "silence_before_s",
    "silence_after_s",
    "level_db",
    "pitch_octaves",
    "covered",
    "stamp_overrun_s",
    "near_filler_s",
    "spare_runs",
    "words_owning",
    *(f"cepstrum_{index + 1}" for index in range(CEPSTRA)),
)


def model_path() -> Path:
    return shipped_config_dir() / "filler_model.npz"


@dataclass(frozen=True)
class FillerModel:
    """Standardised features in, probabilities out; `voices` are the ones it was trained on."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray  # filler or not
    bias: float
    um_weights: np.ndarray  # of a filler: "um" rather than "uh"
    um_bias: float
    voices: tuple[str, ...]

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """P(filler) for each row of `features` (runs x FEATURES)."""
        return _sigmoid(self._standard(features) @ self.weights + self.bias)

    def says_um(self, features: np.ndarray) -> np.ndarray:
        return np.asarray(_sigmoid(self._standard(features) @ self.um_weights + self.um_bias) > 0.5)

    def _standard(self, features: np.ndarray) -> np.ndarray:
        return (np.atleast_2d(features) - self.mean) / self.scale

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path,
            mean=self.mean,
            scale=self.scale,
            weights=self.weights,
            bias=np.array(self.bias),
            um_weights=self.um_weights,
            um_bias=np.array(self.um_bias),
            features=np.array(json.dumps(FEATURES)),
            voices=np.array(json.dumps(list(self.voices))),
        )


@lru_cache(maxsize=2)
def load_filler_model(path: Path) -> FillerModel | None:
    """The model saved at `path`, loaded once per process; None when there is none or it was
    trained on other features (the search then keeps to the transcript's fillers)."""
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as saved:
        if tuple(json.loads(str(saved["features"]))) != FEATURES:
            return None
        return FillerModel(
            saved["mean"],
            saved["scale"],
            saved["weights"],
            float(saved["bias"]),
            saved["um_weights"],
            float(saved["um_bias"]),
            tuple(json.loads(str(saved["voices"]))),
        )


def _sigmoid(values: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(values, -30, 30))))


def fit_logistic(
    inputs: np.ndarray, truth: np.ndarray, l2: float, steps: int = 50
) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression on standardised inputs, by Newton's method."""
    rows, width = inputs.shape
    design = np.hstack([inputs, np.ones((rows, 1))])
    theta = np.zeros(width + 1)
    penalty = np.full(width + 1, l2)
    penalty[-1] = 0.0
    for _ in range(steps):
        predicted = _sigmoid(design @ theta)
        gradient = design.T @ (predicted - truth) / rows + penalty * theta
        curvature = (design * (predicted * (1 - predicted))[:, None]).T @ design / rows
        step = np.linalg.solve(curvature + np.diag(penalty) + 1e-9 * np.eye(width + 1), gradient)
        theta -= step
        if np.abs(step).max() < 1e-7:
            break
    return theta[:-1], float(theta[-1])


def train_model(
    features: np.ndarray,
    is_filler: np.ndarray,
    is_um: np.ndarray,
    voices: tuple[str, ...],
    l2: float,
) -> FillerModel:
    """Both models from runs' features: is each a filler, and of the fillers, is it "um"."""
    mean = features.mean(axis=0)
    scale = features.std(axis=0) + 1e-6
    standard = (features - mean) / scale
    weights, bias = fit_logistic(standard, is_filler.astype(float), l2)
    fillers = is_filler.astype(bool)
    if fillers.sum() >= 2 and 0 < is_um[fillers].sum() < fillers.sum():
        um_weights, um_bias = fit_logistic(standard[fillers], is_um[fillers].astype(float), l2)
    else:
        um_weights, um_bias = np.zeros(len(FEATURES)), 0.0
    return FillerModel(mean, scale, weights, bias, um_weights, um_bias, voices)
