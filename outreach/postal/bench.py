"""A measure of the label PDF, for ``manage.py bench outreach``.

:func:`bench_labels` draws `n` labels of made-up French and foreign
addresses (through ``address.label_lines``, so the formatting is measured
too) on Avery L7160 sheets, into a sink that only counts the bytes, twice:
once for the time, once under ``tracemalloc`` for the peak memory (tracing
slows Python down, so its run is not the one timed). The labels come from
a generator, as a campaign would feed them.
"""

import time
import tracemalloc

from .address import label_lines, recipient_name
from .layouts import PRESETS
from .pdf import render_labels

_STREETS = [
    "boulevard du Maréchal de Lattre de Tassigny",
    "rue de l'Église",
    "avenue Jean-Jaurès",
    "place Saint-Étienne",
    "chemin des Écoliers",
]
_CITIES = [
    ("75008", "Paris Cedex 08"),
    ("67000", "Strasbourg"),
    ("13001", "Marseille"),
    ("51300", "Saint-Rémy-en-Bouzemont-Saint-Genest-et-Isson"),
    ("97400", "Saint-Denis"),
]


def _sample_labels(n: int):
    for index in range(n):
        postcode, city = _CITIES[index % len(_CITIES)]
        country = "BE" if index % 10 == 9 else "FR"
        if country == "BE":
            postcode, city = "1000", "Bruxelles"
        yield label_lines(
            recipient_name("mme" if index % 2 else "m", "Marie-Hélène", f"Dupont-{index}"),
            "Directrice de la programmation" if index % 3 else "",
            "Théâtre municipal de l'Œuvre",
            f"{index % 300 + 1} {_STREETS[index % len(_STREETS)]}",
            "Bâtiment B" if index % 4 == 0 else "",
            postcode,
            city,
            country,
        )


class _CountingSink:
    """A binary file that keeps nothing but its size."""

    def __init__(self):
        self.size = 0

    def write(self, data) -> int:
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass


def bench_labels(n: int = 10_000) -> dict:
    """{"labels", "seconds", "labels_per_second", "peak_memory_mb", "pdf_bytes"}."""
    layout = PRESETS["avery-l7160"]
    sink = _CountingSink()
    started = time.perf_counter()
    render_labels(_sample_labels(n), layout, output=sink)
    seconds = time.perf_counter() - started

    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    render_labels(_sample_labels(n), layout, output=_CountingSink())
    peak = tracemalloc.get_traced_memory()[1] - before
    if not was_tracing:
        tracemalloc.stop()
    return {
        "labels": n,
        "seconds": round(seconds, 3),
        "labels_per_second": round(n / seconds) if seconds else None,
        "peak_memory_mb": round(peak / 1_000_000, 1),
        "pdf_bytes": sink.size,
    }
