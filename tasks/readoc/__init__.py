"""READoc (Li et al. 2024): realistic document structured extraction, PDF -> Markdown, scored
with the S3 suite. `readoc-arxiv`, `readoc-github` and `readoc-zenodo` (group `readoc`) take the
request shape from the backend (a converter gets the PDF, a model page images);
`readoc-*-pages` always send page images."""

from harness.registry import register, register_cli, register_group
from tasks.readoc.task import ReadocTask

for _subset in ("arxiv", "github", "zenodo"):
    register(f"readoc-{_subset}", lambda s=_subset: ReadocTask(s))
    register(f"readoc-{_subset}-pages", lambda s=_subset: ReadocTask(s, mode="pages"))

register_group("readoc", lambda: ["readoc-arxiv", "readoc-github", "readoc-zenodo"])


def _add_commands(subparsers) -> None:
    from tasks.readoc.cli import register_cli as add

    add(subparsers)


register_cli(_add_commands)
