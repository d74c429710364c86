"""The results each tutorial writes, as typed records with stable field names (one module per tutorial):
:meth:`keras_autoencoders.tutorial_run.TutorialRun.finish` writes a record and prints its
:meth:`ResultsRecord.headline`; the report and the claims table (:mod:`keras_autoencoders.report.claims`) read it back
with :meth:`ResultsRecord.from_results`. ``results.json`` holds ``settings``, one section per field and ``versions``
(`docs/results-files.md`), keyed by the library's names, never display text."""
from __future__ import annotations

import dataclasses
from typing import Any, Mapping, TypeVar

RecordT = TypeVar("RecordT", bound="ResultsRecord")


@dataclasses.dataclass
class ResultsRecord:
    """Base of the tutorials' results records: its fields are the sections of ``results.json``."""

    def as_dict(self) -> dict[str, Any]:
        """The sections, shallow (the values are written by :func:`~keras_autoencoders.run_folder.write_json`)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def headline(self) -> dict[str, Any]:
        """The few numbers a run's closing lines print (display name -> value); each record picks its own."""
        return {}

    @classmethod
    def from_results(cls: type[RecordT], results: Mapping[str, Any]) -> RecordT:
        """The record held by a ``results.json``; a missing section without a default raises ``KeyError`` naming it."""
        fields = dataclasses.fields(cls)
        for field in fields:
            required = field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
            if required and field.name not in results:
                raise KeyError(f"results.json section {field.name!r}")
        return cls(**{field.name: results[field.name] for field in fields if field.name in results})
