"""CarePath shared library: knowledge base, safety screens and payloads.

Used by the action server (``actions/``), by the Rasa NLU components
(``carepath.nlu_components``) and by the build scripts.
"""
