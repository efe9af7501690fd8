"""Every change to decisions, awards and letters goes through these services."""

from awards.services.awards import respond_to_award
from awards.services.decisions import (
    DecisionInput,
    apply_decisions,
    clear_decision,
    decide_rest,
    fund_down_to_budget,
    fund_top,
    set_decision,
)

__all__ = [
    "DecisionInput",
    "apply_decisions",
    "clear_decision",
    "decide_rest",
    "fund_down_to_budget",
    "fund_top",
    "respond_to_award",
    "set_decision",
]
