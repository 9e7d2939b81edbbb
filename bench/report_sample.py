"""Renders the hand-made sample month of tests/cards/report: prints how long the HTML and
the PDF take, and writes page 1 of the PDF as docs/report-page1.png (pdftoppm, from
poppler-utils, does the rasterising).

    .venv/bin/python -m bench.report_sample
"""

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cards import report
from tests.cards.report.sample import report as sample

ROOT = Path(__file__).resolve().parent.parent
PNG = ROOT / "docs" / "report-page1.png"
ROUNDS = 3


def best_ms(render, view) -> float:
    """The fastest of ROUNDS renders (the first also loads the libraries, so comes first)."""
    render(view)
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        render(view)
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


def main() -> None:
    view = sample()
    print(f"html: {best_ms(report.html, view):.0f} ms, pdf: {best_ms(report.pdf, view):.0f} ms "
          f"(best of {ROUNDS}, after a first render)")
    if shutil.which("pdftoppm") is None:
        sys.exit("pdftoppm not found: apt-get install poppler-utils")
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "report.pdf"
        pdf.write_bytes(report.pdf(view))
        subprocess.run(["pdftoppm", "-png", "-r", "96", "-f", "1", "-l", "1", "-singlefile",
                        str(pdf), str(PNG.with_suffix(""))], check=True)
    print(f"wrote {PNG.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
