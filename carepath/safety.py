"""Crisis screen: runs on every message before any FAQ matching.

A deliberately broad, rule-based screen for suicide, self-harm and danger
language.  It complements the trained ``crisis`` intent: the rules catch the
explicit phrasings with certainty, the classifier catches paraphrases.
Ordinary venting ("this job is killing me lol") is left to the stress answer.
"""
from __future__ import annotations

import re
from typing import Optional

_SELF = r"(?:my\s?self|me\s?self)"
_OTHER = r"(?:him\s?self|her\s?self|them\s?selves|them\s?self|themselves)"
_PATTERNS = [
    r"\bsuicid\w*",
    rf"\bkill(?:ing|ed)?\s+{_SELF}\b",
    rf"\bkms\b",
    rf"\b(?:hurt(?:ing)?|harm(?:ing)?|cut(?:ting)?|injur(?:e|ing)|burn(?:ing)?)\s+{_SELF}\b",
    r"\bself[\s-]?harm\w*",
    r"\bend(?:ing)?\s+(?:it\s+all|my\s+(?:own\s+)?life|things\s+for\s+good)\b",
    r"\btak(?:e|ing)\s+my\s+(?:own\s+)?life\b",
    r"\b(?:want|wanna|going|gonna|plan(?:ning)?|ready|deserve)\s+(?:to\s+)?die\b",
    r"\bwish\s+i\s+(?:was|were)\s+dead\b",
    r"\bbetter\s+off\s+(?:dead|without\s+me)\b",
    r"\bno\s+(?:reason|point)\s+(?:to|in)\s+(?:live|living|going\s+on)\b",
    r"\b(?:don'?t|do\s+not)\s+want\s+to\s+(?:live|be\s+alive|wake\s+up|exist|be\s+here\s+anymore)\b",
    r"\boverdos(?:e|ing)\s+on\s+purpose\b",
    r"\b(?:going|gonna|want|wanna|plan(?:ning)?)\s+to\s+overdose\b",
    r"\b(?:take|took|taking|swallow(?:ed)?)\s+(?:all|a\s+bunch\s+of|a\s+whole\s+bottle\s+of)\s+(?:my\s+|the\s+)?pills\b",
    rf"\b(?:wants?|going|gonna|plan(?:s|ning)?|tried|trying)\s+to\s+(?:kill|hurt|harm)\s+{_OTHER}\b",
    r"\bend\s+(?:his|her|their)\s+(?:own\s+)?life\b",
    r"\b(?:i'?m|i\s+am|i\s+feel|we'?re)\s+(?:in\s+danger|not\s+safe)\b",
    r"\b(?:threaten(?:s|ed|ing)?|going|gonna)\s+to\s+(?:kill|hurt|beat|shoot|stab)\s+(?:me|us)\b",
    r"\b(?:is|keeps|kept|has\s+been|was)\s+(?:hitting|beating|choking|abusing|hurting)\s+me\b",
    r"\b(?:being|getting)\s+(?:abused|beaten|hit)\b",
    r"\bdomestic\s+(?:violence|abuse)\b",
]
_CRISIS = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE)


def crisis_signal(text: Optional[str]) -> Optional[str]:
    """The phrase that signals a crisis, or ``None``."""
    if not text:
        return None
    match = _CRISIS.search(text.replace("’", "'"))
    return match.group(0) if match else None
