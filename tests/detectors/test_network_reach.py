"""Whether a module's network calls can run on load, read from its bytes."""

from __future__ import annotations

import textwrap

import pytest

from depvet.detectors.network_reach import network_runs_on_load
from depvet.detectors.pysource import analyze


def _runs(source: str) -> bool:
    return network_runs_on_load(textwrap.dedent(source).encode())


def _analysis_says(source: str) -> bool:
    """What the syntax-tree analysis reads: a network call in code that runs on load."""
    analysis = analyze(textwrap.dedent(source), main_runs=False)
    assert analysis is not None
    return any(
        "NETWORK" in {c.name for c in site.capabilities} and analysis.runs_on_load(site)
        for site in analysis.calls
    )


ON_LOAD = {
    "module level": """
        import requests
        requests.get(URL)
    """,
    "an alias bound on load, called by a function run on load": """
        import requests
        get = requests.get
        def fetch():
            return get(URL)
        fetch()
    """,
    "an object made in a function, used on load": """
        import socket
        def make():
            global conn
            conn = socket.socket()
        conn.connect(ADDRESS)
    """,
    "a connection accepted from a server made elsewhere": """
        import socket
        def serve():
            server = socket.socket()
        peer, address = server.accept()
    """,
    "registered for interpreter exit": """
        import atexit, requests
        @atexit.register
        def goodbye():
            requests.post(URL, data=DATA)
    """,
    "a constructor run by making an instance": """
        import requests
        class Beacon:
            def __init__(self):
                requests.get(URL)
        Beacon()
    """,
    "a default value": """
        import requests
        def handler(page=requests.get(URL)):
            return page
    """,
    "a default value on a header's later line": """
        from urllib.request import urlopen
        def handler(
            page=urlopen(URL),
        ) -> None:
            pass
    """,
    "a default value after a parenthesis and a colon": """
        import requests
        def handler(pages={(1): requests.get(URL)}):
            return pages
    """,
    "an f-string's replacement field": """
        import requests
        print(f"status: {requests.get(URL).status_code}")
    """,
    "a class body": """
        import httpx
        class Settings:
            remote = httpx.get(URL).json()
    """,
    "a chain of functions": """
        import requests
        def first():
            second()
        def second():
            requests.get(URL)
        first()
    """,
    "a with statement": """
        import httpx
        with httpx.Client() as client:
            client.get(URL)
    """,
    "a star import": """
        from requests import *
        get(URL)
    """,
    "a call after an import on its line": """
        from urllib.request import urlopen as fetch; run = exec; run(fetch(URL).read())
    """,
    "a function started as a thread": """
        import threading, requests
        def beacon():
            requests.post(URL)
        threading.Thread(target=beacon).start()
    """,
}


@pytest.mark.parametrize("source", ON_LOAD.values(), ids=ON_LOAD.keys())
def test_network_calls_that_can_run_on_load_are_found(source: str) -> None:
    assert _runs(source)


def test_what_it_finds_the_analysis_finds_too() -> None:
    # Shapes both readings understand: the byte reading is never the only one to
    # keep a call the tree reading reports.
    for name in ("module level", "a constructor run by making an instance", "a class body"):
        assert _analysis_says(ON_LOAD[name]), name


NOT_ON_LOAD = {
    "methods of a class nobody makes on load": """
        import requests
        class Client:
            def __init__(self, url):
                self.url = url
            def fetch(self, path):
                return requests.get(self.url + path).json()
    """,
    "the library named only in strings and comments": '''
        """Talks to the service with requests.get()."""
        import requests
        # requests.get(URL) would block here
        EXAMPLE = "requests.get(URL)"
        def fetch():
            return requests.get(URL)
    ''',
    "a version imported from the library": """
        from requests import __version__ as requests_version
        AGENT = f"client/1.0 requests/{requests_version}"
        print(AGENT)
    """,
    "a function named only by another nobody calls": """
        import requests
        def fetch():
            return requests.get(URL)
        def refresh():
            return fetch()
    """,
    "an alias from a parenthesised import list": """
        from urllib.request import (
            Request,
            urlopen as fetch,
        )
        def download():
            return fetch(Request(URL)).read()
    """,
    "a property and a static method": """
        import requests
        class Api:
            @property
            def status(self):
                return requests.get(URL).status_code
            @staticmethod
            def ping():
                return requests.head(URL)
    """,
    "a comment line at the margin inside a function": """
        import requests
        def fetch():
        # the service answers slowly
            return requests.get(URL, timeout=60)
    """,
    "a docstring line that starts with def": (
        "import requests\n"
        "def fetch():\n"
        '    """Fetch the page.\n\n'
        "def example(): would not end this function.\n"
        '    """\n'
        "    return requests.get(URL)\n"
    ),
}


@pytest.mark.parametrize("source", NOT_ON_LOAD.values(), ids=NOT_ON_LOAD.keys())
def test_network_calls_only_functions_nobody_runs_make_are_not(source: str) -> None:
    assert not _runs(source)
    assert not _analysis_says(source)


def test_windows_line_ends_and_blank_lines_keep_a_function_whole() -> None:
    source = "import requests\r\ndef fetch():\r\n\r\n    return requests.get(URL)\r\n"
    assert not network_runs_on_load(source.encode())
    assert network_runs_on_load((source + "fetch()\r\n").encode())


def test_what_the_byte_reading_cannot_follow_is_left_to_the_parser() -> None:
    # Tabs in indentation, and a header that never closes.
    assert network_runs_on_load(b"import requests\ndef fetch():\n\treturn requests.get(URL)\n")
    assert network_runs_on_load(b"import requests\ndef fetch(:\n    requests.get(URL)\n")


def test_only_the_given_modules_are_looked_for() -> None:
    source = b"import requests\nimport socket\nsocket.gethostbyname(HOST)\n"
    assert network_runs_on_load(source, [b"socket"])
    assert not network_runs_on_load(source, [b"requests"])
