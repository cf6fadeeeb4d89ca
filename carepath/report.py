"""School report from the tracker store: `make report [SCHOOL=id] [SINCE=...] [UNTIL=...] [CSV=1]`.

    python -m carepath.report [--school ID] [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--csv]

Conversations, messages, answers by topic and role, fallback and out-of-scope
rate, the questions that were not understood (most frequent first, with e-mail
addresses and phone numbers removed), hand-offs, leads (from the leads table)
and crisis responses (counts only: never their texts).  Markdown on stdout, or CSV rows with --csv.
A conversation's school is the ``school_id`` its messages carry in metadata.
"""
from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Dict, List, Optional

from carepath import leads
from carepath.conversations import Turn, engine, turns
from carepath.log_privacy import redact

NOT_UNDERSTOOD = {"fallback"}
HANDOFF_ANSWER = "conversation.handoff"  # the advisor's contact was given (the form's own turns don't count)
ALL = "all schools"


@dataclass
class Report:
    school: str
    conversations: set = field(default_factory=set)
    messages: int = 0
    topics: Counter = field(default_factory=Counter)
    roles: Counter = field(default_factory=Counter)
    unanswered: Counter = field(default_factory=Counter)
    handoffs: int = 0
    crisis: int = 0
    leads: int = 0

    def add(self, turn: Turn) -> None:
        self.conversations.add(turn.sender_id)
        self.messages += 1
        for payload in turn.payloads:
            topic = payload.get("topic")
            self.topics[topic] += 1
            roles = payload.get("role")
            for role in roles if isinstance(roles, list) else [roles]:
                if role:
                    self.roles[role] += 1
            if topic in NOT_UNDERSTOOD and turn.text.strip():
                self.unanswered[redact(turn.text.strip().lower())[:200]] += 1
            self.handoffs += HANDOFF_ANSWER in str(payload.get("answer_id") or "").split("+")
            self.crisis += topic == "crisis"

    @property
    def answers(self) -> int:
        return sum(self.topics.values())

    def rate(self, *topics: str) -> float:
        return sum(self.topics[t] for t in topics) / self.answers if self.answers else 0.0


def build(school: Optional[str], start: datetime, end: datetime, url: Optional[str] = None) -> Report:
    report = Report(school or ALL)
    for turn in turns(engine(url), start.timestamp(), end.timestamp()):
        if school is None or turn.school == school:
            report.add(turn)
    report.leads = leads.count(school, start.replace(tzinfo=None), end.replace(tzinfo=None))
    return report


def markdown(report: Report, start: datetime, end: datetime) -> str:
    lines = [
        f"# CarePath report: {report.school}",
        f"{start:%Y-%m-%d} to {end:%Y-%m-%d} (UTC)",
        "",
        f"- Conversations: {len(report.conversations)}",
        f"- Messages: {report.messages}",
        f"- Not understood (fallback): {report.rate('fallback'):.1%}; out of scope: {report.rate('out_of_scope'):.1%}",
        f"- Hand-offs to an advisor: {report.handoffs}",
        f"- Leads (contact requests with consent): {report.leads}",
        f"- Crisis responses (988 lifeline shown): {report.crisis}",
        "",
        "## Answers by topic",
        "",
        "| topic | answers |",
        "| --- | --- |",
        *[f"| {topic} | {n} |" for topic, n in report.topics.most_common()],
        "",
        "## Answers by role",
        "",
        "| role | answers |",
        "| --- | --- |",
        *[f"| {role} | {n} |" for role, n in report.roles.most_common()],
        "",
        "## Questions not understood (most frequent first)",
        "",
        *([f"- {n} x \"{text}\"" for text, n in report.unanswered.most_common(25)] or ["- none"]),
        "",
    ]
    return "\n".join(lines)


def csv_rows(report: Report) -> List[List[str]]:
    rows = [["school", "metric", "key", "value"]]
    rows += [[report.school, "conversations", "", str(len(report.conversations))]]
    rows += [[report.school, "messages", "", str(report.messages)]]
    rows += [[report.school, "handoffs", "", str(report.handoffs)]]
    rows += [[report.school, "leads", "", str(report.leads)]]
    rows += [[report.school, "crisis_responses", "", str(report.crisis)]]
    rows += [[report.school, "topic", t, str(n)] for t, n in report.topics.most_common()]
    rows += [[report.school, "role", r, str(n)] for r, n in report.roles.most_common()]
    rows += [[report.school, "not_understood", text, str(n)] for text, n in report.unanswered.most_common()]
    return rows


def _date(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=timezone.utc)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="CarePath school report from the tracker store")
    parser.add_argument("--school", help="school id (default: all schools)")
    parser.add_argument("--since", type=_date, help="first day, YYYY-MM-DD (default: 30 days ago)")
    parser.add_argument("--until", type=_date, help="last day, YYYY-MM-DD (default: today)")
    parser.add_argument("--csv", action="store_true", help="CSV rows instead of Markdown")
    parser.add_argument("--db", help="SQLAlchemy URL (default: TRACKER_DB_URL or endpoints.yml)")
    args = parser.parse_args(argv)
    today = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    end = (args.until or today) + timedelta(days=1)
    start = args.since or (end - timedelta(days=31))
    report = build(args.school or None, start, end, args.db)
    if args.csv:
        csv.writer(sys.stdout).writerows(csv_rows(report))
    else:
        print(markdown(report, start, end - timedelta(days=1)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
