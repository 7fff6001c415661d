"""Routing rules: which team owns a new conversation, who in it, with what
priority and tags, who hears about it. Pure evaluation (``decide``) plus
loaders that take a Connection; writes live in ``hubbub.actions.routing``."""

from hubbub.inbox.routing.evaluate import (
    Directory,
    RoutingDecision,
    RoutingInput,
    Rule,
    compile_rule,
    decide,
)
from hubbub.inbox.routing.model import RuleError, RuleSpec, parse_spec
from hubbub.inbox.routing.store import load_directory, load_rules, pick_assignee, routing_inputs

__all__ = [
    "Directory",
    "RoutingDecision",
    "RoutingInput",
    "Rule",
    "RuleError",
    "RuleSpec",
    "compile_rule",
    "decide",
    "load_directory",
    "load_rules",
    "parse_spec",
    "pick_assignee",
    "routing_inputs",
]
