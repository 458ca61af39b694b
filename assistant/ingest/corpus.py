"""The reports: the seeds manifest and the verbatim texts it names."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from assistant.config import Settings
from assistant.errors import UserError
from assistant.lang.zh.messages import message

MANIFEST = "manifest.toml"


@dataclass(frozen=True)
class Report:
    """One source report and its metadata; `text` is the file's content, never altered."""

    id: str
    title: str
    short_title: str
    district: str
    city: str
    years: tuple[int, ...]
    kind: str
    path: Path
    text: str
    aliases: tuple[str, ...] = ()
    actual_sections: tuple[str, ...] = ()  # top-level headings whose content reports past results
    actual_year: int | None = None
    target_year: int | None = None
    extra: dict = field(default_factory=dict)

    def period_of(self, top_heading: str) -> tuple[int | None, str]:
        """(year, "actual" | "target") for a passage under the given top-level heading."""
        if any(top_heading.startswith(prefix) for prefix in self.actual_sections):
            return self.actual_year, "actual"
        return self.target_year, "target"


def _read_text(path: Path) -> str:
    """The report's text, or a sentence saying why it can't be used."""
    if not path.exists():
        raise UserError(message("errors.manifest_file_missing", name=path.name, path=path))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UserError(message("errors.report_not_utf8", path=path)) from None
    except OSError as exc:
        raise UserError(message("errors.cannot_read", path=path, reason=exc.strerror)) from None
    if not text.strip():
        raise UserError(message("errors.report_empty", path=path))
    return text


def _report_from_entry(entry: dict, folder: Path) -> Report:
    """Build a Report from one [[report]] table of the manifest."""
    required = ("id", "file", "title", "district")
    missing = [key for key in required if key not in entry]
    if missing:
        raise UserError(message("errors.manifest_fields_missing", manifest=folder / MANIFEST,
                                fields=", ".join(missing)))
    path = folder / entry["file"]
    known = {"id", "file", "title", "short_title", "district", "city", "years", "kind", "aliases",
             "actual_sections", "actual_year", "target_year"}
    return Report(
        id=entry["id"],
        title=entry["title"],
        short_title=entry.get("short_title", entry["title"]),
        district=entry["district"],
        city=entry.get("city", ""),
        years=tuple(entry.get("years", ())),
        kind=entry.get("kind", ""),
        path=path,
        text=_read_text(path),
        aliases=tuple(entry.get("aliases", ())),
        actual_sections=tuple(entry.get("actual_sections", ())),
        actual_year=entry.get("actual_year"),
        target_year=entry.get("target_year"),
        extra={k: v for k, v in entry.items() if k not in known},
    )


def read_manifest(manifest: Path) -> list[dict]:
    """The [[report]] tables of a manifest file, or a UserError sentence when it is not valid TOML."""
    try:
        return tomllib.loads(manifest.read_text(encoding="utf-8")).get("report", [])
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(message("errors.manifest_not_toml", path=manifest, reason=exc)) from None


def load_reports(folder: Path, allow_empty: bool = False) -> list[Report]:
    """Every report the manifest in `folder` lists, read and checked."""
    manifest = folder / MANIFEST
    if not manifest.exists():
        if allow_empty:
            return []
        raise UserError(message("errors.no_manifest", path=manifest, name=MANIFEST))
    entries = read_manifest(manifest)
    if not entries and not allow_empty:
        raise UserError(message("errors.manifest_empty", path=manifest))
    reports = [_report_from_entry(entry, folder) for entry in entries]
    _check_unique(reports, str(manifest))
    return reports


def _check_unique(reports: list[Report], where: str) -> None:
    ids = [r.id for r in reports]
    if len(set(ids)) != len(ids):
        raise UserError(message("errors.manifest_duplicate_id", path=where))


def load_corpus(settings: Settings) -> list[Report]:
    """The seed reports followed by those added to the library (`assistant add`): what is indexed."""
    reports = load_reports(settings.seeds_dir) + load_reports(settings.library_dir, allow_empty=True)
    _check_unique(reports, f"{settings.seeds_dir / MANIFEST} together with {settings.library_dir / MANIFEST}")
    return reports
