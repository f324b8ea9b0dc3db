"""The hardened YAML loader: hostile files, positions, scalars, and fuzzing."""

from __future__ import annotations

import math
import os
import re
import time
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gradtutor.base import limits
from gradtutor.base.errors import AnswersError, ExerciseError, GradtutorError
from gradtutor.exercises import yamlio
from gradtutor.exercises.yamlio import Loaded, load_yaml, read_yaml_file

from bounds import HANG_SECONDS

HOSTILE = Path(__file__).parent / "hostile" / "yaml"
DEPTH = "nested more than 32 levels deep"
TAG = "YAML tags are not allowed"
KEY = "a mapping key must be a plain value"
SYNTAX = "YAML syntax error"

# file -> (a fragment of the message, the line it must name)
REFUSED = {
    "alias_without_anchor.yaml": ("aliases are not allowed (found '*f1')", 3),
    "bad_indentation.yaml": (SYNTAX, 4),
    "billion_laughs.yaml": ("anchors are not allowed (found '&a')", 2),
    "binary_garbage.bin": ("not a text file: invalid UTF-8 at byte offset 0", 1),
    "binary_tag.yaml": (f"{TAG} (found '!!binary')", 2),
    "control_character.yaml": ("not a text file: control character U+0007", 3),
    "custom_tag.yaml": (f"{TAG} (found '!evil')", 3),
    "dashes_on_one_line.yaml": (DEPTH, 1),
    "deep_block_mapping.yaml": (DEPTH, 33),
    "deep_block_sequence.yaml": (DEPTH, 33),
    "duplicate_keys.yaml": ("duplicate key 'f3' (first at line 4)", 6),
    "duplicate_keys_quoted.yaml": ("duplicate key 'exercise' (first at line 1)", 2),
    "elf_header.bin": ("not a text file", 1),
    "flow_sequence_key.yaml": (f"{KEY}, not a list", 2),
    "invalid_utf8.yaml": ("not a text file: invalid UTF-8 at byte offset 37", 2),
    "mapping_key.yaml": (f"{KEY}, not a mapping", 3),
    "merge_key.yaml": ("merge keys ('<<') are not allowed", 3),
    "merge_key_alias.yaml": ("anchors are not allowed (found '&base')", 1),
    "multiple_documents.yaml": ("more than one YAML document", 3),
    "nested_brackets.yaml": (DEPTH, 1),
    "nested_flow_unclosed.yaml": (DEPTH, 1),
    "non_scalar_key.yaml": (f"{KEY}, not a list", 2),
    "nonspecific_tag.yaml": (f"{TAG} (found '!')", 3),
    "nul_bytes.yaml": ("not a text file: a NUL byte at byte offset 41", 3),
    "omap_tag.yaml": (f"{TAG} (found '!!omap')", 2),
    "python_module.yaml": (f"{TAG} (found '!!python/module:os')", 2),
    "python_name.yaml": (f"{TAG} (found '!!python/name:os.system')", 2),
    "python_object.yaml": (f"{TAG} (found '!!python/object:__main__.Exploit')", 1),
    "python_object_apply.yaml": (f"{TAG} (found '!!python/object/apply:os.system')", 3),
    "python_object_apply_verbatim.yaml": (f"{TAG} (found '!!python/object/apply:os.sys", 2),
    "python_object_new.yaml": (f"{TAG} (found '!!python/object/new:subprocess.Popen')", 2),
    "python_tag_directive.yaml": (f"{TAG} (found '!!python/object/apply:os.system')", 4),
    "python_tag_on_key.yaml": (f"{TAG} (found '!!python/name:os.system')", 2),
    "python_tag_on_sequence.yaml": (f"{TAG} (found '!!python/tuple')", 3),
    "quadratic_blowup.yaml": ("anchors are not allowed (found '&big')", 3),
    "self_reference.yaml": ("anchors are not allowed (found '&a')", 1),
    "set_tag.yaml": (f"{TAG} (found '!!set')", 2),
    "str_tag.yaml": (f"{TAG} (found '!!str')", 3),
    "tabs_indentation.yaml": ("indent with spaces, not tabs", 3),
    "timestamp_tag.yaml": (f"{TAG} (found '!!timestamp')", 1),
    "unterminated_flow.yaml": (SYNTAX, 3),
    "unterminated_quote.yaml": ("while scanning a quoted scalar at line 3", 5),
    "utf16.yaml": ("not a text file: it starts with a UTF-16 byte-order mark", 1),
    "yaml_version.yaml": (SYNTAX, 1),
}

BIG = int("1" + "234567890" * 55 + "1234")
LOADED = {
    "big_integer.yaml": {"exercise": "x", "answers": {"f1": BIG, "f2": -BIG}},
    "bom.yaml": {"exercise": "sigmoid-neuron", "answers": {"f1": -2}},
    "bool_null_keys.yaml": {"on": 1, "no": 2, "yes": 3, "off": 4, "null": 5, "~": 6, "1": 7,
                            "true": 8, "0x10": 9, "<<": 10, "1.5": 11},
    "crlf.yaml": {"exercise": "x", "answers": {"f1": -2, "f2": 6}},
    "empty_comments_only.yaml": None,
    "huge_integer.yaml": {"exercise": "x", "answers": {"f1": "9" * 5000}},
    "int_edge_cases.yaml": {"a": "0b_", "b": "0x_", "c": 0, "d": 1000, "e": 10, "f": "0x1F",
                            "g": "1:30"},
    "sexagesimal_bomb.yaml": {"exercise": "x", "answers": {"f1": "1" + ":59" * 3000}},
    "special_floats.yaml": {"a": math.inf, "b": -math.inf, "c": "nan", "d": 0.001, "e": 0.0001,
                            "f": -0.5, "g": 200000.0, "h": 1.5},
    "timestamps.yaml": {"exercise": "x", "due": "2024-01-01", "at": "2024-01-01 12:30:00"},
}

ANSWERS = """\
exercise: sigmoid-neuron   # line 1
student: alice
answers:
  f6: 0.370
  df8/df7: -0.53
  df8/df5: "-0.53 * 0.37"
  tiny: 1e-3
  df/dW: [[0.088, 0.176],
          [0.104, 0.208]]
  x:
    - -2
    - on
  note: |
    carried
  empty:
"""


@pytest.fixture(params=["libyaml", "pure-python"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with libyaml's parser and again with PyYAML's pure-Python one."""
    if request.param == "libyaml":
        if not hasattr(yaml, "CSafeLoader"):
            pytest.skip("libyaml is not available")
        monkeypatch.setattr(yamlio, "_PARSER_LOADER", yaml.CSafeLoader)
    else:
        monkeypatch.setattr(yamlio, "_PARSER_LOADER", yaml.SafeLoader)
    return request.param


def _plain(value: object) -> bool:
    """Only plain data: dicts with str keys, lists, str, int, float, bool, None."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (str, int, float, bool))


def _same(got: object, want: object) -> bool:
    """Equality where a float NaN equals the string "nan" in the expectations."""
    if want == "nan":
        return isinstance(got, float) and math.isnan(got)
    if isinstance(want, dict):
        return (isinstance(got, dict) and list(got) == list(want)
                and all(_same(got[k], want[k]) for k in want))
    return type(got) is type(want) and got == want


def _assert_one_line(err: GradtutorError, name: str) -> str:
    text = str(err)
    assert "\n" not in text and "Traceback" not in text
    assert text.startswith(f"{name}:")
    return text


# --- the hostile corpus -------------------------------------------------------------------


def test_corpus_is_large_and_every_file_has_an_expectation() -> None:
    names = {p.name for p in HOSTILE.iterdir()}
    assert len(names) >= 20
    assert names == set(REFUSED) | set(LOADED)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_hostile_file_is_refused_with_file_and_line(name: str, parser: str) -> None:
    fragment, line = REFUSED[name]
    start = time.perf_counter()
    with pytest.raises(AnswersError) as info:
        read_yaml_file(HOSTILE / name, error=AnswersError, display=name)
    assert time.perf_counter() - start < HANG_SECONDS
    err = info.value
    text = _assert_one_line(err, name)
    assert fragment in text
    assert text.startswith(f"{name}:{line}: ")
    assert (err.file, err.line) == (name, line)


@pytest.mark.parametrize("name", sorted(LOADED))
def test_benign_corpus_file_loads_as_plain_data(name: str, parser: str) -> None:
    start = time.perf_counter()
    loaded = read_yaml_file(HOSTILE / name)
    assert time.perf_counter() - start < HANG_SECONDS
    assert _same(loaded.data, LOADED[name])
    assert _plain(loaded.data)


def test_exploit_tags_never_touch_the_file_system(tmp_path: Path) -> None:
    target = tmp_path / "pwned"
    source = f'x: !!python/object/apply:os.system ["touch {target}"]\n'
    with pytest.raises(GradtutorError):
        load_yaml(source, file="evil.yaml")
    assert not target.exists()


def test_the_module_never_calls_an_unsafe_loader() -> None:
    code = Path(yamlio.__file__).read_text(encoding="utf-8")
    for unsafe in ("unsafe_load", "full_load", "yaml.load(", "FullLoader", "UnsafeLoader",
                   "Loader=yaml.Loader", "construct_"):
        assert unsafe not in code


def test_crlf_lines_are_counted_once() -> None:
    loaded = read_yaml_file(HOSTILE / "crlf.yaml")
    assert loaded.line("answers", "f2") == 4


# --- sizes and limits ---------------------------------------------------------------------


def test_bytes_over_the_size_limit_are_refused() -> None:
    source = b"#" * limits.MAX_FILE_BYTES + b"\n"
    with pytest.raises(AnswersError) as info:
        load_yaml(source, file="big.yaml", error=AnswersError)
    assert "too large" in str(info.value) and f"{limits.MAX_FILE_BYTES:,}" in str(info.value)


def test_bytes_at_the_size_limit_are_read() -> None:
    source = b"a: 1\n" + b"#" * (limits.MAX_FILE_BYTES - 5)
    assert load_yaml(source, file="edge.yaml").data == {"a": 1}


def test_a_file_just_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: 1\n" + b"#" * limits.MAX_FILE_BYTES)
    with pytest.raises(ExerciseError) as info:
        read_yaml_file(path, error=ExerciseError, display="big.yaml")
    assert str(info.value).startswith("big.yaml: file is too large")
    assert f"the limit is {limits.MAX_FILE_BYTES:,} bytes" in str(info.value)


def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "sparse.yaml"
    with open(path, "wb") as handle:
        handle.truncate(20 * 1024**3)  # sparse: 20 GB that reading would take a while

    def never_opened(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was opened")

    monkeypatch.setattr(yamlio, "open", never_opened, raising=False)
    with pytest.raises(GradtutorError, match="too large: 21,474,836,480 bytes"):
        read_yaml_file(path)


def test_too_many_values_are_refused() -> None:
    source = "[" + "0," * limits.MAX_YAML_NODES + "0]"
    with pytest.raises(AnswersError, match=f"more than {limits.MAX_YAML_NODES:,} values"):
        load_yaml(source, file="many.yaml", error=AnswersError)


def test_nodes_up_to_the_limit_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_YAML_NODES", 11)
    assert load_yaml("[" + "0," * 9 + "0]", file="ok.yaml").data == [0] * 10
    with pytest.raises(GradtutorError, match="more than 11 values"):
        load_yaml("[" + "0," * 10 + "0]", file="many.yaml")


def test_depth_up_to_the_limit_is_read() -> None:
    depth = limits.MAX_YAML_DEPTH
    loaded = load_yaml("[" * depth + "]" * depth, file="deep.yaml")
    assert loaded.line(*[0] * (depth - 1)) == 1
    with pytest.raises(GradtutorError, match=DEPTH):
        load_yaml("[" * (depth + 1) + "]" * (depth + 1), file="deep.yaml")


def test_a_recursion_error_becomes_the_depth_message(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(self: object, event: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(yamlio._Builder, "feed", explode)
    with pytest.raises(AnswersError, match=DEPTH) as info:
        load_yaml("a: 1", file="deep.yaml", error=AnswersError)
    assert info.value.file == "deep.yaml"


# --- reading files ------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AnswersError) as info:
        read_yaml_file(tmp_path / "nope.yaml", error=AnswersError, display="nope.yaml")
    assert str(info.value) == "nope.yaml: cannot read the file: no such file"


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(AnswersError, match="it is a directory"):
        read_yaml_file(tmp_path, error=AnswersError)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_permission_denied(tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text("a: 1\n")
    path.chmod(0)
    with pytest.raises(AnswersError, match="permission denied"):
        read_yaml_file(path, error=AnswersError)


def test_invalid_file_name() -> None:
    with pytest.raises(AnswersError, match="invalid file name"):
        read_yaml_file("bad\0name.yaml", error=AnswersError)


def test_display_defaults_to_the_path_as_given(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text("a: 1\na: 2\n")
    with pytest.raises(GradtutorError) as info:
        read_yaml_file(path)
    assert str(info.value) == f"{path}:2: duplicate key 'a' (first at line 1)"


# --- documents, keys, scalars -------------------------------------------------------------


@pytest.mark.parametrize("source", ["", "# only a comment\n", "\n\n", "---\n", "---\n...\n"])
def test_empty_documents_are_none(source: str) -> None:
    assert load_yaml(source, file="empty.yaml").data is None


def test_an_explicit_document_end_is_one_document() -> None:
    assert load_yaml("---\na: 1\n...\n", file="one.yaml").data == {"a": 1}


def test_keys_are_the_text_as_written() -> None:
    data = load_yaml("{on: 1, 'no': 2, null: 3, 1: 4, 0.50: 5, ~: 6, '': 7}", file="k").data
    assert list(data) == ["on", "no", "null", "1", "0.50", "~", ""]


def test_plain_and_quoted_scalars() -> None:
    source = "a: on\nb: 'on'\nc: ~\nd: '12'\ne: -0\nf: 0.730\ng: 1_000\nh: 2024-01-01\ni: =\n"
    data = load_yaml(source, file="s.yaml").data
    assert data == {"a": True, "b": "on", "c": None, "d": "12", "e": 0, "f": 0.73, "g": 1000,
                    "h": "2024-01-01", "i": "="}


def test_a_quoted_merge_key_is_an_ordinary_key() -> None:
    assert load_yaml('"<<": 1', file="m.yaml").data == {"<<": 1}


def test_an_integer_beyond_pythons_conversion_limit_stays_text() -> None:
    digits = "7" * 5000
    loaded = load_yaml(f"a: {digits}\nb: -{digits[:400]}\n", file="int.yaml")
    assert loaded.data["a"] == digits
    assert loaded.data["b"] == -int(digits[:400])


def test_the_error_class_is_the_callers() -> None:
    for error in (GradtutorError, AnswersError, ExerciseError):
        with pytest.raises(error) as info:
            load_yaml("a: *b", file="x.yaml", error=error)
        assert type(info.value) is error


def test_an_alias_inside_a_collection_names_its_place() -> None:
    with pytest.raises(GradtutorError) as info:
        load_yaml("answers:\n  f1: [1, *x]\n", file="a.yaml")
    assert (info.value.line, info.value.column, info.value.field) == (2, 11, "answers.f1[1]")


def test_syntax_errors_carry_line_and_column() -> None:
    with pytest.raises(GradtutorError) as info:
        load_yaml("a: 1\nb: c: d\n", file="s.yaml")
    err = info.value
    assert (err.line, err.column) == (2, 5)
    assert str(err).startswith("s.yaml:2: YAML syntax error: ")
    assert str(err).endswith("(column 5)")


def test_a_str_source_is_checked_like_bytes() -> None:
    with pytest.raises(GradtutorError, match="NUL byte at character offset 3"):
        load_yaml("a: \0", file="s.yaml")
    with pytest.raises(GradtutorError, match="character U\\+DC80"):
        load_yaml("a: \udc80", file="s.yaml")
    assert load_yaml("\ufeffa: é", file="s.yaml").data == {"a": "é"}


# --- positions ----------------------------------------------------------------------------


def test_lines_of_values_keys_and_list_items() -> None:
    loaded = load_yaml(ANSWERS, file="alice.yaml")
    assert loaded.file == "alice.yaml"
    assert loaded.lines[()] == 1
    assert loaded.lines[("answers",)] == 4  # a block mapping starts at its first key
    assert loaded.key_lines[("answers",)] == 3
    assert loaded.lines[("answers", "df8/df5")] == 6
    assert loaded.lines[("answers", "df/dW", 1)] == 9
    assert loaded.lines[("answers", "df/dW", 1, 0)] == 9
    assert loaded.key_lines[("answers", "x")] == 10
    assert loaded.lines[("answers", "x")] == 11
    assert loaded.lines[("answers", "x", 1)] == 12
    assert loaded.lines[("answers", "note")] == 13
    assert loaded.lines[("answers", "empty")] == 15
    assert ("answers", "x", 0) not in loaded.key_lines


def test_texts_are_the_scalars_as_written() -> None:
    loaded = load_yaml(ANSWERS, file="alice.yaml")
    assert loaded.texts[("answers", "f6")] == "0.370"
    assert loaded.texts[("answers", "tiny")] == "1e-3"
    assert loaded.texts[("answers", "x", 0)] == "-2"
    assert loaded.texts[("answers", "x", 1)] == "on"
    assert loaded.texts[("answers", "df8/df5")] == "-0.53 * 0.37"
    assert loaded.texts[("answers", "df/dW", 0, 1)] == "0.176"
    assert loaded.texts[("answers", "empty")] == ""
    assert ("answers",) not in loaded.texts
    data = loaded.data["answers"]
    assert data["f6"] == 0.37 and data["tiny"] == 0.001 and data["x"] == [-2, True]
    assert data["note"] == "carried\n" and data["empty"] is None


def test_line_falls_back_to_the_nearest_ancestor() -> None:
    loaded = load_yaml(ANSWERS, file="alice.yaml")
    assert loaded.line("answers", "df/dW", 1, 1) == 9
    assert loaded.line("answers", "missing") == 4
    assert loaded.line("answers", "x", 7, 3) == 11
    assert loaded.line("nope") == 1
    assert loaded.line() == 1
    assert Loaded(None).line("a") is None


def test_duplicate_key_error_locates_both_lines() -> None:
    with pytest.raises(AnswersError) as info:
        load_yaml(ANSWERS + "  f6: 0.4\n", file="alice.yaml", error=AnswersError)
    err = info.value
    assert (err.line, err.column, err.field) == (16, 3, "answers")
    assert str(err) == "alice.yaml:16: answers: duplicate key 'f6' (first at line 4)"


# --- fuzzing ------------------------------------------------------------------------------

YAMLISH = st.text(alphabet="[]{}:,-?&*!|>'\"#%@`<= \n\t\\.~01aenoxyz_+Ee", max_size=120)
FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _load_or_refuse(source: str | bytes) -> None:
    try:
        loaded = load_yaml(source, file="fuzz.yaml", error=AnswersError)
    except AnswersError as err:
        _assert_one_line(err, "fuzz.yaml")
        return
    assert isinstance(loaded, Loaded) and _plain(loaded.data)


@FUZZ
@given(st.text())
def test_fuzz_any_text(source: str) -> None:
    _load_or_refuse(source)


@FUZZ
@given(st.binary())
def test_fuzz_any_bytes(source: bytes) -> None:
    _load_or_refuse(source)


@FUZZ
@given(YAMLISH)
def test_fuzz_yaml_punctuation(source: str) -> None:
    _load_or_refuse(source)


@FUZZ
@given(YAMLISH)
def test_fuzz_yaml_punctuation_pure_python(source: str) -> None:
    saved = yamlio._PARSER_LOADER
    yamlio._PARSER_LOADER = yaml.SafeLoader
    try:
        _load_or_refuse(source)
    finally:
        yamlio._PARSER_LOADER = saved


# Floats that SafeLoader leaves as text and gradtutor reads as numbers (YAML 1.2 style).
EXTENSION = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+|[-+]\.[0-9]+")
WORDS = st.sampled_from(["yes", "No", "TRUE", "off", "On", "null", "~", "NULL", ".inf", "-.Inf",
                         ".NaN", "0b101", "0x_1F", "0o17", "017", "08", "1:30", "1:30.5",
                         "2024-01-01", "1e-3", "1E+3", "-.5", "+.5", "1.", "1_000.5", "=", "<<"])
NUMBERISH = st.text(alphabet="0123456789+-._:eExXbB", min_size=1, max_size=10)


# What a person writes as a whole number; SafeLoader's other ints (0b, 0x, sexagesimal) and
# its sexagesimal floats stay text in gradtutor, and a leading zero is no octal.
PERSONS_INT = re.compile(r"[-+]?[0-9][0-9_]*")


def _safe_loader_view(value: object, word: str) -> object:
    """What gradtutor promises for a plain scalar that yaml.safe_load read as `value`."""
    if isinstance(value, (date, datetime)):
        return word
    if PERSONS_INT.fullmatch(word):  # "08" too, which SafeLoader leaves as text
        return int(word.replace("_", ""))
    if isinstance(value, int) and not isinstance(value, bool):
        return word
    if isinstance(value, float) and ":" in word:
        return word
    if isinstance(value, str) and EXTENSION.fullmatch(word):
        return float(word)
    return value


@settings(max_examples=500, deadline=None)
@given(WORDS | NUMBERISH)
def test_plain_scalars_resolve_like_safe_loader(word: str) -> None:
    document = f"- {word}\n"
    try:
        expected = yaml.safe_load(document)
    except yaml.constructor.ConstructorError:  # "=" and "<<" have no SafeLoader constructor
        assert load_yaml(document, file="w.yaml").data == [word]
        return
    except yaml.YAMLError:
        with pytest.raises(GradtutorError):
            load_yaml(document, file="w.yaml")
        return
    except ValueError:  # SafeLoader itself crashes on "0b_" and "0x_"
        assert load_yaml(document, file="w.yaml").data == [word]
        return
    assume(isinstance(expected, list) and len(expected) == 1)
    assume(not isinstance(expected[0], (dict, list)))
    want = _safe_loader_view(expected[0], word)
    got = load_yaml(document, file="w.yaml").data[0]
    if isinstance(want, float) and math.isnan(want):
        assert isinstance(got, float) and math.isnan(got)
    else:
        assert type(got) is type(want) and got == want


PLAIN = st.recursive(
    st.none() | st.booleans() | st.integers(-10**30, 10**30)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


class _NoAliasDumper(yaml.SafeDumper):
    def ignore_aliases(self, data: object) -> bool:
        return True


def _without_extension_strings(value: object) -> bool:
    if isinstance(value, dict):
        return all(_without_extension_strings(v) for v in value.values())
    if isinstance(value, list):
        return all(_without_extension_strings(v) for v in value)
    return not (isinstance(value, str) and EXTENSION.fullmatch(value))


@settings(max_examples=200, deadline=None)
@given(PLAIN)
def test_dumped_data_loads_as_safe_loader_loads_it(value: object) -> None:
    assume(_without_extension_strings(value))
    source = yaml.dump(value, Dumper=_NoAliasDumper, allow_unicode=True)
    # Not always `value`: PyYAML's dumper folds a lone U+0085 in a quoted key to a space.
    assert load_yaml(source, file="dump.yaml").data == yaml.safe_load(source)
