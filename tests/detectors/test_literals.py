"""One-pass search for many byte strings: the same answers as ``word in data``."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from depvet.detectors.literals import Literals

# Few distinct bytes, so that words often occur in the data: letters of both
# cases, and bytes a YARA text string must escape (quote, backslash, NUL, non-ASCII).
_ALPHABET = b'aAbB"\\.\x00\xff'
_BYTES = st.binary(min_size=1, max_size=6).map(
    lambda b: bytes(_ALPHABET[c % len(_ALPHABET)] for c in b)
)
_WORDS = st.lists(_BYTES | st.sampled_from([b"\\x41", b"\\n"]), max_size=8)
_DATA = st.binary(max_size=200) | st.lists(_BYTES, max_size=40).map(b"".join)


@settings(max_examples=200, deadline=None)
@given(words=_WORDS.filter(bool), data=_DATA)
def test_found_agrees_with_substring_tests(words: list[bytes], data: bytes) -> None:
    literals = Literals(words)
    assert literals.found(data) == {w for w in words if w in data}
    assert literals.any_in(data) == any(w in data for w in words)


@settings(max_examples=200, deadline=None)
@given(words=_WORDS.filter(bool), data=_DATA)
def test_nocase_agrees_with_lowered_substring_tests(words: list[bytes], data: bytes) -> None:
    literals = Literals(words, nocase=True)
    assert literals.found(data) == {w for w in words if w.lower() in data.lower()}


def test_words_found_anywhere_and_only_whole() -> None:
    literals = Literals([b"subprocess", b"os.system", b'"exec"'])
    assert literals.found(b'import subprocess\nos.system("x")\n') == {b"subprocess", b"os.system"}
    assert literals.found(b'x = "exec"') == {b'"exec"'}
    assert literals.found(b"subproces os_system exec") == frozenset()
    assert not literals.any_in(b"")


def test_nocase_matches_ascii_letters_in_any_case() -> None:
    literals = Literals([b"evil.example"], nocase=True)
    assert literals.found(b"https://EVIL.Example/x") == {b"evil.example"}
    assert Literals([b"evil.example"]).found(b"https://EVIL.Example/x") == frozenset()


def test_empty_word_is_refused() -> None:
    with pytest.raises(ValueError):
        Literals([b"ok", b""])


def test_no_words_find_nothing() -> None:
    assert Literals([]).found(b"anything") == frozenset()


def test_instances_sharing_one_pass_keep_their_own_words_and_case() -> None:
    exact = Literals([b"Token", b"exec"])
    folded = Literals([b"token", b"socket"], nocase=True)
    data = b"TOKEN = socket.exec()"
    assert exact.found(data) == {b"exec"}
    assert folded.found(data) == {b"token", b"socket"}
    # Created after the first pass was compiled, asked about the same bytes object.
    later = Literals([b"TOKEN", b"missing"])
    assert later.found(data) == {b"TOKEN"}
    assert exact.found(data) == {b"exec"}
    # Other bytes with the same identity-free content are matched anew.
    assert exact.found(b"Token only") == {b"Token"}
    assert folded.found(b"Token only") == {b"token"}


def test_words_with_a_nul_byte_are_matched_whole() -> None:
    literals = Literals([b"b\x00", b"\x00", b"ok"])
    assert literals.found(b"b") == frozenset()
    assert literals.found(b"ab\x00c ok") == {b"b\x00", b"\x00", b"ok"}
    assert Literals([b"B\x00x"], nocase=True).found(b"b\x00X") == {b"B\x00x"}
