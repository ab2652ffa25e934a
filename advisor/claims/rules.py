"""The verdict rules: each claim of the ledger checked against this run's evidence.

Every test rule named in knowledge/claims.yaml is a small function here that reads the probe
results by the contract's metric and fact names (speed: train_samples_per_s, peak_rss_mb; ease:
total_lines, train_lines, ...; debugging: points_at_planted_line, print_count, steps; export:
status, reload_ok, max_abs_diff, needs_python_class). Each comparison gives a Finding; a claim's
verdict combines its findings. A rule whose probe did not run here says "not measured in this
run", so the same ledger lights up as more probes land; so does a speed comparison between a
result on the GPU and one on the CPU, which would measure the devices rather than the frameworks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from advisor.records.digests import evidence_digest
from advisor.records.ledger import FRAMEWORK_LABELS, Claim, ClaimTest, ledger_digest, load_ledger
from advisor.records.verdicts import METRIC_WORDS, Finding, Verdict, Verdicts
from probes.devices import device_of, same_device, where
from probes.evidence import METRIC_CASES, METRICS, Evidence, ProbeResult, export_works, process_interval, status_words
from probes.stats import RatioInterval
from probes.variants import label

SPEED_MODELS = ("mlp", "cnn", "rnn", "transformer")
SCALE_MODELS = ("mlp", "cnn")  # the models the scale probe streams and spreads over processes (probes/kinds/scale.py)
PARITY_TOLERANCE = 0.15  # "about as fast": within 15% either way
CASE_SUFFIXES = ("_eager", "_traced")
# Counts of code this close are "about the same", not a win: one line or call, or a tenth of the larger.
COUNT_PARITY_MIN = 1
COUNT_PARITY = 0.10
# Shares of planted bugs this close are "about the same": a run plants four bugs at most, so one bug's
# outcome moves a share by a quarter; shares that one bug (of either side) could bring together are a tie.
BUG_PARITY = 1


def path_label(case: str) -> str:
    """An export path's name as the page gives it ("torch.export (.pt2)"), its id when it has none."""
    import knowledge

    return str((knowledge.load("export_paths")["paths"].get(case) or {}).get("label", case))


FACT_WORDS = {"needs_python_class": "needs its Python class"}


# --- helpers


def _not_run(evidence: Evidence | None, kind: str, subject: str) -> Finding | None:
    if evidence is None:
        return Finding(subject, "not_measured", "no evidence: nothing was measured")
    if not evidence.of_kind(kind):
        return Finding(subject, "not_measured", f"the {kind} probe did not run in this run")
    return None


def _absent(result: ProbeResult | None, variant: str, what: str) -> str | None:
    """Why a result cannot be used, or None when it can."""
    if result is None:
        return f"{label(variant)} was not measured on {what}"
    if not result.ok:
        return f"{label(variant)} {status_words(result.status)} on {what}: {result.reason or 'no reason recorded'}"
    return None


def _base_case(case: str) -> str:
    for suffix in CASE_SUFFIXES:
        if case.endswith(suffix):
            return case[: -len(suffix)]
    return case


def _number(value: float, unit: str) -> str:
    if abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 1:
        text = f"{value:.2f}"
    else:
        text = f"{value:.3g}"
    return f"{text} {unit}".strip()


def _order(a: float, b: float, lower_is_better: bool) -> str:
    """Exact counts: the claimed order holds, is reversed, or there is no difference (within noise)."""
    if a == b:
        return "within_noise"
    return "confirmed" if (a < b) == lower_is_better else "contradicted"


# --- rules: each returns the findings of one claim's test


def _speed_pairs(
    test: ClaimTest, evidence: Evidence | None, compare: Callable[[RatioInterval, str], str]
) -> list[Finding]:
    metric = test.figure
    unit, _ = METRICS.get(metric, ("", True))
    kind = "scale" if test.probe == "scale" else "speed"
    case = str(test.params.get("case") or "")  # scale: the case holding the metric ("stream", "batch-512")
    findings = []
    for model in test.params.get("models") or (SCALE_MODELS if kind == "scale" else SPEED_MODELS):
        for a, b in test.params["pairs"]:
            subject = f"{model}: {label(a)} vs {label(b)}"
            skipped = _not_run(evidence, kind, subject)
            if skipped:
                findings.append(skipped)
                continue
            if kind == "scale" and case.endswith("*"):  # each framework's best of those cases ("stream*")
                results = {v: evidence.best_of(v, model, kind, case[:-1], metric) for v in (a, b)}
            elif kind == "scale":
                results = {v: evidence.result(v, model, kind, case) for v in (a, b)}
            else:
                results = {v: evidence.speed(v, model, metric) for v in (a, b)}
            unusable = next((v for v in (a, b) if _absent(results[v], v, model)), None)
            if unusable is not None and metric in METRIC_CASES and all(evidence.speed(v, model) for v in (a, b)):
                reason = (
                    f"{model}: no {METRIC_WORDS.get(metric, metric)} figure for both (measured only where the model "
                    "ran first in its process)"
                )
                findings.append(Finding(subject, "not_measured", reason))
                continue
            if unusable is not None:  # "absent": the framework that has no result on this model, for the report
                absent = {"model": model, "absent": unusable} if results[unusable] is None else {}
                findings.append(
                    Finding(subject, "not_measured", str(_absent(results[unusable], unusable, model)), absent)
                )
                continue
            if not same_device(results[a], results[b]):
                devices = {v: device_of(results[v]) for v in (a, b)}
                figure = f"{model}: {where(results[a])}, {where(results[b])}: not like for like"
                findings.append(Finding(subject, "not_measured", figure, {"model": model, "devices": devices}))
                continue
            interval = process_interval(results[a], results[b], metric)
            if interval is None:
                counts = " and ".join(str(len(results[v].samples.get(metric, ()))) for v in (a, b))
                why = f"{METRIC_WORDS.get(metric, metric)}: {counts} process figures; an interval needs 2 a side"
                findings.append(Finding(subject, "not_measured", f"{model}: {why}"))
                continue
            medians = {v: results[v].summary(metric).median for v in (a, b)}
            outcome = compare(interval, metric)
            cases = f" ({results[a].case} vs {results[b].case})" if case.endswith("*") else ""
            figure = (
                f"{model}{cases}: {label(a)} {interval.ratio:.2f}× {label(b)}'s {METRIC_WORDS.get(metric, metric)} "
                f"(95% CI {interval.low:.2f}–{interval.high:.2f} over {interval.n_a} processes each; "
                f"{_number(medians[a], unit)} vs {_number(medians[b], unit)})"
            )
            values = {"model": model, "a": a, "b": b, "metric": metric, **interval.to_json(), "medians": medians}
            findings.append(Finding(subject, outcome, figure, values))
    return findings


def rule_better(test: ClaimTest, evidence: Evidence | None) -> list[Finding]:
    """The first of each pair does better on the metric: the interval between processes excludes parity."""

    def compare(interval: RatioInterval, metric: str) -> str:
        higher_is_better = METRICS.get(metric, ("", True))[1]
        low, high = (interval.low, interval.high) if higher_is_better else (1 / interval.high, 1 / interval.low)
        if interval.about_the_same:  # within noise, or below the minimum effect size (probes/stats.py)
            return "within_noise"
        return "confirmed" if low > 1 else "contradicted"

    return _speed_pairs(test, evidence, compare)


def rule_similar(test: ClaimTest, evidence: Evidence | None) -> list[Finding]:
    """Parity: the whole interval lies within the tolerance band; entirely outside contradicts it."""
    tolerance = float(test.params.get("tolerance", PARITY_TOLERANCE))
    band = (1 / (1 + tolerance), 1 + tolerance)

    def compare(interval: RatioInterval, metric: str) -> str:
        if band[0] <= interval.low and interval.high <= band[1]:
            return "confirmed"
        if interval.low > band[1] or interval.high < band[0]:
            return "contradicted"
        return "within_noise"

    return _speed_pairs(test, evidence, compare)


def rule_fewer(test: ClaimTest, evidence: Evidence | None) -> list[Finding]:
    """Counts from the ease probe (lines, API calls, device statements): lower for the first of each pair;
    within one or a tenth of the larger count, about the same (within noise), not a winner."""
    fact = test.figure
    findings = []
    skipped = _not_run(evidence, "ease", fact)
    if skipped:
        return [skipped]
    models = test.params.get("models") or sorted({r.model for r in evidence.of_kind("ease")})
    for model in models:
        for a, b in test.params["pairs"]:
            subject = f"{model}: {label(a)} vs {label(b)}"
            results = {v: evidence.result(v, model, "ease") for v in (a, b)}
            reason = next((r for v in (a, b) if (r := _absent(results[v], v, f"{model} (ease)"))), None)
            counts = {v: getattr(results[v].facts, fact) for v in (a, b)} if not reason else {}
            if not reason and any(not isinstance(c, (int, float)) for c in counts.values()):
                reason = f"{fact} was not recorded"
            if reason:
                findings.append(Finding(subject, "not_measured", reason))
                continue
            close = abs(counts[a] - counts[b]) <= max(COUNT_PARITY_MIN, COUNT_PARITY * max(counts.values()))
            outcome = "within_noise" if close else _order(counts[a], counts[b], lower_is_better=True)
            figure = f"{model}: {label(a)} {counts[a]:g} vs {label(b)} {counts[b]:g} {fact.replace('_', ' ')}"
            figure += " (about the same)" if close else ""
            findings.append(Finding(subject, outcome, figure, {"model": model, "fact": fact, "counts": counts}))
    return findings


def rule_more_often(test: ClaimTest, evidence: Evidence | None) -> list[Finding]:
    """Debugging: the first of each pair has the fact true for a larger share of the planted bugs; shares
    that one bug's outcome could bring together are about the same (within noise), not a winner."""
    fact = test.figure
    cases = set(test.params["cases"])
    skipped = _not_run(evidence, "debugging", fact)
    if skipped:
        return [skipped]

    def tally(variant: str) -> tuple[int, int]:
        relevant = [
            r
            for r in evidence.of_kind("debugging")
            if r.variant == variant and r.ok and _base_case(r.case) in cases and getattr(r.facts, fact) is not None
        ]
        return sum(1 for r in relevant if getattr(r.facts, fact) is True), len(relevant)

    findings = []
    for a, b in test.params["pairs"]:
        subject = f"{label(a)} vs {label(b)}"
        counts = {v: tally(v) for v in (a, b)}
        missing = [v for v in (a, b) if counts[v][1] == 0]
        if missing:
            findings.append(Finding(subject, "not_measured", f"no planted-bug results for {label(missing[0])}"))
            continue
        share = {v: counts[v][0] / counts[v][1] for v in (a, b)}
        close = abs(share[a] - share[b]) <= BUG_PARITY / min(counts[a][1], counts[b][1]) + 1e-9
        outcome = "within_noise" if close else _order(share[a], share[b], lower_is_better=False)
        figure = (
            f"{fact.replace('_', ' ')}: {label(a)} {counts[a][0]} of {counts[a][1]} planted bugs, "
            f"{label(b)} {counts[b][0]} of {counts[b][1]}" + (" (one bug apart)" if close else "")
        )
        findings.append(Finding(subject, outcome, figure, {"fact": fact, "counts": counts}))
    return findings


def _per_variant(value: Any, variant: str, default: Any = None) -> Any:
    """A test parameter that is either one value for every variant or a mapping of variant to value."""
    return value.get(variant, default) if isinstance(value, Mapping) else value


def rule_prints_every_step(test: ClaimTest, evidence: Evidence | None) -> list[Finding]:
    """A print inside forward()/call() ran once per training step (eager) or fewer times (traced).

    `cases` and `expect` may be given per variant, so a claim that speaks for one framework and against
    another checks each in the mode its users run by default (PyTorch eager, Keras's traced fit()).
    """
    skipped = _not_run(evidence, "debugging", "print inside the model")
    if skipped:
        return [skipped]
    findings = []
    for variant in test.params["variants"]:
        expect = bool(_per_variant(test.params.get("expect", True), variant, True))
        cases = list(_per_variant(test.params["cases"], variant, ()))
        found = None
        for case in cases:
            found = next(
                (r for r in evidence.of_kind("debugging") if r.variant == variant and r.case == case and r.ok), None
            )
            if found is not None:
                break
        if found is None or found.facts.print_count is None or not found.facts.steps:
            findings.append(Finding(label(variant), "not_measured", f"no {' or '.join(cases)} result"))
            continue
        prints, steps = found.facts.print_count, found.facts.steps
        every = prints >= steps
        outcome = "confirmed" if every == expect else "contradicted"
        figure = f"{label(variant)} ({found.case}): printed {prints} time{'s' if prints != 1 else ''} in {steps} steps"
        findings.append(
            Finding(
                label(variant),
                outcome,
                figure,
                {"variant": variant, "case": found.case, "prints": prints, "steps": steps},
            )
        )
    return findings


def _export_result(evidence: Evidence, variant: str, case: str) -> ProbeResult | None:
    return next((r for r in evidence.of_kind("export") if r.variant == variant and r.case == case), None)


def rule_exports(test: ClaimTest, evidence: Evidence | None) -> list[Finding]:
    """Every listed export path worked: exported, reloaded in a fresh process, same outputs."""
    expect = bool(test.params.get("expect", True))
    skipped = _not_run(evidence, "export", "export")
    if skipped:
        return [skipped]
    findings = []
    for variant in test.params["variants"]:
        for case in test.params["cases"]:
            subject = f"{label(variant)}, {path_label(case)}"
            result = _export_result(evidence, variant, case)
            if result is None or result.status in ("not_installed", "skipped", "interrupted"):
                why = (
                    "not in this run"
                    if result is None
                    else f"{status_words(result.status)}: {result.reason or ''}".strip()
                )
                hint = result.facts.install_hint if result is not None else None
                findings.append(Finding(subject, "not_measured", f"{subject}: {why}" + (f" ({hint})" if hint else "")))
                continue
            facts = result.facts
            diff = facts.max_abs_diff
            works = export_works(result)
            if works:  # exported, reloaded in a fresh process, same outputs (probes/evidence.py export_works)
                size = facts.size_bytes
                figures = ([f"{int(size) / 1000:,.0f} KB"] if size else []) + (
                    [f"max |Δ| {float(diff):.1e}"] if diff is not None else []
                )
                figure = f"{subject}: works" + (f" ({', '.join(figures)})" if figures else "")
            else:
                error = str(facts.error or result.reason or "reload or parity failed").splitlines()[0]
                figure = f"{subject}: failed ({error[:120]})"
            outcome = "confirmed" if works == expect else "contradicted"
            findings.append(Finding(subject, outcome, figure, {"variant": variant, "case": case, "works": works}))
    return findings


TRIED = ("ok", "failed", "crashed", "timeout")  # export statuses of a path that was attempted
TARGET_WORDS = {"mobile": "phones", "edge": "edge devices", "browser": "browsers", "server": "servers"}


def _target_runtimes(target: str) -> tuple[dict[str, str], bool]:
    """(path -> the runtime the target ships it in, whether the target needs that runtime): a browser,
    phone or edge route counts only when it ran there; for a server a Python reload is the test, as in
    the deployment score (knowledge/measured_scores.yaml deployment.runtime_targets)."""
    import knowledge

    paths = knowledge.load("export_paths")["paths"]
    runtimes = {
        p: str(info["runtimes"][target]) for p, info in paths.items() if (info.get("runtimes") or {}).get(target)
    }
    return runtimes, target in knowledge.load("measured_scores")["deployment"]["runtime_targets"]["targets"]


def _targets(test: ClaimTest) -> tuple[str, ...]:
    """The deployment targets a route test is judged on: its `target`, or each of them where it names
    several (a claim about deploying in general is checked target by target)."""
    target = test.params["target"]
    return tuple(str(t) for t in target) if isinstance(target, list) else (str(target),)


def _route_paths(test: ClaimTest, variant: str, target: str) -> list[str]:
    """The export paths that take a variant to the target: the test's `cases` (per variant where given),
    else every path the variant offers that the target has a runtime for."""
    import knowledge

    cases = _per_variant(test.params.get("cases"), variant)
    if cases:
        return list(cases)
    runtimes, _ = _target_runtimes(target)
    paths = knowledge.load("export_paths")["paths"]
    return [p for p in runtimes if variant in (paths[p].get("variants") or [])]


def _route_status(result: ProbeResult | None, runtime: str | None, needs_runtime: bool) -> str:
    """proven (ran where the target runs it, same outputs), failed, or untried (not attempted here, or
    only reloaded in Python for a target that needs its own runtime)."""
    if result is None or result.status not in TRIED:
        return "untried"
    if not export_works(result):
        return "failed"
    if not needs_runtime:
        return "proven"
    facts = result.facts
    if runtime and runtime in facts.proven_in(result.ok):
        return "proven"
    if runtime and runtime == facts.browser_runtime and facts.browser_ok is not None:
        return "failed"  # it ran in the page and failed, or gave other outputs
    return "untried"


def _routes(test: ClaimTest, evidence: Evidence, variant: str, target: str) -> dict[str, list[str]]:
    """status -> the variant's routes to the target in that status, each named with its runtime."""
    runtimes, needs_runtime = _target_runtimes(target)
    found: dict[str, list[str]] = {"proven": [], "failed": [], "untried": []}
    for path in _route_paths(test, variant, target):
        runtime = runtimes.get(path) if needs_runtime else None
        status = _route_status(_export_result(evidence, variant, path), runtime, needs_runtime)
        name = path_label(path).split(" (")[0].split(", ")[0].split(" / ")[0]
        found[status].append(name)
    return found


def _reach_words(variant: str, found: dict[str, list[str]], target: str) -> str:
    n = len(found["proven"])
    text = f"{label(variant)}: {n} route{'' if n == 1 else 's'} to {TARGET_WORDS[target]}"
    text += f" ({', '.join(found['proven'])})" if found["proven"] else ""
    return text + (f", {', '.join(found['untried'])} not tried" if found["untried"] else "")


def rule_reaches(test: ClaimTest, evidence: Evidence | None) -> list[Finding]:
    """Each variant reaches the deployment target: at least one of its routes ran where the target runs
    it (in the browser, phone or edge runtime; on a server, reloaded) with the original's outputs."""
    target = str(test.params["target"])
    skipped = _not_run(evidence, "export", f"routes to {target}")
    if skipped:
        return [skipped]
    findings = []
    for variant in test.params["variants"]:
        found = _routes(test, evidence, variant, target)
        outcome = "confirmed" if found["proven"] else "not_measured" if found["untried"] else "contradicted"
        figure = _reach_words(variant, found, target)
        if found["failed"]:
            figure += f"; failed: {', '.join(found['failed'])}"
        findings.append(Finding(label(variant), outcome, figure, {"variant": variant, "target": target, **found}))
    return findings


def rule_more_routes(test: ClaimTest, evidence: Evidence | None) -> list[Finding]:
    """The first of each pair has more routes that ran where the target runs them than the second, on
    each target the test names. Equal counts are no advantage (contradicted); routes not tried leave the
    comparison open when they could change it (not measured)."""
    targets = _targets(test)
    skipped = _not_run(evidence, "export", f"routes to {' and '.join(targets)}")
    if skipped:
        return [skipped]
    return [_more_routes(test, evidence, a, b, target) for target in targets for a, b in test.params["pairs"]]


def _more_routes(test: ClaimTest, evidence: Evidence, a: str, b: str, target: str) -> Finding:
    """One pair on one target: a's routes there against b's."""
    found = {v: _routes(test, evidence, v, target) for v in (a, b)}
    low = {v: len(found[v]["proven"]) for v in (a, b)}
    high = {v: low[v] + len(found[v]["untried"]) for v in (a, b)}
    if low[a] > high[b]:
        outcome = "confirmed"
    elif high[a] <= low[b]:
        outcome = "contradicted"
    else:
        outcome = "not_measured"
    figure = "; ".join(_reach_words(v, found[v], target) for v in (a, b))
    subject = f"{label(a)} vs {label(b)}" + (f", {TARGET_WORDS[target]}" if len(_targets(test)) > 1 else "")
    return Finding(subject, outcome, figure, {"a": a, "b": b, "target": target, "counts": low})


def rule_fact_is(test: ClaimTest, evidence: Evidence | None) -> list[Finding]:
    """Each check names an export result's fact and the value the claim implies."""
    skipped = _not_run(evidence, "export", test.figure)
    if skipped:
        return [skipped]
    findings = []
    for check in test.params["checks"]:
        variant, case, fact = check["variant"], check["case"], check["fact"]
        subject = f"{label(variant)}, {path_label(case)}"
        result = _export_result(evidence, variant, case)
        if result is None or getattr(result.facts, fact, None) is None:
            findings.append(Finding(subject, "not_measured", f"{subject}: {fact} not recorded"))
            continue
        value = getattr(result.facts, fact)
        outcome = "confirmed" if value == check["equals"] else "contradicted"
        values = {"variant": variant, "fact": fact, "value": value}
        said = FACT_WORDS.get(fact, fact.replace("_", " "))
        shown = ("yes" if value else "no") if isinstance(value, bool) else value
        findings.append(Finding(subject, outcome, f"{subject}: {said}: {shown}", values))
    return findings


def rule_runs(test: ClaimTest, evidence: Evidence | None) -> list[Finding]:
    """Each variant trained in this run's speed probe (a failure contradicts; not installed: not measured)."""
    findings = []
    for variant in test.params["variants"]:
        skipped = _not_run(evidence, "speed", label(variant))
        if skipped:
            findings.append(skipped)
            continue
        results = [r for r in evidence.of_kind("speed") if r.variant == variant]
        ok = [r for r in results if r.ok]
        broken = [r for r in results if r.status in ("failed", "crashed", "timeout")]
        if ok:
            models = ", ".join(sorted({r.model for r in ok}))
            findings.append(Finding(label(variant), "confirmed", f"{label(variant)} trained here ({models})"))
        elif broken:
            reason = broken[0].reason or broken[0].status
            findings.append(Finding(label(variant), "contradicted", f"{label(variant)} failed: {reason}"))
        else:
            why = results[0].reason if results else "not in this run's variants"
            findings.append(Finding(label(variant), "not_measured", f"{label(variant)}: {why}"))
    return findings


RULES: dict[str, Callable[[ClaimTest, Evidence | None], list[Finding]]] = {
    "better": rule_better,
    "similar": rule_similar,
    "fewer": rule_fewer,
    "more_often": rule_more_often,
    "prints_every_step": rule_prints_every_step,
    "exports": rule_exports,
    "fact_is": rule_fact_is,
    "runs": rule_runs,
    "reaches": rule_reaches,
    "more_routes": rule_more_routes,
}


def combine(outcomes: Sequence[str], across_the_board: bool = False) -> str:
    """One verdict from the findings' outcomes.

    Nothing measured: not measured. Confirmed somewhere and contradicted elsewhere: mixed.
    Otherwise the measured outcome that outnumbers "within noise" wins; a tie stays within noise,
    so one clear model out of two is not enough to call a claim confirmed. A claim that says it holds
    across the board (its test's `across_the_board`) is confirmed only where every finding confirms
    it: confirmed on some models and not on the others is mixed, and a counterexample with nothing
    confirmed contradicts it.
    """
    measured = [o for o in outcomes if o != "not_measured"]
    if not measured:
        return "not_measured"
    confirmed, contradicted = measured.count("confirmed"), measured.count("contradicted")
    noise = measured.count("within_noise")
    if across_the_board:
        if confirmed == len(measured):
            return "confirmed"
        if confirmed:
            return "mixed"
        return "contradicted" if contradicted else "within_noise"
    if confirmed and contradicted:
        return "mixed"
    if confirmed > noise:
        return "confirmed"
    if contradicted > noise:
        return "contradicted"
    return "within_noise"


def finding_variants(finding: Finding) -> set[str]:
    """The variants a finding compared (read from its values, which every rule fills)."""
    v = finding.values
    found = {str(v[key]) for key in ("a", "b", "variant") if v.get(key)}
    return found | {str(k) for k in (v.get("counts") or {})}


def measured_frameworks(findings: Sequence[Finding]) -> set[str]:
    """The frameworks (pytorch, keras, tensorflow) some measured finding speaks for."""
    import knowledge

    families = knowledge.load("literature")["variant_frameworks"]  # which framework each variant speaks for
    return {families[v] for f in findings if f.outcome != "not_measured" for v in finding_variants(f) if v in families}


def check_claim(claim: Claim, evidence: Evidence | None) -> Verdict:
    """A claim's verdict. A claim about several frameworks is confirmed (or contradicted) only when every
    framework it names was measured; otherwise it is "partly measured", with what was found as its
    evidence outcome and the frameworks left unmeasured said in its findings."""
    if claim.test is None:
        return Verdict(claim.id, "outdated" if claim.superseded else "literature_only")
    findings = tuple(RULES[claim.test.rule](claim.test, evidence))
    outcome = combine([f.outcome for f in findings], bool(claim.test.params.get("across_the_board")))
    if claim.superseded:
        return Verdict(claim.id, "outdated", findings, evidence_outcome=outcome)
    named = set(claim.favours) | set(claim.against) | set(claim.alike)
    measured = measured_frameworks(findings)
    missing = sorted(named - measured)
    if outcome != "not_measured" and missing:
        words = " and ".join(FRAMEWORK_LABELS[f] for f in missing)
        gap = Finding(words, "not_measured", f"{words}: named by the claim, not measured by this run's test of it")
        return Verdict(claim.id, "partly_measured", (*findings, gap), evidence_outcome=outcome)
    return Verdict(claim.id, outcome, findings)


def check_claims(evidence: Evidence | None, claims: Sequence[Claim] | None = None) -> tuple[Verdict, ...]:
    """A verdict for every claim of the ledger (or of `claims`), in ledger order."""
    return tuple(check_claim(claim, evidence) for claim in (claims or load_ledger().claims))


def check(evidence: Evidence | None) -> Verdicts:
    """The claims stage: every claim of the ledger checked against the evidence (None: nothing measured)."""
    return Verdicts(check_claims(evidence), evidence_digest(evidence), ledger_digest())
