"""The three packages the gate tests serve: clean, a harmless stealer replica, a brand-new one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from tests.builders import LITELLM_PTH_LINE, make_sdist, make_wheel
from tests.indexserver import LocalIndex


@dataclass(frozen=True)
class Served:
    """What :func:`populate` put on the index."""

    clean: str = "tidyutil"
    replica: str = "pthloader"  # carries a litellm-style .pth launcher (harmless payload)
    fresh: str = "freshlib"  # its newest release was uploaded an hour ago


SETUP = "from setuptools import setup\nsetup(name='tidyutil', version='1.0.0')\n"


def populate(index: LocalIndex, folder: Path) -> Served:
    """Build the packages into ``folder`` and list them on ``index``."""
    served = Served()
    folder.mkdir(parents=True, exist_ok=True)
    clean = {"tidyutil/__init__.py": "def tidy(text):\n    return text.strip()\n"}
    index.add(make_wheel(folder, served.clean, "1.0.0", clean))
    index.add(
        make_sdist(
            folder,
            served.clean,
            "1.0.0",
            {
                **clean,
                "setup.py": SETUP,
            },
        )
    )
    index.add(
        make_wheel(
            folder,
            served.replica,
            "2.0.0",
            {"pthloader/__init__.py": "", "pthloader_init.pth": LITELLM_PTH_LINE},
        )
    )
    old = {"freshlib/__init__.py": "VERSION = '1.0'\n"}
    index.add(make_wheel(folder, served.fresh, "1.0.0", old), age=dt.timedelta(days=90))
    new = {"freshlib/__init__.py": "VERSION = '1.1'\n"}
    index.add(make_wheel(folder, served.fresh, "1.1.0", new), age=dt.timedelta(hours=1))
    return served
