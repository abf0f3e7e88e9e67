"""ProactiveBench (thunlp/ProactiveAgent): the proactive agent task and its judge-agreement task."""

from harness.registry import register
from tasks.proactivebench.judge_task import ProactiveBenchJudge
from tasks.proactivebench.task import ProactiveBench

register("proactivebench", ProactiveBench)
register("proactivebench-judge", ProactiveBenchJudge)
