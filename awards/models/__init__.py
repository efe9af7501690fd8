from awards.models.awards import Award
from awards.models.decisions import Decision, FundingShare
from awards.models.letters import Letter, LetterBatch, LetterSettings, LetterTemplate

__all__ = [
    "Award",
    "Decision",
    "FundingShare",
    "Letter",
    "LetterBatch",
    "LetterSettings",
    "LetterTemplate",
]
