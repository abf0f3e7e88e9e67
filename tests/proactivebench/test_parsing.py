"""The agent-reply and judge-verdict readers on real-looking replies."""

import json

import pytest

from tasks.proactivebench.parsing import (
    UnparsableReply,
    parse_agent_reply,
    parse_judge_verdict,
    parse_rm_verdict,
)

FENCED = """Sure! Here is my analysis:
```json
{
    "Purpose": "The user is searching for documentation on pandas merge.",
    "Thoughts": "They switched to the browser right after an error in VS Code.",
    "Proactive Task": "Explain the KeyError raised by pd.merge and suggest the right key.",
    "Response": "I noticed a KeyError; shall I explain how to fix the merge?"
}
```
Let me know if you need anything else."""

BARE_NULL = ('{"Purpose": "Opening the editor.", "Thoughts": "Too early to tell.", '
             '"Proactive Task": null, "Response": null}')


def test_fenced_block_wins_over_surrounding_text():
    r = parse_agent_reply(FENCED)
    assert r["Proactive Task"].startswith("Explain the KeyError")
    assert list(r) == ["Purpose", "Thoughts", "Proactive Task", "Response"]


def test_bare_json_with_null_task_is_no_proposal():
    r = parse_agent_reply(BARE_NULL)
    assert r["Proactive Task"] is None and r["Response"] is None


def test_string_null_means_no_proposal():
    r = parse_agent_reply('{"Purpose": "p", "Proactive Task": "null", "Response": "null"}')
    assert r["Proactive Task"] is None and r["Response"] is None
    # only the exact string: "None" is a (strange) proposal upstream too
    assert parse_agent_reply('{"Proactive Task": "None"}')["Proactive Task"] == "None"


def test_missing_task_is_added_as_null_at_the_end():
    # the history keeps json.dumps of this dict, so the key order matters
    r = parse_agent_reply('{"Purpose": "p", "Thoughts": "t", "Response": "r"}')
    assert list(r) == ["Purpose", "Thoughts", "Response", "Proactive Task"]
    assert json.dumps(r).endswith('"Proactive Task": null}')


@pytest.mark.parametrize("reply", [
    "I think the user is writing a report.",                              # no JSON at all
    '{"Purpose": "p", "Proactive Task": "Summarise the article",}',       # trailing comma
    "{'Purpose': 'p', 'Proactive Task': null}",                           # single quotes
    'Here you go: {"Proactive Task": null}',                              # JSON after prose
    "```json\n{\"Proactive Task\": null}```",                             # fence not closed on its own line
    '["Summarise the article"]',                                          # not an object
    FENCED.replace('"Response"', '"Response:'),                          # broken inside the fence
    "",
])
def test_broken_replies_raise(reply):
    with pytest.raises(UnparsableReply):
        parse_agent_reply(reply)


def test_first_fenced_block_is_used():
    two = "```json\n{\"Proactive Task\": \"first\"}\n```\n```json\n{\"Proactive Task\": \"second\"}\n```"
    assert parse_agent_reply(two)["Proactive Task"] == "first"


def test_judge_verdict_is_lenient_json5():
    assert parse_judge_verdict('{"thought": "I need help with this merge.", "judgement": "accepted"}') is True
    assert parse_judge_verdict("{'thought': 'Not now.', 'judgement': 'rejected',}") is False
    assert parse_judge_verdict('```json\n{"thought": "ok", "judgement": "accepted"}\n```') is True
    # only the exact word counts as acceptance, as upstream compares == "accepted"
    assert parse_judge_verdict('{"thought": "x", "judgement": "Accepted"}') is False


@pytest.mark.parametrize("reply", ["accepted", '{"thought": "no verdict"}', '["accepted"]',
                                   '{"thought": "cut off', ""])
def test_judge_garbage_raises(reply):
    with pytest.raises(UnparsableReply):
        parse_judge_verdict(reply)


def test_reward_benchmark_reading():
    assert parse_rm_verdict('{"thought": "t", "judgement": "accepted"}') is True
    assert parse_rm_verdict('{"thought": "t", "judgement": "rejected"}') is False
    # not JSON: the last "judgement": "..." in the text decides
    text = 'First "judgement": "accepted" then {"thought": "hmm", "judgement": "rejected"} trailing'
    assert parse_rm_verdict(text) is False
    assert parse_rm_verdict('{"judgement": "Accepted"}') is None     # JSON, unknown word: no regex
    assert parse_rm_verdict("{'judgement': 'accepted'}") is None     # strict here, unlike the agent judge
    assert parse_rm_verdict("I accept.") is None
