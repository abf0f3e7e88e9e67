"""The reference's parse cascade, template matcher, output clean-up and chat mapping."""

import pytest

from tasks.teval.chat import clean_output, to_messages
from tasks.teval.parsing import ParseError, format_load, parse_string


def test_cascade_literal_eval_then_json_then_quote_repair():
    assert format_load("[{'a': 1}]") == [{"a": 1}]                     # python literal
    assert format_load('{"ok": true, "x": null}') == {"ok": True, "x": None}  # json only
    # neither python nor json: single-quoted keys with a json literal -> quote repair
    assert format_load("{'ok': true}") == {"ok": True}


def test_fence_and_bracket_slicing():
    text = 'Here is the plan:\n```json\n[{"id": 0, "name": "A", "args": "{}"}]\n```\nDone.'
    assert format_load(text, "[", "]") == [{"id": 0, "name": "A", "args": "{}"}]
    # prose around the list is cut by slicing from the first [ to the last ]
    assert format_load("plan: [1, 2] ok", "[", "]") == [1, 2]


def test_missing_end_character_leaves_nothing_to_parse():
    with pytest.raises(ParseError):
        format_load("no list here", "[", "]")
    # quirk: with no start character only the last character is kept ("5" parses)
    assert format_load("x = 5", "[", "") == 5


def test_parse_string_template_is_an_unescaped_regex():
    got = parse_string("goal:{thought}\nname:{action}\nargs:{args}", "goal: g\nname: n\nargs: {'a': 1}", allow_newline=True)
    assert got == {"thought": " g", "action": " n", "args": " {'a': 1}"}
    assert parse_string("goal:{thought}\nname:{action}", "nothing") is None
    assert parse_string("goal(:{thought}", "goal(: x") is None  # invalid pattern -> no match


def test_clean_output_like_opencompass():
    assert clean_output("```json\n[1]\n```<|im_end|>junk") == "[1]"
    assert clean_output("{{'a': 1}}") == "{'a': 1}"
    assert clean_output("Answer: A\nuser: next question") == "Answer: A"
    assert clean_output("  plain  ") == "plain"


def test_function_role_mapped_and_same_role_turns_merged():
    chat = [{"role": "system", "content": "S"}, {"role": "user", "content": "U"},
            {"role": "assistant", "content": "A"}, {"role": "function", "content": "F1"},
            {"role": "function", "content": "F2"}, {"role": "user", "content": "U2"}]
    assert to_messages(chat) == [{"role": "system", "content": "S"}, {"role": "user", "content": "U"},
                                 {"role": "assistant", "content": "A"}, {"role": "user", "content": "F1\nF2\nU2"}]
    assert [m["role"] for m in to_messages(chat, function_role="system")] == ["system", "user", "assistant", "system", "user"]
