"""CRUXEval (Gu et al. 2024): Python input and output prediction, judged by running
`assert <output> == <answer>`. See README.md."""

from harness.registry import register, register_group


def _factory(mode: str, cot: bool):
    def make():
        from tasks.cruxeval.task import CruxEvalTask

        return CruxEvalTask(mode, cot=cot)

    return make


for _mode in ("input", "output"):
    register(f"cruxeval-{_mode}", _factory(_mode, False))
    register(f"cruxeval-{_mode}-cot", _factory(_mode, True))
register_group("cruxeval", lambda: ["cruxeval-input", "cruxeval-output"])
