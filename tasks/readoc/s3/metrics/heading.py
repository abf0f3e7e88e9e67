"""Heading tree edit-distance similarity (the reference's `calc_head_teds`).

Headings become a tree: each heading hangs under the nearest earlier heading of a smaller level
(a virtual root has level 0). Trees are compared with APTED: insert and delete cost 1, renaming
costs the normalized Levenshtein distance of the two titles. Similarity is
1 - distance / max(#gold headings, #predicted headings).
"""

from __future__ import annotations

import re

from apted import APTED, Config
from Levenshtein import distance

_ATX = re.compile(r"^#+\s")


class HeadingNode:
    def __init__(self, title: str, level: int):
        self.title = title
        self.level = level
        self.children: list[HeadingNode] = []


class _TitleConfig(Config):
    def rename(self, node1: HeadingNode, node2: HeadingNode) -> float:
        if node1.title or node2.title:
            return distance(node1.title, node2.title) / max(len(node1.title), len(node2.title))
        return 0.0

    def children(self, node: HeadingNode) -> list[HeadingNode]:
        return node.children


def parse_heading(line: str) -> tuple[int, str]:
    line = line.strip()
    if _ATX.match(line):
        marks, title = line.split(" ", 1)
        return len(marks), title.strip()
    return line.count("#"), line.replace("#", "").strip()


def heading_tree(headings: list[str]) -> HeadingNode:
    root = HeadingNode("Root", 0)
    stack = [root]
    for line in headings:
        level, title = parse_heading(line)
        node = HeadingNode(title, level)
        while len(stack) > 1 and level <= stack[-1].level:
            stack.pop()
        stack[-1].children.append(node)
        stack.append(node)
    return root


def heading_tree_similarity(pred: list[str], gold: list[str]) -> float | None:
    if not gold:
        return None
    dist = APTED(heading_tree(pred), heading_tree(gold), _TitleConfig()).compute_edit_distance()
    return 1.0 - float(dist) / max(len(gold), len(pred))
