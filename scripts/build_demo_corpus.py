"""Build Hubbub's demo corpus: src/hubbub/demo/corpus.jsonl.

EVERYTHING IN IT IS FICTIONAL: Quillmoor (an e-bike maker), its products
(the Arc commuter bike, the Summit e-MTB, the Quillmoor Ride app), its
competitors Fennick and Brisko, every person, handle, site and URL. Written for
Hubbub's demo; any resemblance to real companies or people is accidental.

Deterministic: the same seed writes the same file.

    python scripts/build_demo_corpus.py
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "hubbub" / "demo" / "corpus.jsonl"
START = datetime(2026, 10, 19, tzinfo=UTC)
DAYS = 28
INCIDENT_DAY = 18  # firmware 4.2 drains batteries: a burst of complaints
LAUNCH_DAY = 9  # the press release, reposted everywhere

PRODUCTS = ["Arc", "Summit", "Arc", "Quillmoor Ride app"]
PARTS = [
    "rear hub motor",
    "display",
    "kickstand",
    "charger",
    "brake lever",
    "battery lock",
    "headlight",
]
CITIES = [
    "Leeds",
    "Lyon",
    "Utrecht",
    "Porto",
    "Denver",
    "Osaka",
    "Graz",
    "Bologna",
    "Austin",
    "Cork",
]
FIRST = "Ana Ben Chloe Dev Emre Fatima Gus Hana Ivo Jun Kai Lena Milo Nia Omar Pia Quinn Rosa Sam Tove Uma Vik Wren Yara Zeb".split()
LAST = "Ahlberg Brandt Costa Dufour Eklund Ferro Garnier Holm Ibarra Jansen Kowal Lindqvist Moreau Novak Oyelaran Petit Quist Rossi Sato Tanaka Ueda Varga Weiss".split()

COMPLAINTS = [
    "Ordered the {p} three weeks ago and it still says 'processing'. @quillmoor where is my bike?",
    "The {part} on my Quillmoor {p} broke after two months. Support just sends me a FAQ link. Not good enough.",
    "Charged twice for my {p} order. Third email to Quillmoor billing, no answer. #quillmoor",
    "Really disappointed with Quillmoor support. The agent hung up on me when I asked about the warranty.",
    "My {p} arrived with a scratched frame and a bent {part}. For this price? Come on @quillmoor",
    "Quillmoor shipping to {city} is a joke. Tracking hasn't moved in 9 days.",
    "Returned my Quillmoor {p} and the refund still hasn't shown up after a month.",
    "The {part} rattles on every bump. Two service visits, still rattles. #QuillmoorArc",
]
QUESTIONS = [
    "Does anyone know if the Quillmoor {p} fits a child seat on the rear rack?",
    "@quillmoor how do I reset the {part} on the Arc? Manual isn't clear.",
    "Is there a Quillmoor service partner in {city}? Need a brake check on my {p}.",
    "Can I take the Quillmoor {p} battery on a train? Anyone tried?",
    "How long does the Quillmoor {p} battery last in winter? Commute is 25 km each way.",
    "Quillmoor Ride app asks for location all the time. Is that needed for the anti-theft feature?",
    "Anyone upgraded the {part} on a Summit? Which one did you pick?",
]
PRAISE = [
    "Six months on my Quillmoor {p} and I haven't taken the car to work once. Best purchase this year. #quillmoor",
    "Shoutout to the Quillmoor support team in {city}: fixed my {part} same day, no charge. 👏",
    "The Quillmoor Summit climbs like a goat. Took it up the old quarry trail today, grinning the whole way.",
    "Love how quiet the Arc is. Neighbours think I'm just very fit now 😄",
    "Quillmoor's new app update is genuinely great, route planning finally works offline. 👍",
    "Honestly the best customer service I've had from a bike company. Thanks @quillmoor!",
    "Picked up my Quillmoor {p} in {city} today. Gorgeous bike, smooth ride, zero regrets.",
]
PURCHASE = [
    "Torn between the Quillmoor Arc and the Fennick City 2. Anyone ridden both? Buying next week.",
    "Thinking of getting a Quillmoor {p} for my commute. Worth the extra over a Brisko?",
    "Ready to order a Summit but want to test ride first. Any Quillmoor dealer near {city}?",
    "Budget is around 2,500. Quillmoor Arc or wait for the Black Friday deals? Need it by December.",
    "My partner wants an e-bike for Christmas. Quillmoor Arc, yes or no?",
]
FEATURES = [
    "@quillmoor please add a dark mode to the Ride app, it's blinding on night rides.",
    "Would love an integrated rear light on the Arc that brakes brighter. Quillmoor, take note!",
    "Feature request for the Quillmoor Ride app: export rides as GPX so I can use them in other tools.",
    "Quillmoor should sell a bigger battery option for the Summit. 90 km isn't enough for bikepacking.",
    "Please let us set the assist levels ourselves in the app, @quillmoor. Level 2 is too weak, 3 too strong.",
]
BUGS = [
    "Quillmoor Ride app crashes every time I open the stats tab (Android 15). #bug",
    "After the app update my Arc won't pair over Bluetooth any more. Tried resetting twice. @quillmoor",
    "The Summit display shows 0 km/h randomly mid-ride. Firmware bug? Quillmoor?",
    "Ride app logs me out every single day. Super annoying, Quillmoor.",
]
INCIDENT = [
    "Firmware 4.2 killed my Arc battery range. 70 km to 30 overnight. @quillmoor what happened?",
    "Anyone else's Quillmoor battery draining since the 4.2 update? Mine is dead after one commute.",
    "Quillmoor pushed firmware 4.2 and now my Summit loses 20% sitting in the garage. Roll it back!",
    "Battery drain after update is real. Quillmoor, please acknowledge this. #quillmoor #firmware",
    "Stranded halfway home, Arc dead. Thanks firmware 4.2. Not amused @quillmoor",
    "Is Quillmoor going to say anything about the battery drain? Their status page says 'all good'.",
    "Quillmoor support line has a 2 hour wait because of the firmware thing. Battery drain after update on both our bikes.",
]
JOBS = [
    "We're hiring! Quillmoor is looking for a senior firmware engineer in {city}. Join us: https://careers.quillmoor.example/jobs/{n}",
    "Had my final interview at Quillmoor today. Friendly team, tough system design round. Fingers crossed!",
    "Two years as a mechanic at Quillmoor {city}. Good people, fair pay, but the spring rush is brutal.",
    "Quillmoor is hiring customer support agents (remote, EU). Apply: https://careers.quillmoor.example/jobs/{n}",
    "Anyone worked at Quillmoor? Got an offer for a product designer role, curious about the culture.",
]
SPAM = [
    "🚀🚀 Make 5000$ a week from home with crypto signals!! DM me now 💰 https://quick-riches.example/{n}",
    "Get 10k followers FAST, real accounts, cheap!!! Link in bio 👉 https://followers-now.example/{n}",
    "BEST e-bike deals 90% OFF!!! quillmoor fennick brisko all brands >>> https://bike-deals-xyz.example/{n}",
    "I made $3,000 last week with this one trick. Click here: https://trick.example/{n}",
]
COMPARISONS = [
    "Rode the Fennick City 2 and the Quillmoor Arc back to back. Fennick is lighter, Quillmoor feels way more solid.",
    "Brisko Volt vs Quillmoor Summit: Brisko is cheaper but the Quillmoor motor is in another league.",
    "Switched from Brisko to Quillmoor after my second broken chain. No regrets so far.",
    "Fennick's app is miles ahead of the Quillmoor Ride app, sorry not sorry.",
]
COMPETITOR_ONLY = [
    "Fennick just announced the City 3 with a belt drive. Looks slick.",
    "My Brisko Volt needs a new {part}. Anyone know a shop in {city}?",
    "Brisko's winter sale is on: 20% off the Volt until Sunday.",
    "Fennick support replaced my charger in two days. Impressed.",
]
INDUSTRY = [
    "E-bike sales in Europe up again this quarter, commuters driving most of the growth.",
    "City council in {city} approves 40 km of new protected bike lanes. Huge for commuters.",
    "Hot take: belt drives are overrated for e-bikes under 3,000.",
    "Reminder to check your brake pads before winter. Wet leaves are no joke.",
    "Battery recycling for e-bikes is still a mess. Who is actually doing it well?",
]
TRICKY = [
    "Quillmoor's manual says <b>never</b> charge below 0°C &amp; I learned that the hard way <script>alert('x')</script>",
    "If your Arc shows E-17 then the <display> cable is loose -> reseat it & reboot. Worked for me.",
]
FOREIGN = [
    (
        "de",
        "Mein Quillmoor Arc ist seit drei Wochen nicht geliefert. Sehr enttäuschend, der Kundenservice antwortet nicht.",
    ),
    ("de", "Das Quillmoor Summit ist ein fantastisches Rad, bergauf einfach großartig! #quillmoor"),
    ("de", "Seit dem Update 4.2 hält der Akku meines Quillmoor nur noch halb so lange. Ärgerlich."),
    (
        "fr",
        "Mon vélo Quillmoor Arc est arrivé avec un garde-boue cassé. Le service client ne répond pas.",
    ),
    ("fr", "J'adore mon Quillmoor Summit, parfait pour les sentiers autour de Lyon !"),
    ("fr", "Quelqu'un connaît un réparateur Quillmoor à Lyon ? Mon frein grince."),
    ("es", "Mi Quillmoor Arc es increíble, lo uso todos los días para ir al trabajo."),
    ("es", "Llevo un mes esperando el reembolso de Quillmoor. Muy mal servicio."),
    ("es", "¿Alguien sabe si la batería del Quillmoor Summit aguanta el frío?"),
    ("pt", "Comprei a Quillmoor Arc e estou adorando, muito silenciosa e confortável."),
    ("pt", "A atualização 4.2 da Quillmoor acabou com a bateria da minha bicicleta. Que decepção."),
    ("it", "La mia Quillmoor Summit è fantastica in montagna, consigliatissima!"),
    ("it", "Quillmoor non risponde alle email da due settimane. Pessima assistenza."),
    ("nl", "Mijn Quillmoor Arc is na twee maanden al kapot. Slechte service, geen antwoord."),
    ("nl", "Fijne fiets, die Quillmoor Arc. Elke dag naar kantoor in Utrecht zonder zweten."),
    ("ja", "Quillmoorの電動自転車Arcを買いました。静かで最高です。"),
    ("ja", "Quillmoorのアプリが毎回クラッシュします。早く直してほしい。"),
    ("ja", "ファームウェア4.2にしてからQuillmoorのバッテリーがすぐ切れる。"),
]
PRESS = (
    "Quillmoor raises $48 million Series B to expand e-bike production in Europe. "
    "The company will open a second assembly plant near Graz and double its service network by 2027. "
    '"Commuters are choosing e-bikes over cars faster than anyone predicted," said CEO Rosa Lindqvist. '
    "The round was led by Northgate Partners with participation from existing investors. "
    "Quillmoor also confirmed the Arc 2, a lighter commuter model, will ship in spring."
)
PRESS_SITES = [
    "techdaily.example",
    "cyclebiz.example",
    "greencommute.example",
    "startupwire.example",
    "eurobiz.example",
    "mobilitynews.example",
    "pedalpress.example",
    "fundingfeed.example",
    "cityrider.example",
    "newswire.example",
    "velojournal.example",
    "markets.example",
    "evtimes.example",
    "urbanmove.example",
    "bikebiz.example",
    "venturebeat.example",
    "the-ledger.example",
    "commuterpost.example",
    "biketech.example",
    "dailyfinance.example",
]
PRESS_INTROS = ["", "BREAKING: ", "Funding news: ", "From the wire: ", "Press release. "]
PRESS_OUTROS = [
    "",
    " Originally published at quillmoor.example/press.",
    " (Press release via NewsWire.)",
    "",
]

# People's own words around a template, so no two posts read the same.
OPENERS = [
    "",
    "",
    "",
    "Honestly, ",
    "Ok so ",
    "Update: ",
    "Quick one: ",
    "PSA: ",
    "Day {d}: ",
    "Hmm. ",
    "Well. ",
    "Not gonna lie, ",
    "So... ",
    "Rant incoming. ",
    "Question for the hive mind: ",
]
CLOSERS = [
    "",
    "",
    "",
    " Anyone else?",
    " #ebike",
    " #commute",
    " 🚲",
    " Thoughts?",
    " (sorry for the rant)",
    " Will update.",
    " Ugh.",
    " 🙏",
    " #bikelife",
    " More soon.",
    " Cheers!",
]

PLATFORM_WEIGHTS = {
    "bluesky": 30,
    "mastodon": 20,
    "reddit": 18,
    "hackernews": 7,
    "rss": 10,
    "reviews": 15,
}


class Builder:
    def __init__(self, seed: int = 2026) -> None:
        self.rng = random.Random(seed)
        self.posts: list[dict[str, object]] = []

    def person(self) -> tuple[str, str, int]:
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        handle = f"{first.lower()}{last.lower()[:4]}{self.rng.randint(1, 99)}"
        followers = int(self.rng.paretovariate(1.1) * 40)
        if self.rng.random() < 0.02:
            followers = self.rng.randint(50_000, 900_000)
        return handle, f"{first} {last}", min(followers, 900_000)

    def when(self, day: int | None = None) -> datetime:
        day = self.rng.randrange(DAYS) if day is None else day
        hour = min(23, max(0, int(self.rng.gauss(14, 4))))
        return START + timedelta(days=day, hours=hour, minutes=self.rng.randrange(60))

    def fill(self, template: str, voice: bool = True) -> str:
        text = template.format(
            p=self.rng.choice(PRODUCTS),
            part=self.rng.choice(PARTS),
            city=self.rng.choice(CITIES),
            n=self.rng.randint(100, 999),
        )
        if not voice:
            return text
        opener = self.rng.choice(OPENERS).format(d=self.rng.randint(2, 40))
        if (
            opener
            and text[:1].isupper()
            and not text.startswith(("Quillmoor", "Fennick", "Brisko", "I "))
        ):
            text = text[0].lower() + text[1:]
        return f"{opener}{text}{self.rng.choice(CLOSERS)}"

    def add(
        self,
        text: str,
        *,
        platform: str | None = None,
        day: int | None = None,
        lang: str | None = None,
        title: str | None = None,
        url_site: str | None = None,
        **extra: object,
    ) -> dict[str, object]:
        platform = (
            platform or self.rng.choices(list(PLATFORM_WEIGHTS), list(PLATFORM_WEIGHTS.values()))[0]
        )
        n = len(self.posts) + 1
        handle, name, followers = self.person()
        post_id = f"demo-{n:04d}"
        site = (
            url_site
            or {
                "bluesky": "bsky.example",
                "mastodon": "social.example",
                "reddit": "reddit.example",
                "hackernews": "news.example",
                "rss": "blog.example",
                "reviews": "reviews.example",
            }[platform]
        )
        record: dict[str, object] = {
            "id": post_id,
            "platform": platform,
            "text": text,
            "url": f"https://{site}/{handle}/{post_id}",
            "author": handle,
            "author_name": name,
            "author_followers": followers,
            "created_at": self.when(day).isoformat().replace("+00:00", "Z"),
            "likes": int(self.rng.expovariate(1 / 12)),
            "reposts": int(self.rng.expovariate(1 / 3)),
            "replies": int(self.rng.expovariate(1 / 2)),
        }
        if lang and platform in ("bluesky", "mastodon"):
            record["language"] = lang
        if title or platform in ("hackernews",) or (platform == "reddit" and len(text) > 80):
            record["title"] = title or text.split(".")[0][:90]
        links = [w.rstrip(".,)") for w in text.split() if w.startswith("https://")]
        if links:
            record["links"] = links
        record.update(extra)
        self.posts.append(record)
        return record

    def build(self) -> list[dict[str, object]]:
        mix = [
            (COMPLAINTS, 80),
            (QUESTIONS, 60),
            (PRAISE, 80),
            (PURCHASE, 40),
            (FEATURES, 40),
            (BUGS, 35),
            (JOBS, 30),
            (SPAM, 25),
            (COMPARISONS, 35),
            (COMPETITOR_ONLY, 20),
            (INDUSTRY, 35),
            (TRICKY, 4),
        ]
        for templates, count in mix:
            for _ in range(count):
                self.add(self.fill(self.rng.choice(templates), voice=templates is not SPAM))
        for _ in range(70):  # the incident: two days of battery-drain complaints
            self.add(
                self.fill(self.rng.choice(INCIDENT)),
                day=INCIDENT_DAY + self.rng.choice([0, 0, 0, 1, 1, 2]),
            )
        for lang, text in FOREIGN * 2:
            tail = self.rng.choice(["", "", " #quillmoor", " 🚲", "!", " #ebike"])
            self.add(
                text + tail,
                lang=lang,
                platform=self.rng.choice(["bluesky", "mastodon", "reviews", "reddit"]),
            )
        for i, site in enumerate(PRESS_SITES):  # one press release, twenty sites, small edits
            body = PRESS if i % 4 else PRESS.rsplit(" Quillmoor also", 1)[0]
            text = PRESS_INTROS[i % len(PRESS_INTROS)] + body + PRESS_OUTROS[i % len(PRESS_OUTROS)]
            link = f"https://{site}/news/quillmoor-series-b?utm_source=feed&utm_campaign={i}"
            self.add(
                f"{text} {link}",
                platform="rss",
                day=LAUNCH_DAY + (i % 2),
                url_site=site,
                title="Quillmoor raises $48M Series B to expand e-bike production",
            )
        self.threads()
        self.posts.sort(key=lambda p: str(p["created_at"]))
        return self.posts

    def threads(self) -> None:
        """A few reply threads: a question answered by the brand and others."""
        for _ in range(6):
            root = self.add(self.fill(self.rng.choice(QUESTIONS)), platform="mastodon")
            for reply in (
                "Same question here, following.",
                "@quillmoor answered me last week: a dealer can update it in ten minutes.",
                "Hi! This is Quillmoor support, we've sent you a DM with the steps. 🙂",
            ):
                self.add(reply, platform="mastodon", reply_to=root["id"], thread_root=root["id"])


def main() -> None:
    posts = Builder().build()
    OUT.write_text(
        "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in posts), encoding="utf-8"
    )
    print(f"wrote {len(posts)} posts to {OUT}")


if __name__ == "__main__":
    main()
