"""(h) A report's weight: bytes in all and per section, and its height with folds closed.

    python -m benchmarks.report_weight REPORT.html [...]
    python -m benchmarks.report_weight --personas


Prints the bytes of the page, of its embedded data and CSS, and of each top-level section; then,
in headless Chromium (tests/support/browser.py, the system's browser), the page height at 1280x800 with
the folds as the page opens, and at 390 px on a phone. The goals (issue 18): quick at most 100 KB
and 6,000 px at 1280; standard at most 160 KB. With --personas: the bytes of the report each of
tests/personas/*.yaml (and a mobile, a browser and a long-lived server project) would get on the two
fixture runs, tests/fixtures/run_quick and run_standard; the size tests check the default answers.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path


def section_bytes(html: str) -> list[tuple[str, int]]:
    main = html.split("<main>", 1)[1].split("</main>", 1)[0] if "<main>" in html else html
    starts = [(m.start(), m.group(1)) for m in re.finditer(r'<section aria-labelledby="([^"]+)"', main)]
    ends = [start for start, _ in starts[1:]] + [len(main)]
    return [(name, len(main[start:end].encode())) for (start, name), end in zip(starts, ends, strict=True)]


EXTRA_PERSONAS = {
    "mobile": {"deployment_target": "mobile"},
    "browser": {"deployment_target": "browser"},
    "server-long": {"deployment_target": "server", "lifetime": "long", "untrusted_models": "yes"},
}


def persona_bytes() -> None:
    """Print each persona's report size on each fixture run, default answers first."""
    from advisor.claims import check
    from advisor.questionnaire import build_profile, collect_answers
    from advisor.questionnaire.questions import read_answers_file
    from advisor.report.page import render
    from advisor.runs import load_evidence
    from advisor.scoring import score
    from tests.conftest import FIXTURES, TESTS

    personas: dict[str, dict] = {"default answers": {}}
    personas |= {p.stem: read_answers_file(p) for p in sorted((TESTS / "personas").glob("*.yaml"))}
    personas |= EXTRA_PERSONAS
    for fixture in ("run_quick", "run_standard"):
        evidence = load_evidence(FIXTURES / fixture / "evidence.json")
        verdicts = check(evidence)
        for name, values in personas.items():
            profile = build_profile(collect_answers(file_values=values, use_defaults=True))
            html = render(profile, evidence, verdicts, score(profile, evidence, verdicts), run_dir="RUN_DIR")
            print(f"{fixture} {name}: {len(html.encode()):,} bytes")


def main(argv: list[str]) -> int:
    if argv == ["--personas"]:
        persona_bytes()
        return 0
    from tests.browser import Chromium, find_chromium

    executable = find_chromium()
    for argument in argv:
        path = Path(argument)
        html = path.read_text(encoding="utf-8")
        data = html.split('id="advisor-data">', 1)[1].split("</script>", 1)[0] if 'id="advisor-data">' in html else ""
        css = html.split("<style>", 1)[1].split("</style>", 1)[0] if "<style>" in html else ""
        print(f"{path}: {len(html.encode()):,} bytes; embedded data {len(data.encode()):,}, CSS {len(css.encode()):,}")
        for name, size in section_bytes(html):
            print(f"  {name}: {size:,}")
        if executable is None:
            print("  (no Chromium: heights not measured)")
            continue
        with Chromium(executable) as browser:
            page = browser.page(1280, 800)
            page.open(path)
            print(f"  height at 1280x800: {page.evaluate('document.documentElement.scrollHeight')} px")
            page.viewport(390, 844, mobile=True)
            print(f"  height at 390 px: {page.evaluate('document.documentElement.scrollHeight')} px")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
