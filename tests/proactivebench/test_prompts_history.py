"""The reference's prompts, and the history compaction after each turn, on real traces."""

import hashlib
import json

from harness.task import DocState, RunSettings
from tasks.proactivebench import prompts
from tasks.proactivebench.task import ProactiveBench

from .conftest import FIXTURES, drive

STEP_INSTRUCTIONS = "Now analyze the history events and provide a task if you think the user needs your help."
JUDGE_INSTRUCTION = "Now give your judgement. You should complete the reasoning process in first person."


def reference_step(obs):
    """Upstream builds the event message by text substitution into a JSON string."""
    template = json.dumps({"Instructions": STEP_INSTRUCTIONS, "Observation": "[placeholder]"})
    return template.replace("[placeholder]", json.dumps({"Time": obs["time"], "Event": obs["event"]}))


def reference_judge_user(obs, pred):
    return json.dumps({"Observations (Time Ascending)": obs, "Proposed Task": pred,
                       "Instruction": JUDGE_INSTRUCTION}, sort_keys=False, ensure_ascii=False, indent=4)


def test_system_prompts_are_the_reference_text():
    # sha256 of upstream's SYSTEM strings (eval/script.py, eval/reward_model_template.py @ 50940be)
    assert hashlib.sha256(prompts.agent_system().encode()).hexdigest() == \
        "abe8fc9540cbee6d305d0d81afbd2ff2e0711920091e3aa037d7816df47534e9"
    judge_system = prompts.judge_messages([], None)[0]["content"]
    assert hashlib.sha256(judge_system.encode()).hexdigest() == \
        "17c8f9a4507a6c7356c2c7e7ee986568605d4bcf79092ba4200da6ab2ac9e570"


def _check_trace_prompts(docs):
    checked = 0
    for doc in docs:
        obs = doc.data["observations"]
        for i, o in enumerate(obs):
            assert prompts.agent_step(o) == reference_step(o)
            for pred in (None, "Suggest résumé wording", {"odd": ["object"]}):
                msgs = prompts.judge_messages(obs[: i + 1], pred)
                assert msgs[1]["content"] == reference_judge_user(obs[: i + 1], pred)
            checked += 1
    return checked


def test_prompts_match_reference_on_fixture_traces():
    assert _check_trace_prompts(ProactiveBench().load_docs(FIXTURES)) == 15 + 20


def test_prompts_match_reference_on_all_traces(real_data):
    assert _check_trace_prompts(ProactiveBench().load_docs(real_data)) == 233


def test_history_is_compacted_after_each_turn():
    """Drive a real trace with replies of every kind and read the conversation the agent gets."""
    task = ProactiveBench()
    doc = task.load_docs(FIXTURES)[0]
    obs = doc.data["observations"]

    def agent(req):
        k = int(req.tag.split("-")[1].split(".")[0])
        if k == 2:
            return "I cannot answer in JSON."  # every attempt unparsable
        if k == 1:
            return '```json\n{"Purpose": "p1", "Thoughts": "t1", "Proactive Task": "null", "Response": "null"}\n```'
        if k == 3:
            return '{"Purpose": "p3", "Response": "Shall I help?"}'  # no "Proactive Task" key
        return json.dumps({"Purpose": f"p{k}", "Thoughts": "t", "Proactive Task": f"task {k}", "Response": "r"})

    state, _ = drive(task, doc, agent, judge=lambda r: '{"thought": "t", "judgement": "accepted"}')
    msgs = state.requests["event-004"].messages
    roles = [m["role"] for m in msgs]
    # event 2 failed every attempt: its full message stays and no assistant turn follows it
    assert roles == ["system", "user", "assistant", "user", "assistant", "user", "user", "assistant", "user"]
    assert msgs[0]["content"] == prompts.agent_system()
    compact = lambda o: json.dumps({"Time": o["time"], "Event": o["event"]})  # noqa: E731
    assert msgs[1]["content"] == compact(obs[0])
    assert msgs[2]["content"] == json.dumps({"Purpose": "p0", "Thoughts": "t", "Proactive Task": "task 0", "Response": "r"})
    assert msgs[4]["content"] == '{"Purpose": "p1", "Thoughts": "t1", "Proactive Task": null, "Response": null}'
    assert msgs[5]["content"] == reference_step(obs[2])
    assert msgs[6]["content"] == compact(obs[3])
    assert msgs[7]["content"] == '{"Purpose": "p3", "Response": "Shall I help?", "Proactive Task": null}'
    assert msgs[8]["content"] == reference_step(obs[4])
    # the agent was asked 5 times about event 2, with the same conversation each time
    retries = [t for t in state.requests if t.startswith("event-002")]
    assert len(retries) == 5
    assert len({json.dumps(state.requests[t].messages) for t in retries}) == 1
    assert len({state.requests[t].sampling.seed for t in retries}) == 5  # each its own generation
    # the judge of event k sees observations 0..k and the proposal, null for silence
    judge_user = json.loads(state.requests["judge-001"].messages[1]["content"])
    assert judge_user["Observations (Time Ascending)"] == obs[:2] and judge_user["Proposed Task"] is None
    assert json.loads(state.requests["judge-004"].messages[1]["content"])["Proposed Task"] == "task 4"
    # last event's conversation: 1 system + 2 per parsed turn + 1 for the unparsable turn + the new event
    last = state.requests[f"event-{len(obs) - 1:03d}"].messages
    assert len(last) == 1 + 2 * (len(obs) - 2) + 1 + 1


def test_first_request_of_a_trace():
    task = ProactiveBench()
    doc = task.load_docs(FIXTURES)[0]
    reqs = task.next_requests(doc, DocState(), task.sampling(RunSettings()))
    assert [r.tag for r in reqs] == ["event-000"]
    assert reqs[0].role == "model" and reqs[0].sampling.temperature == 0.5
    assert [m["role"] for m in reqs[0].messages] == ["system", "user"]
