"""The shipped teams and routing rules (``builtin``), created by
``actions.routing.ensure_default_routing``.

Each rule routes on the post's intents and, while a post has none (the intents
model off or not yet run), on keywords: ``{"all": [intents_absent, keywords]}``.
Order matters because the first rule that sets a team owns the conversation:

1. negative posts by high-reach authors go to PR first, with high priority, and
   evaluation goes on (tags and notifications of later rules still apply);
2. spam is closed and evaluation stops;
3. purchase intent goes to sales before customer service, so a question that
   is also a lead ("how much is the team plan?") reaches sales;
4. complaints, questions and bug reports go to customer service;
5. bug reports are also tagged ``bug`` and product is notified: customer
   service owns the answer, product hears about the bug;
6. feature requests go to product;
7. recruiting and employer talk goes to HR.
"""

from __future__ import annotations

from typing import Any

DEFAULT_TEAMS: tuple[tuple[str, str], ...] = (
    ("customer-service", "Customer service"),
    ("sales", "Sales"),
    ("product", "Product"),
    ("pr", "PR & communications"),
    ("hr", "HR & recruiting"),
)

HIGH_REACH_FOLLOWERS = 10_000

SPAM_WORDS = [
    "free followers",
    "follow for follow",
    "airdrop",
    "crypto giveaway",
    "guaranteed returns",
    "forex signals",
    "make money fast",
    "link in bio",
    "onlyfans",
]
PURCHASE_WORDS = [
    "pricing",
    "demo",
    "quote",
    "how much",
    "free trial",
    "enterprise plan",
    "contact sales",
    "sales team",
    "want to buy",
    "purchase",
    "discount",
    "volume license",
]
BUG_WORDS = [
    "bug",
    "crash",
    "crashes",
    "crashed",
    "error",
    "not working",
    "doesn't work",
    "stopped working",
    "glitch",
    "freezes",
]
SUPPORT_WORDS = [
    "refund",
    "broken",
    "worst",
    "cancel",
    "terrible",
    "awful",
    "disappointed",
    "unacceptable",
    "still waiting",
    "charged twice",
    "customer service",
    "support",
    "help",
    "how do i",
    "anyone know",
    *BUG_WORDS,
]
FEATURE_WORDS = [
    "feature request",
    "please add",
    "would be great if",
    "would love to see",
    "wish it had",
    "any plans to",
    "roadmap",
    "add support for",
]
HR_WORDS = [
    "hiring",
    "job",
    "jobs",
    "interview",
    "glassdoor",
    "career",
    "careers",
    "recruiter",
    "internship",
    "working at",
    "work at",
    "salary",
    "layoffs",
]


def _intent_or_keywords(labels: list[str], words: list[str]) -> dict[str, Any]:
    return {
        "any": [
            {"type": "intent", "labels": labels},
            {"all": [{"type": "intents_absent"}, {"type": "keywords", "words": words}]},
        ]
    }


def _team(slug: str) -> dict[str, Any]:
    return {"type": "assign_team", "team": slug}


DEFAULT_RULES: tuple[dict[str, Any], ...] = (
    {
        "name": "High-reach negative posts → PR",
        "conditions": {
            "all": [
                {"type": "author_reach", "min_followers": HIGH_REACH_FOLLOWERS},
                {"type": "sentiment", "labels": ["negative"]},
            ]
        },
        "actions": [_team("pr"), {"type": "set_priority", "priority": "high"}],
        "stop": False,
    },
    {
        "name": "Spam → closed",
        "conditions": _intent_or_keywords(["spam"], SPAM_WORDS),
        "actions": [{"type": "close_as_spam"}, {"type": "add_tags", "tags": ["spam"]}],
        "stop": True,
    },
    {
        "name": "Purchase intent → sales",
        "conditions": _intent_or_keywords(["purchase_intent"], PURCHASE_WORDS),
        "actions": [_team("sales"), {"type": "add_tags", "tags": ["lead"]}],
        "stop": False,
    },
    {
        "name": "Complaints, questions and bug reports → customer service",
        "conditions": _intent_or_keywords(["complaint", "question", "bug_report"], SUPPORT_WORDS),
        "actions": [_team("customer-service")],
        "stop": False,
    },
    {
        "name": "Bug reports → tag bug, notify product",
        "conditions": _intent_or_keywords(["bug_report"], BUG_WORDS),
        "actions": [
            {"type": "add_tags", "tags": ["bug"]},
            {"type": "notify", "team": "product"},
        ],
        "stop": False,
    },
    {
        "name": "Feature requests → product",
        "conditions": _intent_or_keywords(["feature_request"], FEATURE_WORDS),
        "actions": [_team("product"), {"type": "add_tags", "tags": ["feature-request"]}],
        "stop": False,
    },
    {
        "name": "Recruiting and employer talk → HR",
        "conditions": _intent_or_keywords(["recruiting"], HR_WORDS),
        "actions": [_team("hr")],
        "stop": False,
    },
)
