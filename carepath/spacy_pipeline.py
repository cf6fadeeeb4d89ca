"""Build the spaCy pipeline that Rasa's ``SpacyNLP`` loads by path.

No pretrained spaCy model can be downloaded here, so the pipeline is built in
code: ``spacy.blank("en")`` plus an ``entity_ruler`` whose ``role`` patterns are
generated from the knowledge base's aliases (and their plurals).  The result is
saved to ``build/spacy/carepath_en``; ``make`` rebuilds it when the knowledge
base changes.

    python -m carepath.spacy_pipeline [OUTPUT_DIR]
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Dict, List

import spacy

from carepath.knowledge_base import KnowledgeBase, knowledge_base_dir, load_knowledge_base

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "build" / "spacy" / "carepath_en"
ENTITY_LABEL = "role"


def role_patterns(kb: KnowledgeBase) -> List[Dict[str, str]]:
    """Phrase patterns for every alias as written and with a plural ``s``."""
    patterns: Dict[str, Dict[str, str]] = {}
    for role in kb.roles.values():
        for alias in [role.name, role.plural, *role.aliases]:
            forms = [alias] if alias.lower().endswith("s") else [alias, alias + "s"]
            for form in forms:
                key = form.lower()
                patterns.setdefault(key, {"label": ENTITY_LABEL, "pattern": key, "id": role.id})
    return sorted(patterns.values(), key=lambda p: p["pattern"])


def build(kb: KnowledgeBase) -> "spacy.language.Language":
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns(role_patterns(kb))
    nlp.meta["name"] = "carepath_en"
    nlp.meta["version"] = "1.0.0"
    nlp.meta["description"] = "Blank English pipeline + role entity_ruler generated from the CarePath knowledge base"
    return nlp


def main(argv: List[str]) -> int:
    output = Path(argv[0]) if argv else DEFAULT_OUTPUT
    kb = load_knowledge_base(knowledge_base_dir())
    nlp = build(kb)
    output.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output)
    print(f"spaCy pipeline with {len(role_patterns(kb))} role patterns saved to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
