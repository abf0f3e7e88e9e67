"""ProactiveBench (thunlp/ProactiveAgent): the proactive agent task and its judge-agreement task.

The task modules need the `proactivebench` extra (json5): they are imported by the factories, so
without it only these two tasks are unavailable."""

from harness.registry import register


def proactivebench():
    from tasks.proactivebench.task import ProactiveBench

    return ProactiveBench()


def proactivebench_judge():
    from tasks.proactivebench.judge_task import ProactiveBenchJudge

    return ProactiveBenchJudge()


register("proactivebench", proactivebench)
register("proactivebench-judge", proactivebench_judge)
