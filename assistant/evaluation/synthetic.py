"""A synthetic corpus N times the seeds, for scale runs, with gold questions that stay checkable.

Copy 0 is the seeds themselves. Every other copy of each seed report gets its own made-up district
(two characters + 区, never a real name the question reader knows), its years shifted by an even
number (so a year is always results or always targets, as in the seeds) and every figure scaled by
a factor of its own. Gold questions that name their report's district and a year are derived with
the same substitutions, and their expected values and evidence with the same function, so a
derived answer is right exactly when the original would be.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.ingest.corpus import Report, load_reports
from assistant.ingest.library import write_manifest
from assistant.lang.zh import lexicon

_NUMBER = re.compile(r"(?<![\d.])\d+(?:\.\d+)?")
_YEAR_RANGE = range(1990, 2036)


@dataclass(frozen=True)
class Variant:
    """How copy `copy` of a seed report differs from it."""

    copy: int
    district: str  # the new district name ("" for copy 0: unchanged)
    year_shift: int
    factor: float

    def number(self, digits: str) -> str:
        """A figure scaled by the copy's factor with the same decimals; a year shifted instead."""
        if self.copy == 0:
            return digits
        if "." not in digits and int(digits) in _YEAR_RANGE:
            return str(int(digits) + self.year_shift)
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        return f"{float(digits) * self.factor:.{decimals}f}"

    def text(self, text: str, report: Report) -> str:
        """`text` (a report, a question or an evidence span) as this copy words it."""
        if self.copy == 0:
            return text
        for name in sorted({report.district, report.district[:-1]}, key=len, reverse=True):
            text = text.replace(name, self.district if name == report.district else self.district[:-1])
        return _NUMBER.sub(lambda m: self.number(m.group(0)), text)


def district_names(count: int) -> list[str]:
    """`count` distinct made-up district names, the same on every run."""
    first, second = lexicon.made_up_name_chars()
    suffix = lexicon.district_suffixes()[0]
    names = [a + b + suffix for b in second for a in first]
    if count > len(names):
        raise ValueError(f"at most {len(names)} made-up districts")
    return names[:count]


def variants(copies: int, reports: Sequence[Report]) -> Iterator[tuple[Report, Variant]]:
    """(seed report, variant) for every report of every copy, copy 0 first."""
    names = iter(district_names(max(0, copies - 1) * len(reports)))
    for copy in range(copies):
        for report in reports:
            yield report, Variant(copy, next(names) if copy else "", 2 * (copy % 4),
                                  1.0 + ((copy * 37) % 41 + 5) / 100)


def _entry(report: Report, variant: Variant) -> dict:
    """The manifest entry of one derived report (copy 0 keeps the seed's own entry)."""
    def year(y):
        return y + variant.year_shift if y else y

    report_id = report.id if variant.copy == 0 else f"{report.id}-x{variant.copy}"
    return {"id": report_id, "file": f"{report_id}.txt",
            "title": variant.text(report.title, report), "short_title": variant.text(report.short_title, report),
            "district": variant.district or report.district,
            "aliases": list(report.aliases) if variant.copy == 0 else [],
            "city": report.city, "years": [year(y) for y in report.years], "kind": report.kind,
            "actual_sections": [variant.text(s, report) for s in report.actual_sections],
            "actual_year": year(report.actual_year), "target_year": year(report.target_year)}


def write_corpus(seeds_dir: Path, folder: Path, copies: int) -> list[dict]:
    """Write `copies` × the seeds into `folder` (texts + manifest.toml); the manifest entries."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for report, variant in variants(copies, load_reports(seeds_dir)):
        entry = _entry(report, variant)
        (folder / entry["file"]).write_text(variant.text(report.text, report), encoding="utf-8")
        entries.append(entry)
    write_manifest(folder, entries)
    return entries


def _names_its_district_and_year(item: dict, report: Report) -> bool:
    return (not item["history"] and report.district in item["question"]
            and re.search(r"20\d\d", item["question"]) is not None and bool(item["answers"])
            and all(a["doc"] == report.id for a in item["answers"]))


def derived_gold(seeds_dir: Path, gold: Path, copies: int, limit: int) -> list[dict]:
    """Up to `limit` gold items that name one report's district and a year, spread evenly over the
    copies, with question, district, values and evidence as each copy words them."""
    reports = {r.id: r for r in load_reports(seeds_dir)}
    items = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    usable = [i for i in items if i["answers"] and i["answers"][0]["doc"] in reports
              and _names_its_district_and_year(i, reports[i["answers"][0]["doc"]])]
    by_doc = {(r.id, v.copy): v for r, v in variants(copies, list(reports.values()))}
    derived = []
    for n in range(min(limit, len(usable) * copies)):
        item, copy = usable[n % len(usable)], (n * 7919) % copies
        report = reports[item["answers"][0]["doc"]]
        variant = by_doc[(report.id, copy)]
        suffix = "" if copy == 0 else f"-x{copy}"
        answers = [{**a, "doc": a["doc"] + suffix, "value": variant.text(a["value"], report),
                    "evidence": variant.text(a["evidence"], report)} for a in item["answers"]]
        text = variant.text(report.text, report)
        if all(a["evidence"] in text and a["value"] in a["evidence"] for a in answers):
            derived.append({**item, "id": f"{item['id']}{suffix}", "answers": answers,
                            "question": variant.text(item["question"], report),
                            "district": variant.district or report.district})
    return derived
