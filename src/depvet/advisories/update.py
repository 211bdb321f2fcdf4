"""``depvet db update``: download OSV's PyPI dump and import it.

The dump is fetched through :class:`depvet.net.Http` (timeouts, a size
bound, an atomic download) into the data folder, imported like any other
``all.zip``, then deleted. When it cannot be fetched,
:class:`~depvet.net.NetworkError` says what could not be reached and that
the embedded feed and earlier imports stay in use.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import httpx

from depvet.advisories.store import AdvisoryStore, ImportReport, default_data_dir
from depvet.net import Http, NetworkError

OSV_PYPI_URL = "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip"
OSV_SOURCE = "osv-pypi"
MAX_DOWNLOAD_BYTES = 1024 * 1024 * 1024  # the PyPI dump is tens of MiB compressed
TIMEOUT = 60.0  # seconds without progress before giving up
OFFLINE_HINT = (
    "The embedded known-bad feed and any previously imported advisories are still used; "
    "run `depvet db update` again when the network is reachable, or `depvet db import` "
    "an all.zip fetched elsewhere."
)


def default_http() -> Http:
    """The client ``update`` uses unless given one."""
    return Http(timeout=TIMEOUT, max_bytes=MAX_DOWNLOAD_BYTES)


def _host(url: str) -> str:
    with contextlib.suppress(httpx.InvalidURL):
        return httpx.URL(url).host or url
    return url


def download(
    url: str, directory: Path, *, http: Http | None = None, max_bytes: int = MAX_DOWNLOAD_BYTES
) -> Path:
    """Fetch ``url`` into a file of this process in ``directory``; the caller deletes it."""
    owned = http is None
    client = http or default_http()
    target = directory / f"osv-pypi-all.{os.getpid()}.zip"
    try:
        return client.download(url, target, max_bytes=max_bytes)
    except NetworkError as exc:
        raise NetworkError(
            f"could not download the OSV advisory dump from {_host(url)}: {exc.message}",
            hint=OFFLINE_HINT,
        ) from exc
    finally:
        if owned:
            client.close()


def update(
    store: AdvisoryStore,
    *,
    url: str = OSV_PYPI_URL,
    http: Http | None = None,
    directory: Path | None = None,
) -> ImportReport:
    """Download the OSV PyPI dump and import it into ``store`` as source ``osv-pypi``."""
    archive = download(url, directory or default_data_dir(), http=http)
    try:
        return store.import_path(archive, source=OSV_SOURCE, location=url)
    finally:
        archive.unlink(missing_ok=True)
