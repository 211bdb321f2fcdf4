"""Start-up hooks in a shipped ``sitecustomize.py`` / ``usercustomize.py``.

:mod:`site` imports these modules at every interpreter start when they sit on
``sys.path``. A distribution has no business installing one at the top of
site-packages: it would run before any user code, in every process. The
artifact layer gives such files the CUSTOMIZE role; a module of the same name
deeper in a package (``pkg/sitecustomize.py``) is ordinary PYTHON and is not
this detector's concern.
"""

from __future__ import annotations

from collections.abc import Iterable

from depvet.files import FileRole, FileView
from depvet.model import Finding, Rule, RuleKind, Scope, Severity, Tag

SITECUSTOMIZE_SHIPPED = Rule(
    id="sitecustomize-shipped",
    kind=RuleKind.THREAT,
    severity=Severity.HIGH,
    description=(
        "The package installs sitecustomize.py or usercustomize.py at the top of "
        "site-packages, which Python imports at every start."
    ),
    technique="Start-up hooks (T1546.018)",
    tags=frozenset({Tag.STARTUP_HOOK}),
    remediation=(
        "Do not install the package; if it is installed, read the file, remove it and "
        "uninstall the package. Only environment tooling (never a library) should ship one."
    ),
)


class SiteCustomizeDetector:
    """Reports a ``sitecustomize.py`` / ``usercustomize.py`` a package would install."""

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules this detector reports."""
        return (SITECUSTOMIZE_SHIPPED,)

    def wants(self, file: FileView) -> bool:
        """Only files the artifact layer placed at the top of site-packages."""
        return file.role is FileRole.CUSTOMIZE

    def scan(self, file: FileView) -> Iterable[Finding]:
        """One finding per file; the evidence is its first line of code."""
        evidence = next(
            (
                line.strip()
                for line in file.text().splitlines()
                if line.strip() and not line.lstrip().startswith("#")
            ),
            file.name,
        )
        yield SITECUSTOMIZE_SHIPPED.finding(
            path=file.path,
            line=None,
            message=f"{file.name} would run at every interpreter start",
            evidence=evidence,
            scope=Scope.STARTUP,
        )
