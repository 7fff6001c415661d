"""Realistic synthetic posts: a few planted themes written many ways, plus
everyday noise, from many accounts. Seeded, so every run is the same."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from hubbub.post import Post

# Each theme post is an opener, one of the theme's key phrases, a cause and a
# detail, drawn independently: hundreds of wordings, like real people.
OPENERS = [
    "honestly",
    "ugh",
    "so",
    "update:",
    "PSA:",
    "not gonna lie,",
    "quick question,",
    "well,",
    "day three and",
    "again",
    "wow",
    "",
]
THEMES: dict[str, dict[str, list[str]]] = {
    "battery": {
        "key": [
            "battery drain",
            "the battery drain",
            "massive battery drain",
            "battery drain issue",
            "terrible battery drain",
            "battery drain problem",
        ],
        "cause": [
            "after the update",
            "since the update",
            "after updating the phone",
            "with the latest update",
            "since the firmware update",
            "after last night's update",
        ],
        "detail": [
            "my phone dies before lunch",
            "went from full to 20% in two hours",
            "the phone gets hot in my pocket",
            "I charge it three times a day now",
            "even in airplane mode it drains",
            "support told me to reset everything",
            "the screen settings make no difference",
            "my old phone lasted longer",
        ],
    },
    "shipping": {
        "key": [
            "shipping delay",
            "another shipping delay",
            "the shipping delay",
            "a shipping delay",
            "endless shipping delay",
            "shipping delay notice",
        ],
        "cause": [
            "on my package",
            "for my order",
            "on the order I placed",
            "for the express parcel",
            "on a birthday present",
            "for the replacement part",
        ],
        "detail": [
            "ordered it two weeks ago",
            "the courier keeps rescheduling",
            "customer service just copies the tracking page",
            "I need it by Friday",
            "the warehouse says it left already",
            "I want my express fee back",
            "tracking has not moved since Monday",
            "nobody answers the chat",
        ],
    },
    "espresso": {
        "key": [
            "espresso machine",
            "the espresso machine",
            "our espresso machine",
            "this espresso machine",
            "the new espresso machine",
            "my espresso machine",
        ],
        "cause": [
            "makes perfect crema",
            "pulls amazing shots",
            "steams milk beautifully",
            "beats any cafe",
            "was worth every penny",
            "made my mornings better",
        ],
        "detail": [
            "took a while to learn the tamping",
            "beans from the local roaster work best",
            "descaling is easy",
            "the grinder settings matter a lot",
            "my flat white is silky",
            "guests keep asking for lattes",
            "it heats up in a minute",
            "cleaning takes seconds",
        ],
    },
}

NOISE = [
    "what a sunny afternoon at the park with the kids",
    "the football match last night was wild",
    "reading a great novel about sailing",
    "cooked a lasagna for the neighbours",
    "traffic on the ring road is terrible today",
    "my cat knocked the plant off the shelf again",
    "the museum has a new exhibition on maps",
    "planning a hiking trip in the mountains",
    "the concert tickets sold out in minutes",
    "learning to play the guitar is harder than it looks",
    "rain all weekend, perfect for board games",
    "the bakery on the corner closed down",
]


def theme_text(rng: random.Random, theme: str) -> str:
    parts = THEMES[theme]
    opener = rng.choice(OPENERS)
    key, cause, detail = (rng.choice(parts[k]) for k in ("key", "cause", "detail"))
    text = f"{key} {cause}, {detail}" if rng.random() < 0.6 else f"{detail}. {key} {cause}"
    return f"{opener} {text}".strip().capitalize() + rng.choice([".", "!", " :(", "..."])


def noise_text(rng: random.Random) -> str:
    a, b = rng.sample(NOISE, 2)
    return f"{a.capitalize()}. Also {b}."


def post(n: int, text: str, at: datetime, author: str | None = None, **kw: object) -> Post:
    return Post(
        platform=str(kw.pop("platform", "mastodon")),
        external_id=f"s{n}",
        text=text,
        author_handle=author or f"user{n}",
        created_at=at,
        url=f"https://social.example/@user{n}/{n}",
        **kw,  # type: ignore[arg-type]
    )


def themed_posts(
    counts: dict[str, int],
    noise: int,
    start: datetime,
    span: timedelta,
    *,
    seed: int = 7,
    first_id: int = 0,
) -> list[Post]:
    """``counts[theme]`` posts per theme and ``noise`` others, spread evenly over the span."""
    rng = random.Random(seed)
    texts = [theme_text(rng, t) for t, n in counts.items() for _ in range(n)]
    texts += [noise_text(rng) for _ in range(noise)]
    rng.shuffle(texts)
    step = span / max(len(texts), 1)
    return [
        post(first_id + i, text, start + step * i, author=f"user{rng.randrange(10_000)}")
        for i, text in enumerate(texts)
    ]
