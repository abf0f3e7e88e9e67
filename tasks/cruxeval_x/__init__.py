"""CRUXEval-X (Xu et al. 2024): input and output prediction in 19 languages, judged by running
the test program built from the answer in a sandbox. See README.md."""

from harness.registry import register, register_cli, register_group
from tasks.cruxeval_x.languages import LANGUAGE_CODES

MODES = ("input", "output")


def _factory(lang: str, mode: str):
    def make():
        from tasks.cruxeval_x.task import CruxEvalXTask

        return CruxEvalXTask(lang, mode)

    return make


for _mode in MODES:
    for _lang in LANGUAGE_CODES:
        register(f"cruxeval-x-{_mode}-{_lang}", _factory(_lang, _mode))
    register_group(f"cruxeval-x-{_mode}", lambda m=_mode: [f"cruxeval-x-{m}-{lang}" for lang in LANGUAGE_CODES])
register_group("cruxeval-x", lambda: [f"cruxeval-x-{m}-{lang}" for m in MODES for lang in LANGUAGE_CODES])


def _add_commands(subparsers) -> None:
    from tasks.cruxeval_x.check import register_cli as add  # `harness sandbox check`

    add(subparsers)


register_cli(_add_commands)
