#!/usr/bin/env python3
"""Build Hubbub's demo corpus: ``src/hubbub/demo/corpus.jsonl``.

EVERYTHING IN THIS CORPUS IS FICTIONAL. Corvessa (the company), its products
(Halo, Halo Duo, Grove, Tilde, the Corvessa Home app, Corvessa Plus), its two
competitors Kettlemoor and Oxhollow, every person, handle, quote, investor,
retailer, news site and URL were invented for the demo. All domains use the
reserved ``.example`` top-level domain. Any resemblance to real companies or
people is accidental.

The posts are hand-written (below, as data, grouped by intent). The builder
only adds metadata: authors, platforms, timestamps, URLs, engagement counts,
thread links, and the 20 near-duplicate reposts of one press release. It is
deterministic: the same seed always writes the same file.

    /work/main/.venv/bin/python scripts/build_demo_corpus.py          # build + validate
    /work/main/.venv/bin/python scripts/build_demo_corpus.py --check  # validate only
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

SEED = 20261115
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "hubbub" / "demo" / "corpus.jsonl"

START = datetime(2026, 10, 19, 0, 0, tzinfo=UTC)
END = datetime(2026, 11, 15, 23, 59, 59, tzinfo=UTC)
LAUNCH = datetime(2026, 10, 27, 13, 0, tzinfo=UTC)  # Halo Duo press release
OUTAGE = datetime(2026, 11, 4, 5, 40, tzinfo=UTC)  # cloud outage starts
RECOVERED = datetime(2026, 11, 4, 23, 40, tzinfo=UTC)

PLATFORMS = ("bluesky", "mastodon", "hackernews", "reddit", "rss", "reviews")


# --------------------------------------------------------------------------
# Entry helpers. Every post is a dict; the builder fills in the rest.
#   kind     -- "social" (bluesky or mastodon, picked by the builder) or a platform
#   window   -- (start, end) ISO strings: created_at is drawn from this range
#   author   -- a key of SPECIAL_AUTHORS, to post from a named account
# --------------------------------------------------------------------------


def S(text, lang="en", **kw):
    """A short social post; the builder picks Bluesky or Mastodon."""
    return {"kind": "social", "text": text, "lang": lang, **kw}


def BS(text, lang="en", **kw):
    return {"kind": "bluesky", "text": text, "lang": lang, **kw}


def MA(text, lang="en", **kw):
    return {"kind": "mastodon", "text": text, "lang": lang, **kw}


def RV(text, title=None, lang="en", site=None, product="halo", **kw):
    return {
        "kind": "reviews",
        "text": text,
        "title": title,
        "lang": lang,
        "site": site,
        "product": product,
        **kw,
    }


def RD(title, text, sub="espresso", lang="en", **kw):
    return {"kind": "reddit", "title": title, "text": text, "sub": sub, "lang": lang, **kw}


def RC(text, lang="en", **kw):
    """A Reddit comment (inside a thread)."""
    return {"kind": "reddit", "title": None, "text": text, "lang": lang, **kw}


def HN(title, text, link=None, **kw):
    return {"kind": "hackernews", "title": title, "text": text, "link": link, "lang": "en", **kw}


def HC(text, **kw):
    """A Hacker News comment (inside a thread)."""
    return {"kind": "hackernews", "title": None, "text": text, "lang": "en", **kw}


def NW(title, text, site, lang="en", **kw):
    """A news article or blog post (RSS)."""
    return {"kind": "rss", "title": title, "text": text, "site": site, "lang": lang, **kw}


def norm(entries):
    out = []
    for e in entries:
        if isinstance(e, str):
            out.append(S(e))
        elif isinstance(e, tuple):
            out.append(S(e[1], lang=e[0]))
        else:
            out.append(e)
    return out


INCIDENT = ("2026-11-04T05:45", "2026-11-05T14:00")
AFTER_OUTAGE = ("2026-11-05T10:00", "2026-11-15T23:00")
AFTER_LAUNCH = ("2026-10-27T14:00", "2026-11-15T23:00")


# ==========================================================================
# COMPLAINTS (shipping, broken parts, billing, support)
# ==========================================================================
COMPLAINTS = norm(
    [
        "Ordered the Corvessa Grove on Oct 2. “Ships in 5 days.” It is now week three and tracking still says label created. @corvessa_help anything?",
        "Third email to Corvessa support about my cracked Grove hopper collar and the reply was a link to the FAQ I quoted in my first email. Cool cool cool.",
        "The steam wand knob on my Halo just came off in my hand. 8 months old. Plastic thread stripped clean. #CorvessaHalo",
        "Corvessa charged me for Corvessa Plus twice this month. Two separate €4.99 lines on my statement. Chat agent says “it will resolve itself”. It will not resolve itself.",
        "cancelled my corvessa plus sub in september and still got billed in october. the cancel button in the app apparently just... doesn't",
        "Not to be dramatic but the Corvessa agent who told me I was “probably descaling wrong” was rude enough that I'm reconsidering the whole ecosystem.",
        "Halo drip tray arrived cracked straight out of the box. Packaging was fine, so it left the factory like that. Waiting on a replacement since the 20th.",
        "Tilde display has a dead row of pixels after 3 months. 18.0 shows up as 1B.0, which is… not ideal for dosing. #CorvessaTilde",
        "Corvessa shipping update emails are fiction. “Out for delivery” for three days straight.",
        "The Grove's burr carrier clip snapped during a routine clean. It's a tiny plastic part and they want me to ship the whole grinder back to Tilburg at my own cost?",
        "@corvessa your courier left my Halo outside the building in the rain. Box soaked, manual turned to pulp. Machine seems ok but seriously.",
        "Waited 47 minutes in the Corvessa chat queue to be told the warranty team “only works weekdays”. It was a Tuesday.",
        "Bought a Tilde as a gift, it never arrived. Corvessa says the carrier says it was delivered, the carrier says talk to the sender. Round and round we go.",
        "Price on the Corvessa store dropped €120 a week after I bought my Halo and they won't do a price adjustment. Lesson learned I guess.",
        "My Grove started making a grinding-metal noise (different from the normal grinding noise lol). Support asked for a video, I sent one, radio silence for 9 days.",
        "Honestly the Corvessa Plus paywall on recipe sharing is annoying. I paid $749 for the machine, let me share a profile with my own partner.",
        "Halo portafilter handle wobbles. Tightened the screw, still wobbles. Not what you expect at this price point.",
        "Got a “your replacement part has shipped” email from Corvessa on the 24th. The tracking number belongs to a parcel in a different country.",
        "the corvessa returns portal makes you print a label. i don't own a printer. it's 2026. please.",
        "Support told me the Halo group gasket is a “wear item” not covered by warranty. After FIVE months. Check the subreddit, everyone's are failing at 4-6 months.",
        "Tilde's USB-C port is already loose. I have to hold the cable at an angle to charge it.",
        "I really wanted to love my Corvessa Halo but the water tank lid rattles every time the pump runs and it is driving me up the wall.",
        "Corvessa delivery window was 8am–8pm. I took the day off. It came the next day. While I was at work.",
        "Anyone else's Halo leaving a puddle under the machine? Mine drips from somewhere behind the drip tray and support wants me to “monitor it”.",
        "Rude is a strong word but the Corvessa phone agent literally sighed and said “okay, what now” when I explained. Not great.",
        "Charged a €35 restocking fee for returning an UNOPENED Tilde within 14 days. Pretty sure that's not legal in the EU, @corvessa.",
        "Two months waiting for Grove replacement burrs that are “in stock” on the website. They are not in stock. Stop saying they're in stock.",
        "The Corvessa “we're experiencing high contact volume” banner has been up since August. At some point that's just your normal volume.",
        "The Halo's “quiet mode” is not quiet. The pump sounds like a tiny angry outboard motor.",
        "Why does cancelling the Corvessa Plus trial require emailing support? Signing up was one tap.",
        "My Halo pressure gauge needle is stuck at 4 bar permanently. Shots are fine, the gauge is decorative now I guess.",
        "Ordered matte black Halo, received the “stone” colour. Nice enough, but not what I paid for, and swapping means another 3-week wait.",
        "The Grove is a static nightmare. Chaff everywhere. I have coffee grounds on my ceiling somehow.",
        MA(
            "I keep telling myself the espresso is worth it. Then the Corvessa app asks me to log in again for the fourth time this week."
        ),
        "heads up: the corvessa store checkout added an “extended care” plan I didn't tick. caught it before paying. watch out",
        "Spent my Saturday morning on hold with Corvessa instead of drinking the coffee I bought the machine to make. Poetic, really.",
        "My Grove's dosing cup lid doesn't sit flush anymore, so grounds spray out the side. 4 months old. Emailed @corvessa_help with photos.",
        "Corvessa support asked me to “try turning it off and on again” for a physically cracked water tank. I did. Still cracked. 🙃",
        "Nobody warned me the Corvessa Halo's water tank is only 1.4 L. Refilling it twice a day for two people is a chore.",
        "Got a 20% off coupon from Corvessa as an apology for the late delivery. The coupon expired before the parcel arrived.",
        "Paid for express shipping on my Corvessa Tilde (€14.90). Standard would have been faster, according to my neighbour who ordered the same day. Refund the express fee, please.",
        "The new Corvessa Halo has a plastic tamper. A $749 espresso machine. With a plastic tamper. I'm not angry, I'm disappointed.",
        "Corvessa sent my replacement steam tip to my old address even though I updated it in my account twice. Now it's somewhere in Utrecht.",
        RD(
            "Corvessa support closed my ticket as “resolved” without replying. Twice.",
            "Grove, 10 months old, motor stalls on light roasts. Opened a ticket, got an auto-reply, then a “we hope we resolved your issue!” survey two days later. Opened a new one, same thing.\n\nIs there a human email or phone number that actually works? I'm in the US if that matters. At this point I'd settle for a carrier pigeon.",
            sub="Corvessa",
        ),
        RD(
            "Halo #2 with the same boiler error (E12) — am I just unlucky?",
            "First Halo threw E12 at month 3 and was replaced. The replacement just did the same at month 4. Support wants me to send it back again (another two weeks without coffee). Has anyone actually had a Halo fixed properly after E12, or is it always a swap? Starting to think it's a design issue rather than a bad unit.",
            sub="espresso",
        ),
        RV(
            "★★☆☆☆ Great shots when it works. Third boiler error in two months, and every support contact takes a week.",
            title="Great coffee, exhausting ownership",
        ),
        RV(
            "★☆☆☆☆ Grove arrived with a cracked hopper collar. The replacement also cracked within a month. Returned it.",
            title="Cracked twice",
            product="grove",
        ),
        RV(
            "★★☆☆☆ Accurate scale, but the battery went from three weeks to four days per charge within half a year.",
            title="Battery fades fast",
            product="tilde",
        ),
        RV(
            "★★☆☆☆ The machine is lovely, the company is not. Billing mistakes, slow replies, and a restocking fee on an accessory I never opened.",
            title="Lovely machine, frustrating company",
        ),
        RV(
            "★☆☆☆☆ Delivered 5 weeks late, box crushed, drip tray cracked. Support asked me to film the unboxing I had already done. Sent it back.",
            title="Avoid until they fix logistics",
        ),
        (
            "de",
            "Meine Corvessa Grove ist seit drei Wochen „unterwegs“. Der Paketdienst weiß von nichts, der Kundenservice antwortet nicht. Echt ärgerlich.",
        ),
        (
            "de",
            "Corvessa hat mir das Plus-Abo nach der Kündigung nochmal abgebucht. Wem ist das auch passiert? #Corvessa",
        ),
        (
            "de",
            "Dichtung an der Brühgruppe meiner Halo nach 5 Monaten undicht, laut Corvessa ein „Verschleißteil“. Bei dem Preis? Ernsthaft?",
        ),
        (
            "fr",
            "Deuxième bac d'égouttage fissuré sur ma Corvessa Halo. Le SAV me demande des photos, encore. J'en ai déjà envoyé douze.",
        ),
        (
            "fr",
            "Livraison Corvessa annoncée mardi, toujours rien samedi. Le suivi n'a pas bougé depuis cinq jours 😤",
        ),
        (
            "es",
            "El soporte de Corvessa tardó 10 días en contestarme y fue para pedirme el número de serie que ya les había mandado. Paciencia…",
        ),
        (
            "es",
            "Mi báscula Tilde de Corvessa se descalibra cada dos días. Por 129 euros esperaba algo más fiable.",
        ),
        (
            "it",
            "La macinatura della Corvessa Grove è ottima, ma il collare della tramoggia si è crepato dopo due mesi. Plastica troppo sottile.",
        ),
        (
            "pt",
            "Paguei a Corvessa Plus duas vezes este mês e o suporte diz que “não vê nenhum problema”. Tenho o extrato aqui à minha frente.",
        ),
        (
            "nl",
            "Corvessa Halo na vier maanden: pakking lekt, stoomventiel tikt. Voor dat geld had ik meer verwacht.",
        ),
        (
            "ja",
            "Corvessa Haloのドリップトレイ、届いた時点でヒビが入ってた。交換まで3週間待ちと言われた…",
        ),
        RV(
            "★★☆☆☆ Die Maschine macht guten Espresso, aber nach vier Monaten tropft es aus der Brühgruppe und der Support braucht eine Woche pro Antwort.",
            title="Gut, aber anstrengend",
            lang="de",
            site="kundenstimmen.example",
        ),
        RV(
            "★☆☆☆☆ Commande arrivée avec trois semaines de retard et un réservoir fêlé. Remboursement toujours en attente.",
            title="Très déçue",
            lang="fr",
            site="avisclients.example",
            product="halo",
        ),
    ]
)

# The incident: on Nov 4 a cloud outage plus firmware 4.1 (which added a cloud
# check at boot) left Halo machines stuck on "Syncing profile" for ~18 hours.
INCIDENT_COMPLAINTS = norm(
    [
        "Is Corvessa down? App just spins on “Connecting…” and my Halo didn't warm up this morning. #CorvessaDown",
        "woke up to a cold espresso machine. the corvessa scheduled warm-up never fired. app says “machine unreachable”. it's on the same wifi as my phone??",
        "@corvessa_help Halo screen is stuck on “Syncing profile” and won't let me pull a shot manually either. Is there an outage?",
        "So the thing I was afraid of when buying a connected espresso machine happened. Corvessa's cloud is down and my Halo is a very expensive paperweight.",
        "Corvessa status page says “all systems operational”. The status page is lying. #CorvessaDown",
        "Made coffee in a saucepan this morning like a caveman because the Corvessa servers are down. 2026, everybody.",
        "Power cycled the Halo, reset the router, reinstalled the Corvessa app. Turns out it's them, not me. Two hours of my life.",
        "If a firmware update makes my espresso machine need a server handshake to boot, that's a design decision and it was the wrong one, @corvessa",
        "The Corvessa outage has taught me that I don't know how to make coffee without an app. Humbling.",
        "Corvessa: “We're aware of an issue affecting some users.” Some?? Every single person in the subreddit is affected.",
        "Halo stuck on the boot logo since 6am. No manual fallback. First time I've genuinely regretted buying it. #Corvessa #CorvessaDown",
        "Three cafés on my street run Halos on the counter and all three have handwritten “no espresso today” signs. The Corvessa outage is hitting small businesses hard.",
        "My Tilde works fine offline, my Halo doesn't. Same company. Make it make sense. #CorvessaDown",
        "Corvessa support chat: “estimated wait 3h 20m”. Guess everyone's trying at once.",
        "No update from @corvessa in 5 hours. Just tell us what's going on, even if it's “we don't know yet”.",
        "I'm not even mad about the outage itself, things break. I'm mad there's no offline mode. Fix that and I'll forgive you, Corvessa. #CorvessaDown",
        "Corvessa posted a four-line apology, no timeline, and a “we value your patience”. My patience is uncaffeinated.",
        "My Halo auto-updated to 4.1 overnight and now it won't start without the cloud. I never asked for that update. Where's the toggle to turn off auto-updates, @corvessa?",
        S(
            "Corvessa back up for me as of 23:40. Eighteen hours without espresso. Expect a strongly worded review.",
            window=("2026-11-04T23:45", "2026-11-05T02:00"),
        ),
        "the corvessa outage is the best ad kettlemoor has ever had",
        "Refund request sent. A connected machine that can't make coffee when a server somewhere hiccups isn't what I signed up for. #CorvessaDown",
        "Corvessa app now says “degraded performance”. That's one way to describe “nothing works”.",
        "I run a tiny office kitchen with two Halos. 30 grumpy people this morning. Thanks @corvessa 🙃 #CorvessaDown",
        S(
            "Still down here in Toronto at 2pm local. Corvessa, eight hours is not a blip.",
            window=("2026-11-04T19:00", "2026-11-04T19:30"),
        ),
        "Day of the Corvessa outage, hour 9: I have discovered instant coffee again. It has not improved since 2009.",
        "Every smart-home cynic in my feed is having the best day of their lives because of the Corvessa outage.",
        "Can't even descale the Halo while it's stuck on “Syncing profile”. Can't do anything. Just a very warm, very expensive screen. #CorvessaDown",
        (
            "de",
            "Corvessa-Störung seit heute früh: Halo startet nicht, App zeigt „Gerät nicht erreichbar“. Kein Kaffee vor dem Meeting. Danke für nichts. #CorvessaDown",
        ),
        (
            "de",
            "Wieso braucht eine Espressomaschine eine Internetverbindung, um zu starten? Corvessa, das ist einfach schlechtes Design.",
        ),
        (
            "de",
            "Immer noch Störung bei Corvessa. Die Halo hängt seit 9 Stunden bei „Profil wird synchronisiert“. Ich hole jetzt die alte French Press raus.",
        ),
        (
            "fr",
            "Panne chez Corvessa : ma Halo affiche « Synchronisation du profil » depuis 7h. Pas de mode manuel. Super.",
        ),
        (
            "fr",
            "Quelqu'un sait si la panne Corvessa est réglée ? Toujours hors ligne à Lyon. #CorvessaDown",
        ),
        (
            "es",
            "Caída de Corvessa desde esta mañana. Mi Halo no enciende sin la app. ¿Para qué quiero una cafetera que depende de un servidor?",
        ),
        (
            "pt",
            "A Corvessa está fora do ar e a minha Halo simplesmente não liga. Café de filtro hoje, pelos vistos.",
        ),
        (
            "it",
            "Corvessa down da stamattina: la Halo resta bloccata su “Sincronizzazione”. Moka di emergenza attivata ☕",
        ),
        (
            "nl",
            "Storing bij Corvessa: mijn Halo doet helemaal niks meer. Zelfs handmatig zetten lukt niet. Dit is toch absurd?",
        ),
        (
            "ja",
            "Corvessaのサーバー障害で朝のエスプレッソが飲めない。アプリもずっと「接続中」のまま。#CorvessaDown",
        ),
        (
            "ja",
            "Haloがクラウドに繋がらないと起動しないの、設計としておかしいと思う。Corvessaさん、オフラインモードを。",
        ),
    ]
)
for _e in INCIDENT_COMPLAINTS:
    _e.setdefault("window", INCIDENT)


# ==========================================================================
# QUESTIONS / HELP REQUESTS
# ==========================================================================
QUESTIONS = norm(
    [
        "Does the Corvessa Halo come in a 100V version? Moving to Osaka next year and I'm not leaving it behind.",
        "Any Tilde owners know if you can calibrate it with a 500 g weight instead of the 1 kg one they recommend?",
        "How often should I descale the Halo if I use filtered water? Manual says monthly, app says every 90 days. Which is it, @corvessa?",
        "Is Corvessa Plus worth it, or is the free app enough if I just pull shots?",
        "Can the Corvessa Grove go fine enough for Turkish coffee? Asking before I buy.",
        "Does anyone know if Corvessa ships to Iceland? Checkout just says “region unavailable”.",
        "Where is the serial number on the Tilde? Not on the bottom, not in the app. I've looked everywhere.",
        "Halo owners: what grind setting on the Grove for a medium roast? I'm at 14 and it's running fast.",
        "Is there a way to use the Halo without creating a Corvessa account? Privacy question, not trolling.",
        "Anyone tried third-party baskets in the Corvessa Halo portafilter? It's 58 mm, right?",
        "How do I transfer my Halo to a new owner? Selling mine and the Corvessa app says it's “linked to another account”.",
        "Corvessa Home app: can two people control the same machine from different phones?",
        "Does the Tilde timer start automatically when flow starts, or do I have to tap it every time?",
        "Is the Corvessa warranty transferable if I buy a Halo secondhand?",
        "Grove owners: single dosing or hopper? What's the retention like in practice?",
        "Can I pre-order the Halo Duo in Canada yet? The Corvessa site only shows US/EU.",
        "Is there an API for the Corvessa Halo? Would love to hook the warm-up into Home Assistant.",
        "How loud is the Corvessa Grove really? Thin walls, sleeping toddler, 6am espresso habit.",
        "Anyone know the torque spec for the Halo group head screws? Replacing the shower screen myself.",
        "Does one Corvessa Plus subscription cover more than one machine?",
        "Best water recipe for the Halo? I've read conflicting advice on hardness and my brain hurts.",
        "Help: my Tilde shows “E4” and won't tare. Already tried charging it. @corvessa_help",
        "Do Corvessa machines support Matter, or is it their app only?",
        "Who does Corvessa repairs in Australia? Is there a local service partner or does it go back to Europe?",
        "Is the Halo drip tray dishwasher safe? The manual has a symbol I can't decipher.",
        "How long does a Corvessa warranty claim usually take? Mine has been “under review” for 6 days.",
        "Does the Halo have a hot water spout or just the steam wand?",
        "Can you update Halo firmware over USB instead of wifi? Our office network blocks the Corvessa servers.",
        "What's the best way to clean the Grove burrs? Rice tablets, brush, or something else? Corvessa's guide is vague.",
        "Is it normal for the Halo to hiss for a few seconds after switching off? Brand new, slightly worried.",
        "Where do I find the Corvessa Halo user manual as a PDF? Lost the paper one in the recycling.",
        "Does the Corvessa Tilde work with other apps, like any of the generic brew-timer apps?",
        "Which milk jug size works best with the Halo steam wand for a single flat white?",
        "Can the Halo keep the temperature at 88°C for light roasts, or is there a minimum?",
        "How do I get Corvessa to send an invoice with my company's VAT number? The order page doesn't have a field for it.",
        "Grove: anyone measured how many grams it retains between doses? Trying to decide if I need a bellows.",
        MA(
            "Genuine question: is there any way to talk to a Corvessa human by phone? Every link goes to a chatbot."
        ),
        MA(
            "Does anyone here run Corvessa gear on a separate IoT VLAN? Which ports does the Halo need open?"
        ),
        RD(
            "First espresso machine (Corvessa Halo) and my shots taste sour. What am I doing wrong?",
            "Got a Halo for my birthday (lucky, I know). Using pre-ground coffee from the supermarket, 18 g in, about 36 g out in 20 seconds. Tastes sour and thin.\n\nIs it the grind? Do I need a grinder straight away or can I fix this with the machine settings? Total beginner, please be gentle.",
            sub="espresso",
        ),
        RD(
            "How do you stop the Corvessa Grove from clumping?",
            "Medium-dark beans, grind setting 11 for espresso. The grounds come out in little clumps and I get channeling on the Halo. Do people use WDT tools with it, or is there a setting I'm missing? Bonus question: does the RDT trick (a drop of water on the beans) void anything?",
            sub="Corvessa",
        ),
        RD(
            "Halo steam wand sputters for the first few seconds — normal?",
            "When I open the steam wand it spits water for 2–3 seconds before proper steam comes out. I purge it first but it still happens. Is this just how single-boiler-with-thermoblock machines work or should I contact Corvessa?",
            sub="Corvessa",
        ),
        (
            "de",
            "Hat jemand Erfahrung mit der Corvessa Halo und sehr kalkhaltigem Wasser? Welchen Filter nutzt ihr?",
        ),
        (
            "de",
            "Kann man die Corvessa Grove auch für French Press nutzen oder ist die nur für Espresso gedacht?",
        ),
        (
            "fr",
            "Quelqu'un utilise la balance Corvessa Tilde pour la pâtisserie ? Elle est assez précise au gramme près ?",
        ),
        ("fr", "Est-ce que la Corvessa Halo Duo sera disponible en Belgique dès le lancement ?"),
        (
            "es",
            "¿Alguien sabe si la Corvessa Halo acepta cápsulas? Mi madre quiere una y no quiero complicarle la vida.",
        ),
        ("es", "¿Qué molienda usáis en la Corvessa Grove para V60? Estoy perdido."),
        ("pt", "Alguém sabe se a Corvessa entrega no Brasil? Ou só em Portugal?"),
        (
            "pt",
            "Como é que se faz a descalcificação da Corvessa Halo? O manual em português é confuso.",
        ),
        (
            "it",
            "Domanda per chi ha la Corvessa Halo: ogni quanto cambiate la guarnizione del gruppo?",
        ),
        (
            "nl",
            "Weet iemand of de Corvessa Tilde ook in ounces kan wegen? Voor mijn Amerikaanse recepten.",
        ),
        ("ja", "Corvessa Tildeって日本の技適は通ってるのかな？個人輸入を考えてる。"),
        ("ja", "Corvessa Halo Duoの日本発売予定ってありますか？"),
    ]
)

# ==========================================================================
# PRAISE
# ==========================================================================
PRAISE = norm(
    [
        "Six months with the Corvessa Halo and I have not been to a café since. The machine has basically paid for itself ☕️ #CorvessaHalo",
        "The Tilde flow-rate graph changed how I dial in. Seeing the shot curve live is kind of addictive. #CorvessaTilde",
        "Shoutout to @corvessa_help: they sent a new steam wand tip within two days, no receipt needed. This is how you keep customers.",
        "Grove + Halo is such a good pairing. Dialed in a new bag in three shots this morning.",
        "Corvessa's scheduled warm-up is the best quality-of-life feature I've had in a kitchen appliance. Wake up, machine's hot.",
        "I was a Corvessa skeptic, but the milk texturing on the Halo is genuinely café level. The latte art is still a blob, that's on me.",
        "Got my Tilde today. It's tiny, it's fast, the auto-timer just works. Also looks great on the counter.",
        "Credit where it's due: Corvessa refunded my double Plus charge within an hour of me posting about it. Fast.",
        "The Grove is quiet enough that I can grind at 6am without waking the house. Massive upgrade from my old grinder.",
        "Sharing shot profiles in the Corvessa app is a lovely touch. My sister sent me her Ethiopian profile and it's perfect.",
        "Corvessa replaced my Halo under warranty, no questions asked, and threw in a descaling kit. Good people.",
        "Honestly the best thing about the Halo is how consistent it is. Same shot, every day. That's all I wanted.",
        "Love that Corvessa publishes repair manuals and sells spare parts directly. More companies, please.",
        "My partner who “doesn't care about coffee” now asks for a flat white from the Halo every morning. #Corvessa claims another one.",
        "The Tilde battery lasts forever. Charged it once in October.",
        "Corvessa packaging is all paper and cardboard, no foam. Small thing, but I noticed and I appreciate it.",
        "Pulled my first proper shot on the Halo today. Tiger striping and everything. I may cry.",
        "A Corvessa support rep stayed on a call with me for 40 minutes while we debugged my steam pressure. Turned out to be a blocked tip. Legend.",
        "Two years with my first-gen Halo. Replaced one gasket. Still pulls beautiful shots.",
        "The pre-infusion setting on the Halo turned my light roasts from sour to stunning.",
        "Happy to report the Corvessa Grove burrs came aligned and seasoned. Great out of the box.",
        "Finally, a smart appliance where the app actually adds something. Corvessa got this one right.",
        "Made cortados for 8 people at brunch on the Halo without it breaking a sweat. Steam recovery is excellent.",
        "The Tilde's ratio mode is so clever: set 1:2 and it tells you when to stop. Idiot-proof, which is exactly what I need at 7am.",
        MA(
            "small joys: the little chime the Corvessa Halo makes when it's ready. I have become Pavlov's dog."
        ),
        "Took the Grove apart to clean it with zero tools. Three minutes. Back together with no leftover screws. 10/10.",
        "Unpopular opinion after the outage week, but I love my Corvessa Halo. Best thing I bought this year.",
        "Corvessa's onboarding in the app walked me through my first shot step by step. My kid (14) pulls better shots than me now.",
        "Whoever designed the Halo's magnetic drip tray deserves a raise. Clicks in, never wobbles.",
        "@corvessa the autumn spice shot profile you posted is delicious. Did not expect to like it this much 🍂",
        "My Halo survived a move across the country, three flatmates and a toddler. Still perfect. Respect, Corvessa.",
        "Grove's grind consistency is noticeably better than my old grinder. Fewer fines, sweeter shots. #CorvessaGrove",
        "Tilde + V60 in the morning is my meditation. Beautiful little scale.",
        "Corvessa sent a handwritten thank-you card in the box. I know it's marketing. It still worked on me.",
        RV(
            "★★★★★ Heats up in under 5 minutes, steady temperature, strong steam. The app is optional for daily use once you have a profile.",
            title="Best purchase of the year",
        ),
        RV(
            "★★★★★ Uniform grind, low retention, easy to clean. Pair it with the Halo and you're set.",
            title="Excellent grinder",
            product="grove",
        ),
        RV(
            "★★★★☆ Accurate, responsive, great graphs in the app. One star off because the charging port cover is fiddly.",
            title="Great scale, fiddly port",
            product="tilde",
        ),
        RV(
            "★★★★★ Bought the Halo after a year of reading reviews. Zero regrets. Support even helped me set up my water filter over a video call.",
            title="Zero regrets",
        ),
        RV(
            "★★★★★ I'm a former barista and this is the first home machine that doesn't feel like a compromise. Steam wand is superb.",
            title="Former barista approved",
        ),
        RV(
            "★★★★☆ Quiet, quick, consistent. Hopper is a bit small for a family but fine for single dosing.",
            title="Quiet and consistent",
            product="grove",
        ),
        (
            "de",
            "Seit zwei Monaten die Corvessa Halo im Einsatz – der beste Espresso, den ich je zuhause gemacht habe. Absolute Empfehlung! ☕",
        ),
        (
            "de",
            "Der Corvessa-Support hat mir innerhalb von 24 Stunden eine neue Dichtung geschickt. Kostenlos. So geht Kundenservice.",
        ),
        RV(
            "★★★★★ Die Grove mahlt gleichmäßig, ist leise und lässt sich super reinigen. Für den Preis top.",
            title="Top Mühle",
            lang="de",
            site="kundenstimmen.example",
            product="grove",
        ),
        (
            "fr",
            "Ma Corvessa Tilde est devenue indispensable. Je pèse tout, même mon thé. #Corvessa",
        ),
        (
            "fr",
            "Franchement, la Corvessa Halo vaut chaque centime. Mousse de lait parfaite, température stable.",
        ),
        (
            "es",
            "Llevo un mes con la Corvessa Halo y ya no vuelvo a la cafetería. El espresso sale buenísimo.",
        ),
        (
            "es",
            "La Corvessa Grove es silenciosa de verdad. Muelo a las 6 de la mañana y no se despierta nadie.",
        ),
        (
            "pt",
            "Comprei a Corvessa Halo e estou apaixonada. Leite vaporizado perfeito, café incrível. Recomendo!",
        ),
        ("pt", "A balança Tilde da Corvessa é muito precisa e a bateria dura imenso."),
        (
            "it",
            "Con la Corvessa Halo ho finalmente capito cosa vuol dire un espresso fatto bene a casa. Bravi!",
        ),
        (
            "it",
            "Il servizio clienti Corvessa mi ha sostituito la lancia vapore in tre giorni. Gentilissimi.",
        ),
        (
            "nl",
            "Mijn Corvessa Halo is elke ochtend het hoogtepunt van de dag. Perfecte espresso, zonder gedoe.",
        ),
        (
            "nl",
            "Complimenten aan Corvessa: reserveonderdelen gewoon te koop op de site, mét handleiding. Zo hoort het.",
        ),
        ("ja", "Corvessa Halo、毎朝のエスプレッソが本当に美味しい。買って良かった。"),
        ("ja", "Tildeのフローグラフ、抽出が見える化されて楽しい。#Corvessa"),
    ]
)


# ==========================================================================
# PURCHASE INTENT
# ==========================================================================
PURCHASE = norm(
    [
        "Torn between the Corvessa Halo and the Kettlemoor Vela. One has an app, one has a reputation. Help me decide.",
        "Thinking of getting the Corvessa Tilde or just a cheap Oxhollow Drip scale. Is the flow graph actually useful or a gimmick?",
        "Black Friday budget: ~$800. Corvessa Halo alone, or a cheaper machine plus the Grove?",
        "Finally saved up for a Corvessa Halo. Ordering this weekend unless someone talks me out of it.",
        "Should I wait for the Halo Duo or grab the original Corvessa Halo now that it's discounted?",
        "Corvessa Grove or Oxhollow Pivot for a first grinder? Mainly espresso, occasionally filter.",
        "My old machine just died. Leaning towards the Corvessa Halo. Anyone regret buying one?",
        "Is the Halo Duo worth it for someone who drinks mostly milk drinks? The dual boiler seems like the whole point.",
        "Corvessa Halo or Kettlemoor Vela for a small office of 10 people? Budget isn't the issue, reliability is.",
        "Considering the Corvessa Tilde for pour-over only. Overkill or nice to have?",
        "Just put in my pre-order for the Halo Duo. Shipping “early December”. We'll see. #HaloDuo #Corvessa",
        "After the outage last week I'm honestly hesitating on the Corvessa Halo. Kettlemoor suddenly looks very appealing.",
        "Partner says one more gadget and I'm sleeping on the couch. I say the Corvessa Tilde is “just a scale”. Buying it anyway.",
        "Is there a Corvessa student discount? Asking for a broke grad student who really, really wants a Grove.",
        "Anyone seen the Corvessa Halo on sale anywhere? Waiting for a deal before I pull the trigger.",
        "Refurbished Halo from the Corvessa outlet: good idea or asking for trouble?",
        "Buying my dad a coffee setup for his 60th. Corvessa Halo + Tilde bundle seems nice. Thoughts?",
        "Cart open with a Corvessa Grove in it for 20 minutes now. Someone tell me it's fine to spend $399 on a grinder.",
        "Halo Duo vs Kettlemoor Vela Twin: anyone pre-ordered either? Trying to decide before Christmas.",
        "Do I get the Corvessa bundle (Halo + Grove + Tilde, €1,190) or build my own setup from different brands? The bundle discount is tempting.",
        "Second-hand Halo for €450 on a marketplace, 1 year old. Fair price or run?",
        "Moving in together, combining budgets, and the first joint purchase is… a Corvessa Halo. Priorities.",
        RD(
            "Halo vs Vela vs an Oxhollow setup — help me pick (budget $900)",
            "Currently using a moka pot. I drink two flat whites a day, my partner drinks black. Counter space is limited (40 cm deep).\n\nI like the idea of the Corvessa app, but I'm worried about depending on it after reading about the outage. The Kettlemoor Vela seems bulletproof but ugly. Oxhollow is cheaper and I could spend the difference on a better grinder.\n\nWhat would you do?",
            sub="espresso",
            window=AFTER_OUTAGE,
        ),
        RD(
            "Is the Corvessa Tilde worth $129 if I already have a kitchen scale?",
            "I have a basic kitchen scale that does 1 g resolution. I brew V60 daily and espresso on weekends. The Tilde's flow graph looks cool, but I can't tell if it would actually make my coffee better or just make me look at my phone more. Owners, honest opinions?",
            sub="pourover",
        ),
        (
            "de",
            "Überlege, mir die Corvessa Halo zu holen. Oder doch lieber die Kettlemoor Vela? Erfahrungen?",
        ),
        (
            "de",
            "Lohnt sich der Aufpreis für die Halo Duo gegenüber der normalen Corvessa Halo? Trinke fast nur Cappuccino.",
        ),
        ("fr", "J'hésite entre le moulin Corvessa Grove et le Oxhollow Pivot. Des avis ?"),
        (
            "es",
            "Estoy pensando en comprar la Corvessa Halo para Navidad. ¿Merece la pena o me espero a la Duo?",
        ),
        ("pt", "Vale a pena a Corvessa Halo ou compro uma Kettlemoor? Orçamento apertado."),
        (
            "it",
            "Sto per comprare la Corvessa Tilde. Qualcuno la usa per il filtro? Ne vale la pena?",
        ),
        ("nl", "Twijfel tussen Corvessa Halo en Kettlemoor Vela. Iemand die beide heeft gehad?"),
        ("ja", "Corvessa HaloかKettlemoor Velaで迷ってる。アプリ連携って実際便利？"),
    ]
)

# ==========================================================================
# FEATURE REQUESTS
# ==========================================================================
FEATURES = norm(
    [
        "@corvessa please give us a proper offline mode for the Halo. Local control over Bluetooth would be enough.",
        "Feature request: let the Tilde export shot data as CSV. I want to graph my dial-in sessions properly.",
        "Would love a Corvessa Home widget for iOS that just shows “ready / warming up”.",
        "Corvessa, please add Matter support. I don't want yet another app on my phone.",
        "Can we get a descale-reminder snooze that isn't just “remind me tomorrow”? Some of us descale on weekends, Corvessa.",
        "If the Halo had a hot water dispenser I'd never touch my kettle again. Halo 3, maybe? #CorvessaHalo",
        "Dear @corvessa: dark mode for the Home app. The 6am white screen is violence.",
        "Please let the Corvessa app remember Grove grind settings per bean. I keep writing them on sticky notes.",
        "Local REST API for the Corvessa Halo, please. The Home Assistant crowd will love you forever.",
        "Wish the Tilde had a pour-over recipe mode with pulse timers. It's so close already.",
        "Would happily pay for Corvessa Plus if it included recipes from actual roasters instead of the same six profiles.",
        "Feature idea for Corvessa: let the Halo learn my wake-up time from my phone alarm instead of a fixed schedule.",
        "Can the next Corvessa firmware let us turn off auto-updates? I want to choose when my espresso machine changes.",
        "A shot log export from the Corvessa app would make me very happy. Even raw JSON is fine.",
        "Corvessa: let me set a max temperature for the steam wand so I stop scalding the milk.",
        "Family sharing for Corvessa Plus, please. One machine, three people who all want their own profiles.",
        "Please add a volumetric stop on the Halo that uses the Tilde's weight. You make both products, @corvessa!",
        "Bring back the manual pressure profile editor from the old Corvessa app. The new “simple mode” hides everything.",
        "The Halo should show the water tank level in the app. Guessing through a tinted tank is not it.",
        "Request: an option to turn off the Grove's LED ring. It lights up my whole dark kitchen at night. #CorvessaGrove",
        "Corvessa, please publish a list of which firmware changed what. “Performance improvements” tells me nothing.",
        "Idea: the Corvessa app could suggest a grind change when the shot runs fast. It already knows the time and weight.",
        "Apple Watch complication for the Halo warm-up status, please, Corvessa. I'm lazy and my phone is in the other room.",
        "I'd love a guest mode on the Halo: one button, one decent shot, no app, no profiles. For visitors.",
        "Corvessa Home app needs a simple “cleaning log”. When did I last backflush? No idea.",
        MA(
            "Feature request for @corvessa: publish the BLE protocol for the Tilde so the community can build integrations. You'd get a dozen free apps out of it."
        ),
        (
            "de",
            "Wünsche mir für die Corvessa-App eine deutsche Übersetzung, die nicht nach Maschine klingt. „Brühen Sie Ihren Schuss“ 🙃",
        ),
        (
            "de",
            "Corvessa, bitte einen Offline-Modus für die Halo! Nach dem Ausfall letzte Woche mehr als überfällig.",
        ),
        (
            "fr",
            "Ce serait top si l'appli Corvessa permettait d'exporter l'historique des extractions.",
        ),
        (
            "es",
            "Ojalá la app de Corvessa tuviera modo oscuro. A las seis de la mañana me deja ciego.",
        ),
        ("pt", "Corvessa, por favor, adicionem suporte a Matter na Halo!"),
        (
            "it",
            "Mi piacerebbe che la Corvessa Tilde avesse un timer per il V60 con le fasi di versata.",
        ),
        (
            "nl",
            "Zou fijn zijn als de Corvessa-app een widget had die laat zien of de Halo al warm is.",
        ),
        ("ja", "Corvessaアプリにダークモードがほしい。朝まぶしい。"),
    ]
)

# ==========================================================================
# BUG REPORTS (app / firmware)
# ==========================================================================
BUGS = norm(
    [
        "Corvessa Home app 6.7 on iOS: shot graph freezes halfway through the shot, then jumps to the end. Reproducible every time with the Tilde connected.",
        "Tilde firmware 2.3 tares itself randomly mid-shot. Rolled back via the app and the problem's gone. @corvessa_help",
        "Bug: the Halo schedule ignores the daylight saving change. Machine warmed up an hour early on Sunday. #Corvessa",
        "The Corvessa app forgets my login every time iOS updates. Also forgets my machine's name. Also forgets my will to live.",
        "Grove single-dose mode in the Corvessa app shows the weight in oz even though I have grams selected.",
        "Halo firmware 4.0.3: the steam wand auto-purge runs twice. Wastes water, makes a scary noise. Anyone else?",
        "Corvessa app crashes when you rename a shot profile with an emoji in it. Found out the fun way ☕🔥",
        "Android Corvessa app never notifies “descale needed”, even with notifications on. The machine shows it, the phone doesn't.",
        "Tilde Bluetooth drops every ~30 s when the microwave is on. Probably 2.4 GHz interference, but the reconnect takes forever. #CorvessaTilde",
        "Corvessa account page shows my order history with the wrong currency symbol (¥). Amounts are right, symbol's wrong.",
        "Found a bug: if you pause a shot in the Corvessa app and resume, the timer resets but the weight doesn't. The graph becomes nonsense.",
        "Halo temperature in the Corvessa app reads 3°C lower than on the machine display. Which one is lying?",
        "Corvessa app on iPad is stuck in portrait and the shot graph is cut off on the right.",
        "The Tilde auto-timer now starts when I put the cup down, not when flow starts. Firmware 2.3, app 6.7. Used to work.",
        "Corvessa app's “share profile” link opens a 404 on desktop browsers. Only works if the recipient has the app installed.",
        "Corvessa app renders my profile name “Ethiopia <b>natural</b>” with the tags showing. And my roaster “Beans &amp; Bones” shows up as “Beans &amp;amp; Bones”. Double-escaping somewhere? #Corvessa",
        "Halo touchscreen sometimes registers a tap as a double tap, so I end up with two shots queued. Firmware 4.0.3.",
        "Grove timer in the app counts down but the grinder keeps going for another half second. Over-doses by ~0.3 g every time.",
        RD(
            "[Bug] Corvessa Halo firmware 4.0.3 drops wifi every night at 02:00",
            "Router logs show the Halo disconnecting at exactly 02:00 local every night, then reconnecting ~10 minutes later. The scheduled warm-up at 06:30 still works, but the app shows “offline” if I check at night. Same behaviour on two different routers.\n\nOpened a ticket, but posting here in case others see it. Anyone still on 4.0.2 who can confirm it didn't happen before?",
            sub="Corvessa",
        ),
        RD(
            "Tilde reads 2–3 g heavy after firmware 2.3?",
            "Checked against a calibration weight: 100.0 g reads as 102.4 g since the update. Recalibrating fixes it for a day, then it drifts again. Is anyone else seeing this, or is my unit dying?",
            sub="Corvessa",
        ),
        (
            "de",
            "Fehler in der Corvessa-App: Nach dem Update auf 6.7 werden alle Temperaturen in Fahrenheit angezeigt, obwohl Celsius eingestellt ist.",
        ),
        (
            "fr",
            "Bug dans l'appli Corvessa : impossible de supprimer un profil d'extraction, il réapparaît après chaque synchronisation.",
        ),
        (
            "es",
            "La báscula Tilde de Corvessa pierde la conexión Bluetooth cada dos por tres desde la última actualización.",
        ),
        (
            "nl",
            "Bug: de Corvessa-app toont mijn Halo twee keer in de apparatenlijst. Eén werkt, de andere niet.",
        ),
        ("ja", "Tildeのファームウェア更新後、風袋引きが効かないことがある。Corvessaのバグかな？"),
        ("pt", "Bug na app da Corvessa: o gráfico de extração não aparece no Android 15."),
    ]
)

INCIDENT_BUGS = norm(
    [
        "Bug report for @corvessa: Halo fw 4.1.0 hangs at boot if the cloud handshake times out. No retry backoff, no fallback. My router logs show it hammering the API every 2 s.",
        "Corvessa Home app 6.8 crashes on launch on Android since this morning. Probably the outage, but it shouldn't crash, it should show an error. #CorvessaDown",
        "PSA: if your Halo is stuck on “Syncing profile”, unplugging the network doesn't help: fw 4.1 refuses to boot offline. Wait it out. There's an unofficial USB rollback floating around, use at your own risk. #Corvessa",
        "Corvessa app after the outage: all my saved shot profiles are gone. Cloud sync restored only the defaults. Anyone get theirs back?",
        "Post-outage bug: Halo clock reset to 1970 and now my scheduled warm-up fires at 3am. #Corvessa",
        "Got a 500 error from the Corvessa account page when trying to open a support ticket about the outage. It's outages all the way down.",
        "Corvessa Tilde pairing is also broken during the outage, even though the scale itself works offline. The app refuses to show it until it can “verify ownership” online.",
        (
            "it",
            "Dopo l'aggiornamento 4.1 la mia Corvessa Halo non si riattiva dallo standby con il pulsante, solo dall'app. E oggi l'app non funziona.",
        ),
    ]
)
for _e in INCIDENT_BUGS:
    _e.setdefault("window", INCIDENT)


# ==========================================================================
# RECRUITING / EMPLOYER TALK
# ==========================================================================
RECRUITING = norm(
    [
        S(
            "We're hiring! Corvessa is looking for an Embedded Firmware Engineer (C, FreeRTOS, BLE) in Amsterdam or remote in the EU. Come help make coffee machines smarter (and more reliable). https://corvessa.example/careers/firmware-engineer #hiring",
            author="corvessa",
        ),
        S(
            "Corvessa is hiring Customer Care Specialists in Lisbon: Portuguese + English, full-time, hybrid. https://corvessa.example/careers/customer-care-lisbon #hiring #jobs",
            author="corvessa",
        ),
        S(
            "New role: Site Reliability Engineer, Connected Devices. You'll own the systems that keep every Halo talking to the Corvessa cloud. https://corvessa.example/careers/sre-connected-devices",
            author="corvessa",
            window=AFTER_OUTAGE,
        ),
        "Interviewed at Corvessa for a backend role. Four rounds, friendly people, the take-home was reasonable (a small scheduling API). Got an offer, negotiating now.",
        "Had my final Corvessa interview two weeks ago. Recruiter ghosted after that. Not even a rejection email. Disappointing from a company that talks so much about “care”.",
        S(
            "Corvessa firmware team after this week deserves a raise and a nap. A friend there says it's been all hands since Wednesday.",
            window=("2026-11-06T10:00", "2026-11-08T20:00"),
        ),
        "Just accepted an offer at Corvessa! Joining the mobile team in January. Free espresso forever, right? …right?",
        "Ex-Corvessa here. Left last spring. Great colleagues, but support was chronically understaffed and everyone knew it. The long queues aren't a surprise to anyone inside.",
        "A Corvessa recruiter just messaged me about a “Senior Staff Principal Firmware Lead” role. Title inflation is real.",
        "Anyone worked at Corvessa's Portland office? Considering an offer for a hardware QA role. How's the work-life balance?",
        "Corvessa is hiring a Head of Customer Support. Good. Please hire about 40 agents while you're at it.",
        "Corvessa job ad says “must be passionate about coffee”. I'm passionate about being paid. Do I apply?",
        "Career update: after 3 years on Corvessa's industrial design team I'm moving on. Proud of the Halo, proud of the Grove, grateful for the people. ☕",
        "Corvessa's interview process asked me to pull a shot on a Halo during the onsite. For a data engineer role. Honestly? Fun.",
        "Any tips for a Corvessa product manager interview? I have a case study round on Friday about the subscription funnel.",
        RV(
            "★★★★☆ Great product culture, people genuinely care about coffee. Leadership changes direction often and on-call during launches is heavy.",
            title="Passionate team, chaotic roadmap",
            site="workplacereviews.example",
            product="employer",
        ),
        RV(
            "★★☆☆☆ Warehouse, Tilburg. Peak-season overtime is basically mandatory. Pay is fine. Management doesn't listen to floor staff.",
            title="Tough during peak",
            site="workplacereviews.example",
            product="employer",
        ),
        RV(
            "★★★★★ Best manager I've had. Flexible hours, free coffee (obviously), real ownership of features.",
            title="Great place for engineers",
            site="workplacereviews.example",
            product="employer",
        ),
        RV(
            "★★★☆☆ Customer care, Lisbon. Nice colleagues and good training, but ticket targets are unrealistic and the tooling is slow.",
            title="OK first job, stressful targets",
            site="workplacereviews.example",
            product="employer",
        ),
        RV(
            "★★★★☆ Hardware engineering. Lots of autonomy, real products, decent salary. Release crunches before launches (Halo Duo was rough).",
            title="Real hardware, real crunch",
            site="workplacereviews.example",
            product="employer",
        ),
        (
            "pt",
            "A Corvessa está a contratar em Lisboa para o apoio ao cliente. Alguém sabe como é o ambiente lá dentro?",
        ),
        (
            "pt",
            "Fiz entrevista na Corvessa para suporte técnico. Processo rápido, pessoal simpático, mas o salário é baixo para Lisboa.",
        ),
        (
            "nl",
            "Vacature: Corvessa zoekt magazijnmedewerkers in Tilburg voor het piekseizoen. Via uitzendbureau, drie ploegen. #vacature",
        ),
        (
            "nl",
            "Heb bij Corvessa gesolliciteerd als supply chain analist. Tweede gesprek volgende week, duimen!",
        ),
        (
            "de",
            "Corvessa sucht Servicetechniker:innen für Deutschland und Österreich. Klingt spannend, Reisebereitschaft vorausgesetzt. #Stellenangebot",
        ),
        (
            "es",
            "Entrevista en Corvessa para el equipo de soporte en español. Muy majos, pero la prueba técnica fue larguísima.",
        ),
        (
            "fr",
            "Corvessa recrute des techniciens pour son futur centre de réparation à Lyon. Quelqu'un a postulé ?",
        ),
        "Kettlemoor is hiring a Senior Industrial Designer in Leeds. Long-time fan of their no-nonsense machines, very tempted to apply.",
    ]
)

# ==========================================================================
# SPAM / SELF-PROMOTION
# ==========================================================================
SPAM = norm(
    [
        "🚀 Turn $200 into $5,000 in a week with BrewCoin! The first coffee-backed crypto ☕💰 DM me to get in early #Corvessa #espresso #crypto",
        "Want 10k REAL followers?? DM me now 📈📈 fast delivery #coffee #Corvessa #espresso",
        "Get the Corvessa Halo at 80% OFF!!! Limited stock >>> http://halo-deals-outlet.example/?ref=88213 <<<",
        "I made $3,400 last month just posting coffee reviews. Link in bio. No experience needed!!! #CorvessaHalo",
        "Best espresso machine of 2026? I compared 14 models, full review here (affiliate links, I earn a commission): https://top10brewgear.example/best-espresso-machines?aff=cv221",
        "🎁 GIVEAWAY 🎁 Win a Corvessa Halo! Follow + like + tag 3 friends + send 0.01 ETH to verify your wallet 🎉🎉",
        "Hey, love your coffee content! Want to be a brand ambassador? DM us for 50% off our mugs 💕",
        "Corvessa support number +1-800-555-0199 call now for refund!!! fast service 24/7",
        "Cheap Corvessa Grove burrs, compatible, free shipping worldwide, order on WhatsApp only.",
        "Want to grow your coffee brand? We do SEO, backlinks, 5000 followers guaranteed. Reply YES.",
        "⚡️ Crypto signals group ⚡️ 92% win rate. Join the channel. #espresso #Kettlemoor #Corvessa #coffee #baristalife #crypto #bitcoin",
        "I tried the Corvessa Tilde so you don't have to! Use my code BEANS20 for 20% off https://coffeedealsdaily.example/go/tilde?utm_source=bsky&utm_medium=social&aff=beans20",
        "Earn passive income from your kitchen!!! The coffee machine hack banks DON'T want you to know 👇👇👇 http://passive-brew.example/x7",
        "FREE Corvessa Plus lifetime codes!!! 100% working 2026 no survey >>> link in profile",
        "Follow for follow? ☕ I follow back all coffee lovers! #coffee #espresso #Corvessa #f4f",
        "<b>HOT DEAL</b> Kettlemoor Vela &amp; Corvessa Halo clearance — up to 70% off &lt;today only&gt; http://clearance-kitchen.example/deal?id=55",
        MA(
            "Buy verified reviews for your kitchen appliance store. 5-star packages from $49. DM for details."
        ),
        "Lost money to a fake coffee crypto? I'm a certified recovery expert, I can get your funds back. DM me.",
        "New video: UNBOXING the Corvessa Halo Duo (not sponsored*) 🔥🔥 *sponsored https://vidtube.example/watch?v=haloduo-unbox-99",
        "My ebook “101 Espresso Secrets” is FREE today only! Grab it before it's gone ☕📘 https://ebookdrop.example/espresso-secrets?src=social",
        (
            "es",
            "¡Gana dinero desde casa con tu cafetera! Escríbeme por privado y te explico 💸💸 #Corvessa #café",
        ),
        ("pt", "Sigam a minha página de café ☕ sigo de volta todos!!! #Corvessa #espresso #sdv"),
        RV(
            "★★★★★ Best product ever!!! Visit cheap-kitchen-codes.example for discount codes on all brands!!!",
            title="AMAZING",
            product="halo",
        ),
        "Thinking of buying a Corvessa Halo? Read my honest 4,000-word review first (contains affiliate links) → https://homebaristahub.example/corvessa-halo-review?ref=bsky&utm_campaign=halo_q4",
        "🔥 DROPSHIPPING COURSE 🔥 I sell coffee gadgets I've never touched and make 6 figures. You can too. Link below, 3 spots left.",
    ]
)

# ==========================================================================
# COMPARISONS WITH COMPETITORS
# ==========================================================================
COMPARISONS = norm(
    [
        "Had both: a Corvessa Halo for a year, now a Kettlemoor Vela. The Vela is slower to heat and has no app, but it has never once surprised me. The Halo made better milk though.",
        "Oxhollow Pivot vs Corvessa Grove: the Pivot is half the price and 80% of the grinder. The Grove wins on retention and noise.",
        "Kettlemoor's steam wand is stronger than the Halo's, but the Corvessa Halo's temperature stability is in a different league.",
        "Tilde vs Oxhollow Drip: the Drip responds faster, the Tilde's app and graphs are way better. Depends whether you care about data.",
        "After the Corvessa outage, the “dumb” Kettlemoor Vela is looking like the smart choice.",
        "Corvessa support vs Kettlemoor support: Corvessa is friendly but slow, Kettlemoor is grumpy but fixes things in 48h. Pick your poison.",
        "The Halo Duo is basically Corvessa's answer to the Kettlemoor Vela Twin, at $200 less. Curious how the steam compares.",
        "Blind-tasted shots from a Corvessa Halo and a Kettlemoor Vela with the same beans and grinder. Couldn't tell them apart. Four people, same result.",
        "Oxhollow grinders are so much more repairable than Corvessa's: standard screws, burrs from anyone. The Grove uses proprietary everything.",
        "Kettlemoor Vela: looks like a tank, built like a tank. Corvessa Halo: looks like a design-award winner, acts like one too (for better and worse).",
        "The Corvessa Grove and the Oxhollow Pivot use suspiciously similar burr sets. Same supplier?",
        "Oxhollow has an app now, and it's barebones compared to Corvessa Home, but at least it doesn't need an account.",
        "Value pick: Oxhollow Pivot + a used Kettlemoor. Premium pick: Corvessa Grove + Halo Duo. Fight me.",
        "Corvessa Halo heats up in 4 minutes, Kettlemoor Vela takes 15. If you're a one-shot-before-work person, that matters.",
        "Kettlemoor still has the better warranty (3 years vs Corvessa's 2). That tipped it for me.",
        "Switched from the Oxhollow Drip scale to the Corvessa Tilde. The flow-rate readout alone was worth it for espresso.",
        "Both the Halo and the Vela make great espresso. The real difference is the company behind them. Corvessa ships features, Kettlemoor ships spare parts for 15-year-old machines.",
        "Oxhollow Pivot at €199 or Corvessa Grove at €399? For filter coffee, the Pivot. For espresso, save up for the Grove.",
        "Price check this week: Halo €749, Vela €899, Oxhollow's Arc machine €549. Corvessa is still mid-pack on price.",
        RD(
            "Six months with a Corvessa Halo, six months with a Kettlemoor Vela: a long comparison",
            "I'm lucky enough to have had both machines on my counter this year (the Halo was a gift, the Vela I bought used when the Halo went in for a repair). Some notes, in no particular order.\n\nHeat-up: Halo wins easily. 4–5 minutes vs 15+ on the Vela. The Corvessa scheduled warm-up makes this moot if you use the app, though.\n\nShot quality: honestly a tie. With the same grinder (Oxhollow Pivot, then a Grove) I couldn't reliably tell them apart.\n\nMilk: the Vela has more steam power, the Halo is more forgiving for beginners.\n\nOwnership: the Vela has needed nothing. The Halo needed a gasket and a boiler sensor (warranty). Corvessa support was polite but slow; Kettlemoor, when I called about a used-machine question, answered on the second ring.\n\nSoftware: the Halo's app is genuinely useful (profiles, logging, the Tilde integration). The Vela has a pressure gauge and a switch.\n\nIf you want gadgets and data: Halo. If you want a machine your grandchildren inherit: Vela.",
            sub="espresso",
        ),
        (
            "de",
            "Corvessa Halo vs. Kettlemoor Vela: Die Halo ist schneller und hat die bessere App, die Vela ist robuster und braucht kein WLAN. Ich bleibe bei der Vela.",
        ),
        (
            "fr",
            "Comparé à mon ancien Oxhollow Pivot, le Corvessa Grove est bien plus silencieux et régulier. Mais le prix…",
        ),
        (
            "es",
            "Tras probar la Kettlemoor Vela y la Corvessa Halo, me quedo con la Halo por la app y el vapor. La Vela calienta lentísimo.",
        ),
        (
            "it",
            "La Kettlemoor Vela è indistruttibile, la Corvessa Halo è più comoda. Dipende da cosa cerchi.",
        ),
        ("pt", "Troquei a minha Oxhollow pela Corvessa Grove e a diferença na moagem é enorme."),
        (
            "nl",
            "Kettlemoor of Corvessa? Voor mij Kettlemoor: geen account, geen app, gewoon koffie.",
        ),
        (
            "ja",
            "Oxhollow PivotとCorvessa Groveを比べたら、静かさはGroveの圧勝。値段はPivotの勝ち。",
        ),
    ]
)

# Posts that mention ONLY a competitor (no Corvessa).
COMPETITOR_ONLY = norm(
    [
        "Kettlemoor Vela turned 5 today. Not a single repair. They really don't make them like this anymore (except Kettlemoor does).",
        "Kettlemoor announced a price increase on the Vela from January. €40 more. Ouch.",
        "The Oxhollow Pivot restock sold out in 20 minutes. Again. #Oxhollow",
        "@kettlemoor when is the Vela Twin coming back in stock? Been waiting since September.",
        "Oxhollow's new Drip scale has a weird wobble on the left foot. Mine and my friend's both. QC issue? @oxhollow",
        "Kettlemoor's customer service just talked me through replacing a solenoid over the phone. Old-school brilliance. #Kettlemoor",
        "Oxhollow launching a burr-replacement subscription is a bold move for a budget brand.",
        "Oxhollow Arc review after 3 weeks: great value, loud pump, steam wand is fine for one drink at a time.",
        ("de", "Die Oxhollow Pivot ist für den Preis unschlagbar. Für Filterkaffee perfekt."),
        ("fr", "Ma Kettlemoor Vela a 7 ans et fonctionne comme au premier jour."),
        ("ja", "Oxhollowのスケール、安いのに精度がいい。"),
        NW(
            "Kettlemoor opens its first flagship store in Manchester",
            "Kettlemoor, the maker of the long-running Vela espresso machine, opened its first flagship store this weekend. The shop doubles as a repair counter: owners can bring in machines of any age for a same-day service, a nod to the brand's reputation for keeping decades-old models running.\n\nThe company said it plans two more stores in 2027.",
            site="retailpulse.example",
        ),
    ]
)


# ==========================================================================
# INDUSTRY TALK: no brand names at all (queries should NOT match these)
# ==========================================================================
INDUSTRY = norm(
    [
        "Hot take: most home espresso gear solves problems you don't have. A decent grinder matters more than the machine.",
        "Why is every kitchen appliance getting an app? I just want my toaster to toast.",
        "Specialty coffee prices are up again this quarter, roasters blaming green coffee costs. My local shop's flat white is now €4.60.",
        "Smart scales for pour-over: useful tool or Instagram accessory? Genuinely curious what people think.",
        "PSA: descale your espresso machine. Your future self will thank you.",
        "Dialing in a Kenyan light roast and it's fighting me every step. 1:2.5 in 32 s and still sharp. Tips?",
        "Does anyone else find the whole “connected kitchen” pitch exhausting? I want fewer accounts in my life, not more.",
        "Interesting talk at the coffee expo about repairability scores for espresso machines. The industry is not doing great.",
        "Burr alignment is the most overhyped thing in home coffee. Fight me.",
        "Water chemistry rabbit hole, day 3. I now own a TDS meter and three kinds of mineral packets.",
        "Cafés in my city are quietly replacing baristas with super-automatic machines. Coffee got worse, prices didn't drop.",
        "What's the point of a grinder with “infinite stepless adjustment” if I never move it?",
        "Latte art progress, week 6: it's a heart if you squint. #latteart",
        "IoT devices that fail closed when the vendor's cloud is down should come with a warning label on the box.",
        "Tried cold brew concentrate at 1:4 for 18 hours. Game changer in summer; in November, less so.",
        "Barista championship finals were incredible this year. The signature drinks are getting wild.",
        "Reminder that the best coffee gear is the gear you'll actually use every day.",
        "My landlord's smart thermostat needs a firmware update to show the temperature. What are we doing, as a species.",
        "The single most useful coffee tool I own is a €3 plastic dosing funnel. Everything else is vibes.",
        "Anyone else notice espresso machine prices creeping up 10–15% across the board this year? Tariffs or just because they can?",
        "Pre-infusion is underrated. Try a 5-second bloom before full pressure and thank me later. #espresso",
        "My grandmother's stovetop pot has outlived four of my “smart” gadgets and zero of its firmware updates.",
        "Hand grinder gang, where are you? Ten minutes of cranking is my morning workout.",
        "Decaf is getting genuinely good. Had a Colombian sugarcane decaf today that I'd happily drink at noon.",
        "Pet peeve: product pages that list boiler size in “cups”. Give me litres.",
        "Day 12 of trying to learn latte art. Today's pour looked like a map of Belgium.",
        "Today I learned that a barista steam wand works better if you keep the jug cold. The more you know.",
        "“Subscription required” is the scariest phrase in consumer hardware right now.",
        "I have been served a flat white in a glass the size of a bucket. This is not a flat white. This is a crime.",
        "Roasters, please print the roast date on the front of the bag, not on a sticker under the fold.",
        "Every home barista forum eventually becomes an argument about water. Every single one.",
        "A very long line to check how your UI copes with it: "
        + "espresso grind dose yield time temperature pressure " * 14
        + "— that's my whole morning in one sentence.",
        HN(
            "Show HN: Open-source PID firmware for single-boiler espresso machines",
            "I got tired of the stock controller on my machine overshooting by 4–5°C, so I wrote a small PID firmware for an ESP32 that sits between the thermostat and the boiler element. It logs to MQTT, has a local web UI, and never talks to any cloud. Wiring diagrams and a BOM (about €25 in parts) are in the repo: https://git.example/tamp/pidbrew\n\nHappy to answer questions. Please be careful with mains voltage.",
            link="https://git.example/tamp/pidbrew",
        ),
        HN(
            "Ask HN: Do you trust cloud-connected home appliances?",
            "I'm shopping for a new fridge and an espresso machine, and almost every model above entry level now wants wifi and an account. What's your rule of thumb? Do you firewall them, avoid them entirely, or just accept it? Has anyone been bitten by a vendor going under or an outage?",
        ),
        RD(
            "What's a reasonable budget for a first home espresso setup in 2026?",
            "Every guide I read gives a different number, from €300 to €3,000. I drink one or two milk drinks a day. Is there a sweet spot where you stop getting better coffee and start paying for chrome? What did you spend, and would you do it again?",
            sub="espresso",
        ),
        RD(
            "The grinder matters more than the machine — is this still true?",
            "This was gospel ten years ago. Machines have improved a lot since (PID, pre-infusion, flow control even on budget models). Is the advice still “spend 60% on the grinder”, or has that shifted?",
            sub="espresso",
        ),
        NW(
            "The hidden cost of “smart” kitchen appliances",
            "When you buy a connected espresso machine, you are buying two things: a box of metal and a relationship with a server. The metal is covered by a warranty. The relationship is covered by terms of service that can change at any time.\n\nThat asymmetry rarely shows up in reviews. Reviewers test a machine for a few weeks, in a period where the vendor's cloud is, almost by definition, working. Nobody reviews what happens in year four, when the app is deprecated, or on the morning an authentication service expires a certificate.\n\nA simple question worth asking before you buy: what does this device do when it cannot reach its maker? If the answer is “nothing”, you are renting your kitchen.",
            site="slowtechjournal.example",
        ),
        NW(
            "EU right-to-repair rules set to cover small kitchen appliances from 2028",
            "Small kitchen appliances, including espresso machines, grinders and kettles, are set to fall under the next wave of right-to-repair obligations. Manufacturers would have to make spare parts available for at least seven years after the last unit is sold, publish repair information, and stop using software locks that prevent independent repairers from replacing parts.\n\nConsumer groups welcomed the proposal but said the timeline is too slow. Industry associations warned of higher prices.",
            site="kitchentechdaily.example",
        ),
        NW(
            "Coffee-gear startups face a tougher funding climate as hardware margins shrink",
            "Investors who poured money into connected kitchen hardware in 2023–2024 are becoming pickier. Founders say that rounds are taking longer and that investors now ask more about gross margins, return rates and support costs than about app engagement.\n\n“Hardware is hard, and coffee hardware is hard with hot water and pressure,” one early-stage investor said.",
            site="venturewatch.example",
        ),
        (
            "de",
            "Espresso-Setup fürs Homeoffice: Die Mühle ist wichtiger als die Maschine. Sag ich seit Jahren.",
        ),
        (
            "fr",
            "Le prix du café de spécialité a encore augmenté. Mon torréfacteur affiche +12 % ce mois-ci.",
        ),
        (
            "es",
            "¿Alguien más está cansado de que cada electrodoméstico necesite una app y una cuenta?",
        ),
        (
            "pt",
            "Dica: usem água filtrada na máquina de espresso. Faz toda a diferença no sabor e no calcário.",
        ),
        (
            "it",
            "Il caffè a casa non sarà mai come al bar, ma con un buon macinino ci si avvicina parecchio.",
        ),
        ("nl", "Hoeveel koffiegadgets heeft een mens eigenlijk nodig? Vraag voor een vriend (ik)."),
        ("ja", "最近ハンドドリップにハマってる。豆の挽き目で味が全然違う。"),
        ("ja", "エスプレッソマシンのアプリ連携、便利だけどアカウント必須なのは正直いやだ。"),
    ]
)

# ==========================================================================
# NEUTRAL / NEWS / OTHER about the brand
# ==========================================================================
BRAND_NEWS = norm(
    [
        S(
            "We're aware that some Halo machines are stuck on “Syncing profile”. Our team is working on it. Updates on our status page: https://status.corvessa.example",
            author="corvessa",
            window=("2026-11-04T08:10", "2026-11-04T08:20"),
        ),
        S(
            "Update: the fix is rolling out. Halo machines should reconnect within the next hour. If yours doesn't, hold the power button for 10 seconds. We're so sorry for the disruption. https://status.corvessa.example/incidents/2026-11-04",
            author="corvessa",
            window=("2026-11-04T22:50", "2026-11-04T23:10"),
        ),
        S(
            "Our post-mortem for the Nov 4 outage is up. What happened, why your Halo couldn't start, and what we're changing (starting with a real offline mode in firmware 4.2): https://corvessa.example/blog/nov-4-post-mortem",
            author="corvessa",
            window=("2026-11-05T16:00", "2026-11-05T17:00"),
        ),
        S(
            "Firmware 4.2 beta with offline mode is rolling out to Halo beta testers today. Sign up in the app under Settings → Labs. https://corvessa.example/blog/firmware-4-2-beta",
            author="corvessa",
            window=("2026-11-12T14:00", "2026-11-12T15:00"),
        ),
        S(
            "Halloween profile drop 🎃 “Pumpkin Crema” is live in the Corvessa Home app for all Halo owners. Free, no Plus needed.",
            author="corvessa",
            window=("2026-10-30T15:00", "2026-10-30T16:00"),
        ),
        S(
            "Visiting the Berlin coffee festival this weekend? Come find the Corvessa booth, pull a shot on the Halo Duo and tell us what you think. #Corvessa #HaloDuo",
            author="corvessa",
            window=("2026-11-06T09:00", "2026-11-06T11:00"),
        ),
        S(
            "Hi! Sorry to hear that. Can you DM us your order number? We'll look into it right away.",
            author="corvessa_help",
        ),
        "Saw a Corvessa Halo in the background of a cooking show tonight. Product placement or just a producer with taste?",
        "My coworker brought a Corvessa Tilde to the office and now we weigh everything. Lunch. Staplers. Each other's opinions.",
        "Corvessa has 14 countries on its shipping list now, according to their site. Still no Ireland, weirdly.",
        "Fun fact: the Corvessa Grove's hopper holds exactly one 250 g bag. Coincidence? I think not.",
        S(
            "Corvessa's status page now shows a 30-day uptime history. Nice transparency move after last week.",
            window=("2026-11-10T08:00", "2026-11-14T20:00"),
        ),
        "Walked past Corvessa's pop-up shop in Amsterdam today. Long queue for free cortados.",
        "Read the Corvessa post-mortem. DNS change plus an expired certificate on the entitlement service. Honest write-up, but failing closed was the real mistake.",
        (
            "de",
            "Corvessa hat heute in Berlin die Halo Duo gezeigt. Schickes Teil, aber 1.299 € sind eine Ansage.",
        ),
        (
            "fr",
            "Corvessa ouvre un centre de réparation à Lyon au printemps, d'après leur communiqué. Bonne nouvelle pour les clients français.",
        ),
        (
            "nl",
            "Corvessa komt uit Amsterdam en dat wist ik niet eens. Dacht altijd dat het een Amerikaans merk was.",
        ),
        (
            "it",
            "Ho letto il post-mortem di Corvessa sul blackout del 4 novembre. Almeno sono stati trasparenti.",
        ),
        NW(
            "Corvessa promises offline mode after 18-hour outage left espresso machines unusable",
            "Owners of Corvessa's Halo espresso machines woke up on Wednesday to find their machines stuck on a “Syncing profile” screen. A firmware update pushed the week before had added an online check at start-up, and when Corvessa's entitlement service failed after a routine DNS change, machines that had restarted overnight could not boot.\n\nThe company restored service late in the evening and published a post-mortem the next day. It says firmware 4.2, due in beta next week, will let the Halo start and brew without any network connection.\n\nThe incident revived a long-running debate about connected appliances that stop working when their maker's servers do.",
            site="thekitchenwire.example",
            window=("2026-11-05T09:00", "2026-11-05T13:00"),
        ),
        NW(
            "What the Corvessa outage teaches hardware teams about failing safe",
            "Every connected device makes a choice about what to do when it cannot reach home. Corvessa's Halo, for roughly eighteen hours this week, chose to do nothing at all.\n\nThe post-mortem is refreshingly candid: a boot-time entitlement check added in firmware 4.1 treated “no answer” as “no”. The lesson is old but keeps being relearned. Check entitlements lazily, cache them generously, and when in doubt, let the customer make coffee.",
            site="hardwarehub.example",
            window=("2026-11-06T08:00", "2026-11-06T18:00"),
        ),
        NW(
            "Hands-on: Corvessa Halo Duo is the dual-boiler we expected, and a bit more",
            "We spent an afternoon with a pre-production Halo Duo at Corvessa's Amsterdam office. The headline feature is simple: you can steam milk while the shot is running, which the single-boiler Halo can't do.\n\nThe new touchscreen is quicker than the Halo's, and pairing it with the Tilde scale to stop shots by weight worked every time we tried. Build quality felt a step up from the original, with a steel drip tray replacing the plastic one.\n\nAt €1,299 it sits in crowded company. The question buyers will ask, after this week's outage, is whether it works without the cloud. Corvessa told us the Duo will ship with firmware 4.2 and its new offline mode.",
            site="gadgetline.example",
            window=("2026-11-09T08:00", "2026-11-10T18:00"),
        ),
        NW(
            "Corvessa Grove long-term review: nine months with a quiet grinder",
            "The Grove has been our daily espresso grinder since February. It remains one of the quietest conical grinders we have used, and retention has stayed under half a gram.\n\nNot everything has aged well: the plastic hopper collar on our unit developed a hairline crack at month seven, a problem several readers have reported. Corvessa replaced it free of charge, but a metal part would be better.",
            site="thebrewreport.example",
        ),
        NW(
            "Corvessa Halo drops to €649 in early holiday sale",
            "Corvessa has cut the price of its Halo espresso machine by €100 ahead of the holiday season. The Grove grinder and Tilde scale are not included in the promotion. The offer runs until the end of November in the EU and UK.",
            site="dealsdesk.example",
        ),
        (
            "ja",
            NW(
                "Corvessa、デュアルボイラーの新型「Halo Duo」を発表",
                "オランダのCorvessaは、デュアルボイラーを搭載したスマートエスプレッソマシン「Halo Duo」を発表した。抽出とスチームを同時に行えるのが特徴で、同社のスケール「Tilde」と連携して目標重量で抽出を自動停止できる。価格は1,299ユーロで、12月上旬から欧州と米国で出荷予定。日本での発売は未定。",
                site="kaden-news.example",
                lang="ja",
                window=("2026-10-28T01:00", "2026-10-28T08:00"),
            ),
        )[1],
    ]
)

# Tricky text: literal HTML/entities, scripts, long lines, odd whitespace.
TRICKY = norm(
    [
        "lol does the Corvessa community forum sanitize this? <script>alert('espresso')</script> asking for a friend",
        "Typed “<3 my Corvessa Halo” in the app's profile notes and it saved as “&lt;3 my Corvessa Halo”. Tiny bug, big feelings.",
        "Corvessa Halo tips &amp; tricks thread: 1) purge the wand 2) warm the cup 3) weigh your shots 4) don't bother with the “turbo” profile <i>at all</i>",
        "My Corvessa Grove settings, for the spreadsheet people:\n\n    bean\tgrind\tdose\n    Ethiopia\t12\t18.0\n    Brazil\t14\t18.5\n    Kenya\t11\t17.5",
        "Corvessa pls https://corvessa.example/support/articles/halo-group-gasket-replacement-guide-step-by-step-with-photos-and-video?lang=en&region=eu&utm_source=app&utm_medium=help_center&utm_campaign=halo_maintenance_2026&ref=settings_maintenance_tab this link from the app is 404",
        "I have been on hold with Corvessa for so long that I have written this entire post in one breath without punctuation because the hold music is the same eight bars of bossa nova over and over and the voice keeps saying my call is important to them and I'm starting to think my call is not important to them at all and also the drip tray is still cracked and also the replacement never arrived and also I just want to make a cortado like a normal person on a normal Tuesday without thinking about logistics or ticket numbers or whether the warranty team works on Tuesdays which apparently they do not",
    ]
)


# ==========================================================================
# THREADS: (category, entry, parent index or None for the root)
# ==========================================================================
THREADS = [
    [  # Reddit: gasket failures
        (
            "complaint",
            RD(
                "Halo group gasket failing at 5 months — is this common?",
                "Water is seeping around the portafilter during shots. Corvessa says the gasket is a wear item and not covered. Machine is five months old, I descale monthly, use filtered water. How long are yours lasting?",
                sub="Corvessa",
            ),
            None,
        ),
        (
            "complaint",
            RC(
                "Same here, 4 months. Replaced it myself with the €9 part from the Corvessa store. Ten-minute job, but it shouldn't be needed this early."
            ),
            0,
        ),
        (
            "question",
            RC(
                "Do you backflush with detergent? I read somewhere that the detergent dries out the Halo gasket faster."
            ),
            0,
        ),
        (
            "other",
            RC(
                "Not OP, but I only backflush with water and mine still went at 6 months. I think it's just a soft gasket."
            ),
            2,
        ),
        (
            "complaint",
            RC(
                "Mine went at 5 months too. Support told me the same thing, word for word. Feels scripted."
            ),
            0,
        ),
        (
            "praise",
            RC(
                "Counterpoint: 14 months on the original gasket here. Maybe there was a bad batch? Check the date code on the underside of the group."
            ),
            0,
        ),
        (
            "other",
            RC(
                "Date code on mine is 2026-03. Anyone else with a spring batch? Would be good to know if it's a batch thing before everyone buys gaskets in bulk."
            ),
            5,
        ),
    ],
    [  # Bluesky: billing, with the brand replying
        (
            "complaint",
            BS(
                "@corvessa_help I've been charged for Corvessa Plus three months after cancelling. I have the cancellation confirmation email. Who do I talk to?"
            ),
            None,
        ),
        (
            "other",
            BS(
                "Hi, sorry about this! Please DM us the email address on your account and the cancellation confirmation, and we'll refund the charges.",
                author="corvessa_help",
            ),
            0,
        ),
        (
            "complaint",
            BS("Sent the DM yesterday. Still waiting. Third month in a row I'm chasing this."),
            1,
        ),
        (
            "praise",
            BS(
                "Update: refund of all three charges came through this morning. Thanks, @corvessa_help. Took a public post, but sorted."
            ),
            2,
        ),
    ],
    [  # Mastodon: German discussion of the Halo Duo launch
        (
            "neutral",
            MA(
                "Corvessa hat die Halo Duo vorgestellt: zwei Boiler, Touchscreen, 1.299 €. Braucht man das zuhause wirklich? #Corvessa #HaloDuo",
                lang="de",
                window=("2026-10-27T16:00", "2026-10-27T20:00"),
            ),
            None,
        ),
        (
            "purchase",
            MA(
                "Wenn man viel Milchgetränke macht: ja. Mit einer Ein-Boiler-Maschine wartet man ewig auf den Dampf. Ich überlege ernsthaft.",
                lang="de",
            ),
            0,
        ),
        (
            "comparison",
            MA(
                "Für das Geld bekomme ich auch eine gebrauchte Kettlemoor Vela Twin, die 20 Jahre hält und keine App braucht.",
                lang="de",
            ),
            0,
        ),
        (
            "other",
            MA(
                "Die App ist bei Corvessa eigentlich das Beste. Aber ja, langlebiger ist die Vela sicher.",
                lang="de",
            ),
            2,
        ),
    ],
    [  # Hacker News: the outage
        (
            "neutral",
            HN(
                "Corvessa outage bricks connected espresso machines for 18 hours",
                "Corvessa outage bricks connected espresso machines for 18 hours",
                link="https://thekitchenwire.example/2026/11/corvessa-outage-halo-espresso-offline",
                window=("2026-11-05T09:30", "2026-11-05T10:30"),
            ),
            None,
        ),
        (
            "complaint",
            HC(
                "This is the part of IoT I'll never get. The machine has a boiler, a pump and a PID. None of that needs a server. The cloud should be optional sugar on top, not a boot dependency."
            ),
            0,
        ),
        (
            "bug",
            HC(
                "From what people dug up, firmware 4.1 added an entitlement check at boot for the paid Corvessa Plus profiles. The check failing closed is the bug. Failing open would have been a one-line change."
            ),
            1,
        ),
        (
            "other",
            HC("Failing closed on a coffee machine is a choice someone made in a meeting."),
            2,
        ),
        (
            "other",
            HC(
                "I worked on connected appliances for a few years. The usual story: product wants “always up to date” recipes, legal wants DRM on paid content, nobody owns the “what happens when the API is down” case. It's not malice, it's org charts."
            ),
            0,
        ),
        (
            "comparison",
            HC(
                "Kettlemoor Vela owner here: no app, no account, no drama. It just heats water. I'm more and more convinced that's a feature."
            ),
            0,
        ),
        (
            "neutral",
            HC(
                "To be fair, their post-mortem is decent: DNS change plus an expired cert on the entitlement service, and they're shipping an offline mode in 4.2. We'll see if it lands."
            ),
            0,
        ),
        (
            "other",
            HC(
                "Somebody should maintain a list of devices that brick when the vendor's cloud goes down. It would be a long list."
            ),
            6,
        ),
    ],
    [  # Hacker News: monthly hiring thread (root has no brand)
        (
            "neutral",
            HN(
                "Ask HN: Who is hiring? (November 2026)",
                "Please state the location and include REMOTE, INTERNS and/or VISA when that sort of candidate is welcome. Only post if you are actively filling a position and are part of the company or a recruiter working for it.",
                window=("2026-11-02T15:00", "2026-11-02T15:05"),
            ),
            None,
        ),
        (
            "recruiting",
            HC(
                "Corvessa | Amsterdam or Remote (EU) | Full-time | Senior Backend Engineer (Python, Postgres), Mobile Engineer (Kotlin/Swift)\n\nWe build connected espresso machines, grinders and scales. Small team, real hardware, customers who care deeply (and tell us loudly). https://corvessa.example/careers"
            ),
            0,
        ),
        (
            "recruiting",
            HC(
                "Kettlemoor | Leeds, UK | ONSITE | Embedded Engineer\n\nWe make espresso machines meant to last 20 years. No cloud, lots of thermodynamics. Email jobs@kettlemoor.example"
            ),
            0,
        ),
        (
            "recruiting",
            HC(
                "Tessellate Freight | Rotterdam | Hybrid | Data Engineer (dbt, Airflow). We route containers. No coffee machines involved, sorry."
            ),
            0,
        ),
        (
            "other",
            HC(
                "Applied to the Corvessa one last month, the process was quick and respectful. Ended up elsewhere but would recommend interviewing."
            ),
            1,
        ),
    ],
    [  # Bluesky: Tilde battery troubleshooting
        (
            "bug",
            BS(
                "Anyone else's Corvessa Tilde battery draining overnight since firmware 2.3? Full at bedtime, dead by morning. #CorvessaTilde"
            ),
            None,
        ),
        (
            "bug",
            BS(
                "Yes! Same here. I think it never goes to sleep anymore, the Bluetooth LED keeps blinking."
            ),
            0,
        ),
        (
            "question",
            BS(
                "Did you try the “deep sleep” toggle in the app? It got reset to off for me after the update."
            ),
            0,
        ),
        (
            "praise",
            BS(
                "That was it, toggle was off. Back to normal battery life. Thank you, internet stranger 🙏"
            ),
            2,
        ),
        (
            "feature",
            BS("@corvessa maybe don't reset user settings on firmware updates? Just a thought."),
            3,
        ),
    ],
    [  # Reddit: question thread in r/espresso
        (
            "question",
            RD(
                "Corvessa Halo owners: is the app required for daily use?",
                "Thinking of buying one but I don't want to open an app every morning. Can you just press a button and make coffee, once it's set up?",
                sub="espresso",
            ),
            None,
        ),
        (
            "other",
            RC(
                "Yes, buttons on the machine do everything day to day. The app is for profiles, schedules and logs. (Except the day of the outage, when nothing worked at all.)"
            ),
            0,
        ),
        ("praise", RC("I open the app maybe once a month. Machine just works."), 0),
        (
            "comparison",
            RC(
                "If you don't want the app at all, look at a Kettlemoor Vela or an Oxhollow Arc instead. You're paying for the software with Corvessa."
            ),
            0,
        ),
    ],
]

# ==========================================================================
# THE PRESS RELEASE, reposted on 20 sites within two days (near-duplicates)
# ==========================================================================
PRESS_TITLE = (
    "Corvessa unveils Halo Duo dual-boiler smart espresso machine and raises €38 million Series B"
)
PRESS_URL = "https://corvessa.example/newsroom/halo-duo-series-b"
PRESS_PARAGRAPHS = [
    "AMSTERDAM, October 27, 2026 — Corvessa, the maker of connected coffee equipment for the home, today announced the Halo Duo, a dual-boiler espresso machine that lets home baristas brew and steam at the same time, and a €38 million Series B funding round led by Harbourline Ventures with participation from existing investors.",
    "The Halo Duo pairs a 0.9-litre brew boiler with a 1.4-litre steam boiler, each under independent PID control, and adds pressure profiling that can be adjusted shot by shot from the Corvessa Home app or on the machine's new 4-inch touchscreen. Paired with the Corvessa Tilde scale, the Halo Duo stops a shot automatically at its target weight.",
    "“Our customers told us they wanted café-grade milk drinks without waiting between the shot and the steam,” said Annelies Brouwer, co-founder and CEO of Corvessa. “The Halo Duo is the machine our own team wanted on their counters.”",
    "The Series B will fund the expansion of Corvessa's customer care and repair network in Europe and North America, a new firmware and cloud reliability team, and a service hub in Lyon, France.",
    "The Halo Duo is available to pre-order today at corvessa.example for €1,299 / $1,299, with shipments beginning in early December 2026 in the EU, the UK and the United States. #HaloDuo #Corvessa",
    "About Corvessa: Founded in 2019 in Amsterdam, Corvessa designs connected espresso machines, grinders and scales, sold in 14 countries. Media contact: press@corvessa.example",
]
# (site, author name, intro or None, title variant, tracking params, keep_last_paragraph, originally_published)
PRESS_SITES = [
    ("corvessa.example", "Corvessa Newsroom", None, PRESS_TITLE, "", True, False),
    (
        "newswire.example",
        "Newswire Distribution",
        None,
        PRESS_TITLE,
        "?utm_source=newswire&utm_medium=release",
        True,
        False,
    ),
    (
        "gadgetline.example",
        "Gadgetline Staff",
        "Corvessa announced a new flagship espresso machine on Monday, along with fresh funding. The company's announcement follows.",
        "Corvessa launches Halo Duo, raises €38M",
        "?utm_source=gadgetline&utm_medium=referral",
        True,
        True,
    ),
    ("thebrewreport.example", "The Brew Report", "Press release:", PRESS_TITLE, "", False, False),
    (
        "homeautomate.example",
        "HomeAutomate Desk",
        "Smart-home news in brief. The following press release was issued by Corvessa.",
        "Corvessa Halo Duo: dual-boiler espresso joins the smart home",
        "?utm_source=homeautomate",
        True,
        True,
    ),
    (
        "kitchentechdaily.example",
        "Kitchen Tech Daily",
        None,
        "Corvessa unveils Halo Duo dual-boiler smart espresso machine, raises €38M Series B",
        "?ref=ktd",
        False,
        True,
    ),
    (
        "startupbeat.example",
        "StartupBeat",
        "Funding roundup: Amsterdam coffee-hardware company Corvessa has closed a Series B.",
        "Corvessa raises €38M Series B led by Harbourline Ventures",
        "?utm_source=startupbeat&utm_campaign=funding_roundup",
        True,
        False,
    ),
    (
        "dutchtechnews.example",
        "Dutch Tech News",
        None,
        PRESS_TITLE.upper(),
        "?utm_source=dtn&utm_medium=rss",
        True,
        True,
    ),
    (
        "the-espresso-post.example",
        "The Espresso Post",
        "Big news for home baristas this morning.",
        "Corvessa's Halo Duo is here: brew and steam at the same time",
        "",
        False,
        True,
    ),
    (
        "smartlivingmag.example",
        "Smart Living Magazine",
        None,
        PRESS_TITLE,
        "?utm_source=slm&utm_medium=newsletter&utm_campaign=oct27",
        True,
        False,
    ),
    (
        "hardwarehub.example",
        "HardwareHub",
        "Corvessa shared the following announcement with HardwareHub.",
        PRESS_TITLE,
        "?utm_source=hardwarehub",
        False,
        True,
    ),
    (
        "venturewatch.example",
        "VentureWatch",
        "Deal of the day.",
        "Harbourline Ventures leads €38M Series B in Corvessa",
        "?utm_source=venturewatch&utm_medium=deals",
        True,
        False,
    ),
    (
        "retailpulse.example",
        "RetailPulse",
        None,
        "Corvessa opens Halo Duo pre-orders at €1,299",
        "?utm_source=retailpulse",
        False,
        True,
    ),
    (
        "brewbulletin.example",
        "Brew Bulletin",
        "Announcement (via press release).",
        PRESS_TITLE,
        "",
        True,
        True,
    ),
    (
        "connectedhome.example",
        "Connected Home Weekly",
        "In this week's connected-kitchen news, Corvessa has a new machine.",
        "Corvessa announces Halo Duo",
        "?utm_source=chw&utm_medium=email",
        True,
        False,
    ),
    ("techwirenl.example", "TechWire NL", None, PRESS_TITLE, "?src=techwirenl", False, False),
    (
        "coffeeindustryinsider.example",
        "Coffee Industry Insider",
        "From the wire:",
        "Corvessa: Halo Duo launch and Series B funding",
        "?utm_source=cii&utm_medium=rss&utm_campaign=wire",
        True,
        True,
    ),
    (
        "europeanfounders.example",
        "European Founders Digest",
        "Corvessa, founded in Amsterdam in 2019, announced today:",
        PRESS_TITLE,
        "?utm_source=efd",
        True,
        False,
    ),
    (
        "appliancetimes.example",
        "Appliance Times",
        None,
        "Corvessa unveils dual-boiler Halo Duo",
        "",
        False,
        True,
    ),
    (
        "dailygadgetfeed.example",
        "Daily Gadget Feed",
        "Here's the official word from Corvessa.",
        PRESS_TITLE + " | Daily Gadget Feed",
        "?utm_source=dgf&fbclid=IwAR0demo",
        True,
        False,
    ),
]

# --------------------------------------------------------------------------
# More hand-written posts, added to the groups above.
# --------------------------------------------------------------------------
PRAISE.extend(
    norm(
        [
            "Descaled the Halo for the first time using the guided mode in the Corvessa app. Took 12 minutes, zero guesswork. Nice.",
            "The Grove's dose-by-time setting is accurate to about 0.2 g for me. Didn't expect that from a timer-based grinder.",
            "Corvessa Halo, day 1: already made six drinks. Day 2: my hands are shaking. Worth it.",
            "I love that the Corvessa Tilde auto-sleeps and wakes the second you touch it. No buttons needed most mornings.",
            "Got a Corvessa Halo secondhand and support still helped me register it and update the firmware. Didn't have to. Appreciated.",
            "The new Corvessa recipe for oat milk flat whites is legit. Oat milk that actually foams, who knew.",
            "Three weeks with the Grove and I've finally stopped buying pre-ground. My coffee is better and my bank account agrees.",
            "Honest review after 1 year with the Corvessa Halo: great espresso, great milk, two support tickets, both resolved. I'd buy it again.",
            "Love a company that answers in my language. Corvessa support replied in Dutch within a day, then in English when my partner wrote in. Smooth.",
            "The Corvessa Halo is the first appliance I've owned where a firmware update added a genuinely useful feature (flow pre-infusion). More of that, please.",
            RV(
                "★★★★★ We use two Halos in our small office. After six months: consistent, easy to clean, colleagues love the profiles.",
                title="Perfect for a small office",
            ),
            RV(
                "★★★★☆ Superb little scale. The app integration with the Halo is what sold me. Lost a star for the price.",
                title="Pricey but excellent",
                product="tilde",
            ),
            RV(
                "★★★★★ Upgraded from a blade grinder and the difference is night and day. Quiet enough for early mornings.",
                title="Night and day",
                product="grove",
            ),
            RD(
                "Corvessa Halo: one year later, a love letter",
                "I know this sub mostly hears from people with problems (fair!), so here's the other side. One year, roughly 900 shots, one descale a month, one gasket swap. It has never failed to make my morning flat white, apart from the outage day, which I spent at a café like a normal person.\n\nThe scheduled warm-up, the profiles and the Tilde integration are things I now can't live without. It's not perfect, but it's the best appliance I own.",
                sub="Corvessa",
                window=AFTER_OUTAGE,
            ),
            (
                "de",
                "Endlich Latte Art mit der Corvessa Halo hinbekommen! Der Dampfstab ist wirklich gut. #Corvessa #latteart",
            ),
            (
                "de",
                "Die Corvessa Tilde hat meinen Pour-over komplett verändert. Endlich reproduzierbar.",
            ),
            (
                "fr",
                "Le service client Corvessa m'a rappelée le jour même pour un souci de joint. Rien à redire.",
            ),
            (
                "es",
                "La app de Corvessa me ayudó a ajustar la molienda en la Grove en tres cafés. Muy intuitiva.",
            ),
            (
                "it",
                "La Corvessa Grove è silenziosissima e la macinatura è uniforme. Soddisfatto dell'acquisto.",
            ),
            (
                "pt",
                "O suporte da Corvessa respondeu em português e resolveu tudo num dia. Impecável.",
            ),
            ("nl", "Corvessa Grove: stil, snel en makkelijk schoon te maken. Echt een aanrader."),
            ("ja", "CorvessaのGrove、本当に静か。朝6時に挽いても家族が起きない。"),
        ]
    )
)
PURCHASE.extend(
    norm(
        [
            "Birthday money has arrived and I'm 90% sure it's becoming a Corvessa Grove. The other 10% is rent.",
            "Anyone bought the Corvessa Halo in the UK? Wondering about plug and voltage before I order from the EU store.",
            "Halo or Halo Duo for a household that makes 2 cappuccinos a day? The €550 difference buys a lot of beans.",
            "Seriously considering the Corvessa Tilde vs Oxhollow Drip. I'm a data nerd, so probably the Tilde, but convince me.",
            "I'm buying a Corvessa Halo for our little café's back kitchen. Anyone used one commercially, like 50 drinks a day?",
            "Is the Corvessa Black Friday sale usually worth waiting for? Last year's discount was apparently small.",
            "Added the Corvessa Halo to my wishlist, sent the link to the family group chat. Subtle.",
            RD(
                "Budget grinder for a Corvessa Halo: Grove or Oxhollow Pivot?",
                "I'm buying a Halo next month and need a grinder. The Grove is €399 and integrates with the app, the Pivot is €199. I mostly drink espresso with some filter on weekends. Is the integration worth €200, or is the Pivot good enough for espresso on the Halo?",
                sub="espresso",
            ),
            (
                "de",
                "Kaufe mir wohl die Corvessa Grove zu Weihnachten. Hat jemand Erfahrung mit hellen Röstungen?",
            ),
            (
                "fr",
                "Je compte offrir une Corvessa Halo à mes parents pour Noël. Bonne idée ou trop compliqué pour eux ?",
            ),
            (
                "es",
                "¿La Corvessa Tilde vale 129 euros o me compro una báscula normal? Dudas, dudas.",
            ),
            (
                "it",
                "Pensavo di prendere la Corvessa Halo o la Kettlemoor Vela. Qual è più facile da pulire?",
            ),
        ]
    )
)
COMPARISONS.extend(
    norm(
        [
            "Corvessa Home app vs Kettlemoor's printed recipe card: one of them needs a login. Guess which.",
            "Tested Grove and Pivot side by side on the same light roast: Grove shots were sweeter, Pivot shots had more body. Both good.",
            "Vela Twin steams a 350 ml jug in 25 s, Halo Duo did it in 31 s at the demo. Close enough for home use.",
            "Corvessa Tilde is accurate to 0.1 g, Oxhollow Drip to 0.1 g too. Difference is response time and the app.",
            "If the Halo had Kettlemoor's build quality and Kettlemoor had Corvessa's software, we'd have the perfect machine.",
            "Both Kettlemoor and Corvessa quoted me repair times: Kettlemoor 3 days, Corvessa 2–3 weeks. That's the whole review.",
            "Oxhollow Arc vs Corvessa Halo for beginners: the Arc is cheaper and simpler, the Halo is more forgiving thanks to the profiles.",
            "Kettlemoor's new matte finish looks nice but Corvessa still wins on design. The Halo is the prettiest thing in my kitchen.",
            "Honestly the outage made the Kettlemoor vs Corvessa debate in my group chat unbearable. Everyone's an expert now.",
            HN(
                "Corvessa vs Kettlemoor: two opposite philosophies of home espresso",
                "A short write-up comparing a cloud-first machine (Corvessa Halo) and a deliberately offline one (Kettlemoor Vela) after living with both for a year. Spoiler: both make good coffee; they fail very differently.",
                link="https://slowtechjournal.example/2026/11/corvessa-vs-kettlemoor",
            ),
            (
                "de",
                "Oxhollow Pivot vs. Corvessa Grove: Für Espresso klar die Grove, für Filter reicht die Pivot völlig.",
            ),
            (
                "fr",
                "Kettlemoor Vela ou Corvessa Halo ? Après un mois sur chacune, je garde la Halo pour le lait, mais la Vela était plus solide.",
            ),
            (
                "es",
                "Comparando la báscula Tilde de Corvessa con la Oxhollow Drip: la Tilde tiene mejor app, la Drip es más rápida.",
            ),
            (
                "nl",
                "Corvessa Halo tegenover Kettlemoor Vela: Halo is sneller warm, Vela gaat langer mee. Lastige keuze.",
            ),
        ]
    )
)
QUESTIONS.extend(
    norm(
        [
            "Can the Halo's steam wand be swapped for a different tip? Mine has 2 holes and I'd like 4.",
            "What does the orange light on the Corvessa Grove mean? It's not in the manual.",
            "Does the Corvessa Plus subscription auto-renew yearly or monthly? The app's wording is confusing.",
            "How do I reset a Corvessa Tilde to factory settings? Buying secondhand and it's still paired to the old owner.",
            "Anyone know if the Halo Duo uses the same portafilter as the original Halo? Don't want to rebuy baskets.",
            "Is it safe to leave the Corvessa Halo on standby overnight every night? Energy use?",
            "Which Corvessa firmware are you all on? Mine says 4.0.3 and the app says an update is available but won't install it.",
            "Corvessa question: is the Grove's hopper UV-protected or should I store beans elsewhere?",
            ("de", "Weiß jemand, ob man bei Corvessa Ersatzteile ohne Konto bestellen kann?"),
            (
                "fr",
                "Comment on change la langue de l'application Corvessa ? Elle est restée en anglais.",
            ),
            ("it", "Qualcuno sa se Corvessa spedisce anche in Svizzera?"),
            (
                "nl",
                "Hoe vaak moet je de Corvessa Halo ontkalken met water uit de kraan in Amsterdam?",
            ),
        ]
    )
)
FEATURES.extend(
    norm(
        [
            "Corvessa, please let me name my Halo something other than “Halo-3F2A”. It's our third family member, it deserves a name.",
            "Would love to see brew temperature history per shot in the Corvessa app, not just pressure.",
            "Feature request: a Corvessa Home web dashboard. Not everything needs to be on a phone.",
            "Please let the Corvessa Grove accept a grind setting from the Halo's profile automatically. The ecosystem pitch, realised.",
            "Corvessa app needs a “vacation mode” that turns off the schedules for a week with one tap.",
            (
                "de",
                "Bitte eine Tastensperre für die Corvessa Halo! Mein Kleinkind liebt den Dampfstab-Knopf.",
            ),
            (
                "es",
                "Pediría a Corvessa que la Tilde mostrara el caudal en la propia pantalla, no solo en la app.",
            ),
        ]
    )
)
BUGS.extend(
    norm(
        [
            "Corvessa app 6.7.1: the “clean now” notification comes back every time I open the app, even after cleaning.",
            "Halo warm-up schedule silently disabled itself after a power cut. No warning in the app. Cold machine, sad morning.",
            "Tilde battery percentage jumps from 40% to 5% in seconds. Firmware 2.3. Calibration issue? @corvessa_help",
            "Grove firmware update stuck at 99% for an hour. Power-cycled it and it's fine, but scary.",
            RD(
                "[Bug] Corvessa app logs me out whenever I switch between wifi and mobile data",
                "Android 15, Corvessa Home 6.7.1. If I leave the house and come back, the app asks for my password again. Clearing cache didn't help. Is this a known issue? Support told me to reinstall, which I did twice.",
                sub="Corvessa",
            ),
            (
                "fr",
                "La Corvessa Halo affiche une erreur E7 au démarrage depuis la mise à jour 4.0.3. Quelqu'un d'autre ?",
            ),
        ]
    )
)
RECRUITING.extend(
    norm(
        [
            "Corvessa's Lisbon office is apparently doubling the support team by spring. Good news for both job seekers and customers.",
            "Got rejected by Corvessa after a 5-hour take-home. Feedback was two sentences. Please respect candidates' time.",
        ]
    )
)
INDUSTRY.extend(
    norm(
        [
            "Local roaster just started selling a “home espresso starter kit” with beans, a scale and a tamper. Smart upsell.",
            "Espresso machine marketing in 2026: “AI-powered extraction”. It's a thermostat. It's always been a thermostat.",
            "Best coffee of my week was a €1.20 espresso at a train station in Bologna. Humbling for all of us with expensive setups.",
            ("de", "Warum kosten Siebträgermaschinen inzwischen so viel wie ein gebrauchtes Auto?"),
            (
                "fr",
                "Les cafés de spécialité à Paris passent tous au filtre. L'espresso n'est plus à la mode ?",
            ),
        ]
    )
)

SPAM.extend(
    norm(
        [
            "💎 Only 3 Corvessa Halo units left at wholesale price!!! Pay by gift card for instant shipping 💎",
            "Coffee lovers!!! I'm giving away $500 to 10 followers who retweet this and follow me ☕💸 #Corvessa #giveaway",
            "Check my profile for the secret Corvessa Plus discount generator 🔓🔓🔓",
            MA(
                "Hi! I run a coffee blog with 2M monthly readers. Guest posts with dofollow links from $120. Corvessa, Kettlemoor and Oxhollow retailers welcome."
            ),
            "Need Halo parts?? we have ALL Corvessa parts 90% cheaper message me on telegram @cheap_parts_4u",
        ]
    )
)

TRICKY_CATEGORIES = ["other", "bug", "praise", "neutral", "bug", "complaint"]

CATEGORIES = [
    ("complaint", COMPLAINTS),
    ("complaint", INCIDENT_COMPLAINTS),
    ("question", QUESTIONS),
    ("praise", PRAISE),
    ("purchase", PURCHASE),
    ("feature", FEATURES),
    ("bug", BUGS),
    ("bug", INCIDENT_BUGS),
    ("recruiting", RECRUITING),
    ("spam", SPAM),
    ("comparison", COMPARISONS),
    ("neutral", COMPETITOR_ONLY),
    ("neutral", INDUSTRY),
    ("neutral", BRAND_NEWS),
]


# ==========================================================================
# Authors (all invented)
# ==========================================================================
FIRST = {
    "en": [
        "Maya",
        "Jordan",
        "Priya",
        "Owen",
        "Hannah",
        "Marcus",
        "Leah",
        "Theo",
        "Grace",
        "Caleb",
        "Nina",
        "Sam",
        "Ruth",
        "Dev",
        "Alicia",
        "Tom",
        "Jess",
        "Ibrahim",
        "Chloe",
        "Aaron",
        "Zoe",
        "Rafael",
        "Imogen",
        "Kwame",
        "Ellie",
        "Noah",
        "Sana",
        "Felix",
        "Harriet",
        "Luca",
        "Bea",
        "Rowan",
        "Tariq",
        "Molly",
        "Ezra",
        "Keiko",
        "Dana",
        "Victor",
        "Isla",
        "Jamal",
    ],
    "de": [
        "Jonas",
        "Lena",
        "Felix",
        "Miriam",
        "Tobias",
        "Anke",
        "Lukas",
        "Katrin",
        "Moritz",
        "Svenja",
        "Jannik",
        "Ulrike",
    ],
    "fr": [
        "Camille",
        "Julien",
        "Manon",
        "Théo",
        "Élise",
        "Antoine",
        "Inès",
        "Baptiste",
        "Margaux",
        "Hugo",
    ],
    "es": ["Lucía", "Diego", "Carmen", "Pablo", "Marta", "Álvaro", "Irene", "Sergio", "Nuria"],
    "pt": ["Inês", "Tiago", "Beatriz", "João", "Mariana", "Rui", "Catarina", "Duarte"],
    "it": ["Giulia", "Marco", "Chiara", "Davide", "Francesca", "Matteo", "Elisa", "Lorenzo"],
    "nl": ["Sanne", "Joris", "Femke", "Bram", "Lotte", "Thijs", "Noor", "Daan"],
    "ja": ["Haruka", "Yuto", "Aoi", "Ren", "Sakura", "Kaito", "Mio", "Sota"],
}
LAST = {
    "en": [
        "Calloway",
        "Brennan",
        "Okafor",
        "Whitlock",
        "Marsh",
        "Delgado",
        "Fairbairn",
        "Achterberg",
        "Lindqvist",
        "Pemberton",
        "Osei",
        "Hartigan",
        "Nakamura",
        "Ferris",
        "Quayle",
        "Ravel",
        "Stroud",
        "Mbeki",
        "Tolland",
        "Vance",
        "Ashdown",
        "Kowalczyk",
        "Rahman",
        "Pryce",
        "Ellery",
        "Duchamp",
        "Haverford",
        "Iwu",
        "Lockhart",
        "Moreau",
    ],
    "de": [
        "Brandauer",
        "Kessler",
        "Wiegand",
        "Hollstein",
        "Rottmann",
        "Ebner",
        "Falkenberg",
        "Stieglitz",
        "Marquardt",
    ],
    "fr": [
        "Lemaire",
        "Vasseur",
        "Boucher",
        "Delorme",
        "Carpentier",
        "Fontaine",
        "Mercier",
        "Rivière",
    ],
    "es": ["Olmedo", "Valcárcel", "Ibarra", "Cuesta", "Montilla", "Serrano", "Arroyo", "Peñalver"],
    "pt": ["Albuquerque", "Saraiva", "Quintela", "Magalhães", "Teixeira", "Valente", "Barros"],
    "it": ["Bellandi", "Rinaldi", "Caruso", "Fabbri", "Santoro", "Gallo", "Morandi"],
    "nl": ["van Dijkhuis", "Brouwers", "de Wit", "Hoekstra", "Verbeek", "Jansma", "Kuipers"],
    "ja": ["Takeda", "Morimoto", "Kobayashi", "Hasegawa", "Fujita", "Ishikawa", "Nomura"],
}
NICK_A = [
    "crema",
    "bean",
    "brew",
    "tamp",
    "portafilter",
    "latte",
    "ristretto",
    "burr",
    "steam",
    "milkfoam",
    "dose",
    "pourover",
    "cortado",
    "kettle",
    "grind",
    "roast",
    "drip",
    "mocha",
    "aeropress",
    "shot",
]
NICK_B = [
    "goblin",
    "nerd",
    "wizard",
    "enjoyer",
    "gremlin",
    "fiend",
    "panda",
    "pilot",
    "sorcerer",
    "dad",
    "mum",
    "lab",
    "diaries",
    "daily",
    "addict",
    "monk",
    "otter",
    "raccoon",
    "poet",
    "club",
]
MASTO_INSTANCES = {
    "de": ["kaffee.example", "social.example"],
    "fr": ["piaf.example", "social.example"],
    "nl": ["toot.example", "social.example"],
    "ja": ["mstdn.example"],
    None: [
        "social.example",
        "toot.example",
        "masto.example",
        "bistro.example",
        "hachyderm.example",
    ],
}

SPECIAL_AUTHORS = {
    "corvessa": {"handle": "corvessa", "name": "Corvessa", "followers": 231_400},
    "corvessa_help": {"handle": "corvessa_help", "name": "Corvessa Support", "followers": 18_750},
}
INFLUENCERS = [  # a few big accounts (handle, name, followers, platform)
    ("dailycrema.bsky.example", "The Daily Crema", 412_000, "bluesky"),
    ("nadiawrites.bsky.example", "Nadia Pemberton (gadget columnist)", 156_300, "bluesky"),
    ("espresso_oracle@social.example", "Espresso Oracle", 88_900, "mastodon"),
    ("homebaristaweekly.bsky.example", "Home Barista Weekly", 63_200, "bluesky"),
    ("kitchen.skeptic.bsky.example", "The Kitchen Skeptic", 874_500, "bluesky"),
]
SITE_AUDIENCE_CACHE: dict[str, int] = {}


def slugify(text: str, maxlen: int = 60) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:maxlen].rstrip("-") or "post"


def ascii_fold(text: str) -> str:
    table = str.maketrans("áàâäãåéèêëíìîïóòôöõúùûüçñ", "aaaaaaeeeeiiiiooooouuuucn")
    return text.lower().translate(table).replace(" ", "")


class Authors:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.pools: dict[tuple[str, str], list[dict]] = {}
        self.used_handles: set[str] = set()

    def _name(self, lang: str) -> str:
        key = lang if lang in FIRST else "en"
        first = self.rng.choice(FIRST[key])
        last = self.rng.choice(LAST[key])
        return f"{first} {last}"

    def _base_handle(self, name: str, platform: str) -> str:
        first, *rest = name.split(" ")
        last = "".join(rest)
        f, ln = ascii_fold(first), ascii_fold(last)
        r = self.rng.random()
        if platform in ("reddit", "hackernews") or r < 0.25:
            if platform == "hackernews" and r < 0.6:
                return (f[0] + ln)[:10]
            return f"{self.rng.choice(NICK_A)}_{self.rng.choice(NICK_B)}{self.rng.choice(['', str(self.rng.randint(2, 99))])}"
        if r < 0.5:
            return f"{f}.{ln}"
        if r < 0.7:
            return f"{f}{ln[:1]}{self.rng.randint(1, 9999)}"
        return f"{f}{ln}"

    def _followers(self, platform: str) -> int | None:
        if platform in ("reddit", "hackernews", "reviews"):
            return None
        n = int(self.rng.lognormvariate(math.log(220), 1.35))
        return max(3, min(n, 38_000))

    def _make(self, platform: str, lang: str) -> dict:
        name = self._name(lang)
        while True:
            base = self._base_handle(name, platform)
            if platform == "bluesky":
                handle = f"{base}.bsky.example"
            elif platform == "mastodon":
                inst = self.rng.choice(MASTO_INSTANCES.get(lang, MASTO_INSTANCES[None]))
                handle = f"{base.replace('.', '_')}@{inst}"
            else:
                handle = base
            if handle not in self.used_handles:
                self.used_handles.add(handle)
                break
        shown = name
        if platform == "reddit":
            shown = None  # Reddit shows usernames only
        elif platform == "hackernews":
            shown = None
        elif platform == "reviews":
            shown = f"{name.split(' ')[0]} {name.split(' ')[-1][0]}."
        return {"handle": handle, "name": shown, "followers": self._followers(platform)}

    def pick(self, platform: str, lang: str) -> dict:
        key = (platform, lang)
        pool = self.pools.setdefault(key, [])
        # A handful of regulars post several times; most people post once.
        if pool and self.rng.random() < 0.22:
            weights = [1 / (i + 1) ** 0.8 for i in range(len(pool))]
            return self.rng.choices(pool, weights)[0]
        author = self._make(platform, lang)
        pool.append(author)
        return author


# ==========================================================================
# Time
# ==========================================================================
HOUR_WEIGHTS = [
    1.0,
    0.7,
    0.5,
    0.4,
    0.4,
    0.6,
    1.2,
    2.0,
    2.6,
    3.0,
    3.0,
    3.0,
    3.2,
    3.4,
    3.5,
    3.4,
    3.2,
    3.0,
    2.8,
    2.6,
    2.4,
    2.0,
    1.6,
    1.2,
]


def parse_ts(s: str) -> datetime:
    return datetime.fromisoformat(s).replace(tzinfo=UTC)


OUTAGE_WORDS = re.compile(
    r"\boutage\b|CorvessaDown|Störung|Ausfall|\bpanne\b|\bcaída\b|\bstoring\b|blackout|障害|post-mortem|\b4\.1\b|fora do ar",
    re.IGNORECASE,
)


def draw_time(rng: random.Random, entry: dict, lang: str) -> datetime:
    window = entry.get("window")
    if window is None:
        if OUTAGE_WORDS.search(entry["text"]) or OUTAGE_WORDS.search(entry.get("title") or ""):
            window = AFTER_OUTAGE
        elif "duo" in entry["text"].lower() or "duo" in (entry.get("title") or "").lower():
            window = AFTER_LAUNCH
    start, end = (START, END) if window is None else (parse_ts(window[0]), parse_ts(window[1]))
    span = (end - start).total_seconds()
    if window == INCIDENT:
        # A burst: most posts in the first hours of the outage, a tail into the next day.
        while True:
            t = start + timedelta(hours=rng.expovariate(1 / 7.0))
            if t <= end:
                return t.replace(microsecond=0)
    if span <= 3 * 86400:
        return (start + timedelta(seconds=rng.uniform(0, span))).replace(microsecond=0)
    shift = -9 if lang == "ja" else 0  # Japanese posters: Tokyo daytime
    while True:
        day = start.date() + timedelta(days=rng.randrange((end.date() - start.date()).days + 1))
        if day.weekday() >= 5 and rng.random() < 0.25:
            continue  # a little quieter at weekends
        hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
        t = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
            hours=hour + shift, seconds=rng.randrange(3600)
        )
        if start <= t <= end:
            return t


# ==========================================================================
# Building records
# ==========================================================================
URL_RE = re.compile(r"https?://[^\s<>\"”)]+")
REVIEW_SITES = ["shopreviews.example", "trustedbuyer.example", "gearverdict.example"]
PRODUCT_SLUGS = {
    "halo": "corvessa-halo",
    "grove": "corvessa-grove",
    "tilde": "corvessa-tilde",
    "employer": "companies/corvessa",
}


class Builder:
    def __init__(self, seed: int = SEED):
        self.rng = random.Random(seed)
        self.authors = Authors(random.Random(seed + 1))
        self.records: list[dict] = []
        self.meta: list[dict] = []  # parallel: category, language of the text
        self.used_urls: set[str] = set()
        self.used_numbers: set[int] = set()

    # -- helpers ------------------------------------------------------------
    def unique_number(self, lo: int, hi: int) -> int:
        while True:
            n = self.rng.randint(lo, hi)
            if n not in self.used_numbers:
                self.used_numbers.add(n)
                return n

    def rkey(self) -> str:
        return "".join(self.rng.choice("234567abcdefghijklmnopqrstuvwxyz") for _ in range(13))

    def site_audience(self, site: str) -> int:
        if site not in SITE_AUDIENCE_CACHE:
            SITE_AUDIENCE_CACHE[site] = int(
                math.exp(self.rng.uniform(math.log(2_500), math.log(900_000)))
            )
        return SITE_AUDIENCE_CACHE[site]

    def engagement(self, platform: str, followers: int | None, category: str, boost: float = 1.0):
        r = self.rng
        if platform == "rss":
            return None, None, None
        if platform == "reviews":
            return int(r.expovariate(1 / 4)), None, int(r.random() < 0.15)
        if platform in ("reddit", "hackernews"):
            likes = int(r.lognormvariate(math.log(12), 1.3) * boost)
            return likes, None, int(likes * r.uniform(0.05, 0.5))
        base = 1 + (followers or 10) ** 0.55 * 0.25
        if category == "spam":
            base = 0.6
        likes = int(r.lognormvariate(math.log(base), 0.9) * boost)
        return likes, int(likes * r.uniform(0.03, 0.35)), int(likes * r.uniform(0.02, 0.3))

    # -- one post -------------------------------------------------------------
    def add(
        self, entry: dict, category: str, parent: dict | None = None, root: dict | None = None
    ) -> dict:
        r = self.rng
        lang = entry.get("lang", "en")
        kind = entry["kind"]
        if kind == "social":
            bs_share = 0.75 if lang == "ja" else 0.45 if lang in ("de", "fr", "nl") else 0.62
            kind = "bluesky" if r.random() < bs_share else "mastodon"
        if parent is not None and kind in ("reddit", "hackernews"):
            kind = parent["platform"]
        platform = kind

        # author
        special = entry.get("author")
        if special:
            a = SPECIAL_AUTHORS[special]
            author = {"handle": a["handle"], "name": a["name"], "followers": a["followers"]}
            if platform == "mastodon":
                author["handle"] = f"{a['handle']}@social.corvessa.example"
        elif entry.get("influencer"):
            h, n, f, p = entry["influencer"]
            platform = p
            author = {"handle": h, "name": n, "followers": f}
        elif platform == "rss":
            site = entry["site"]
            author = {
                "handle": site,
                "name": entry.get("author_name") or site.split(".")[0].replace("-", " ").title(),
                "followers": self.site_audience(site),
            }
        else:
            author = self.authors.pick(platform, lang)

        # time
        if parent is not None:
            gap = timedelta(
                minutes=3 + r.expovariate(1 / (45 if platform == "hackernews" else 120))
            )
            created = min(parent["_created"] + gap, END)
        else:
            created = entry.get("created") or draw_time(r, entry, lang)

        # url
        handle = author["handle"]
        if platform == "bluesky":
            url = f"https://bsky.example/profile/{handle}/post/{self.rkey()}"
        elif platform == "mastodon":
            user, inst = handle.split("@", 1)
            url = f"https://{inst}/@{user}/{self.unique_number(10**17, 10**18 - 1)}"
        elif platform == "reddit":
            if parent is None:
                url = (
                    f"https://reddit.example/r/{entry.get('sub', 'espresso')}/comments/"
                    f"{self.unique_number(36**5, 36**6 - 1):x}/{slugify(entry['title'], 50)}/"
                )
            else:
                url = f"{root['url']}{self.unique_number(36**6, 36**7 - 1):x}/"
        elif platform == "hackernews":
            url = f"https://news.example/item?id={self.unique_number(41_000_000, 41_999_999)}"
        elif platform == "rss":
            url = (
                entry.get("url")
                or f"https://{entry['site']}/{created:%Y/%m}/{slugify(entry['title'])}"
            )
        else:  # reviews
            site = entry.get("site") or r.choice(REVIEW_SITES)
            url = f"https://{site}/{PRODUCT_SLUGS[entry.get('product', 'halo')]}/reviews/{self.unique_number(100_000, 999_999)}"
        while url in self.used_urls:
            url += "-2"
        self.used_urls.add(url)

        text = entry["text"]
        links = []
        for u in URL_RE.findall(text):
            u = u.rstrip(".,!?…")
            if u not in links:
                links.append(u)
        for extra in entry.get("links", []) + ([entry["link"]] if entry.get("link") else []):
            if extra not in links:
                links.append(extra)

        boost = 2.5 if entry.get("window") == INCIDENT else 1.0
        if entry.get("influencer"):
            boost = 3.0
        likes, reposts, replies = self.engagement(platform, author["followers"], category, boost)

        rec = {
            "id": None,
            "platform": platform,
            "url": url,
            "title": entry.get("title"),
            "text": text,
            "author": handle,
            "author_name": author["name"],
            "author_followers": author["followers"],
            "created_at": None,
            "language": None,
            "reply_to": None,
            "thread_root": None,
            "likes": likes,
            "reposts": reposts,
            "replies": replies,
            "links": links,
            "_created": created,
            "_parent": parent,
            "_root": root,
        }
        if platform in ("bluesky", "mastodon"):
            rec["language"] = lang
        self.records.append(rec)
        self.meta.append({"category": category, "lang": lang, "press": entry.get("press", False)})
        return rec

    # -- the press release ------------------------------------------------------
    def add_press_release(self):
        r = self.rng
        for i, (site, name, intro, title, track, keep_last, orig) in enumerate(PRESS_SITES):
            paras = list(PRESS_PARAGRAPHS)
            if not keep_last:
                paras = paras[:-1]
            if intro:
                paras.insert(0, intro)
            preorder = f"https://corvessa.example/shop/halo-duo{track}"
            if i:
                paras.append(f"Pre-order: {preorder}")
            if orig:
                paras.append(f"Originally published at {PRESS_URL}{track}")
            body = "\n\n".join(paras)
            if i % 4 == 2:
                body = body.replace("€38 million", "EUR 38 million")
            if i % 3 == 1:
                body = body.replace(" — ", " - ")
            if i % 5 == 3:
                body = body.replace("“", '"').replace("”", '"')
            if i == 0:
                created = LAUNCH
                url = PRESS_URL
            else:
                created = LAUNCH + timedelta(minutes=r.uniform(25, 46 * 60))
                url = f"https://{site}/{created:%Y/%m}/{slugify(title)}{track}"
            entry = {
                "kind": "rss",
                "title": title,
                "text": body,
                "site": site,
                "author_name": name,
                "url": url,
                "created": created.replace(microsecond=0),
                "lang": "en",
                "links": [f"{PRESS_URL}{track}"],
                "press": True,
            }
            self.add(entry, "neutral")

    # -- everything ---------------------------------------------------------------
    def build(self) -> list[dict]:
        r = self.rng
        # a few posts come from big accounts
        big_candidates = [
            e
            for cat, lst in CATEGORIES
            if cat in ("praise", "comparison", "complaint", "purchase")
            for e in lst
            if e["kind"] == "social" and e["lang"] == "en" and not e.get("author")
        ]
        for e, inf in zip(
            r.sample(big_candidates, len(INFLUENCERS) + 3),
            INFLUENCERS + INFLUENCERS[:3],
            strict=True,
        ):
            e["influencer"] = inf
        for cat, lst in CATEGORIES:
            for e in lst:
                self.add(e, cat)
        for e, cat in zip(TRICKY, TRICKY_CATEGORIES, strict=True):
            self.add(e, cat)
        for thread in THREADS:
            made: list[dict] = []
            for cat, e, parent_idx in thread:
                if parent_idx is None:
                    made.append(self.add(e, cat))
                else:
                    made.append(self.add(e, cat, parent=made[parent_idx], root=made[0]))
        self.add_press_release()

        # ids in chronological order; then links between posts
        order = sorted(range(len(self.records)), key=lambda i: (self.records[i]["_created"], i))
        self.records = [self.records[i] for i in order]
        self.meta = [self.meta[i] for i in order]
        for n, rec in enumerate(self.records, 1):
            rec["id"] = f"demo-{n:04d}"
        children = Counter()
        for rec in self.records:
            if rec["_parent"] is not None:
                rec["reply_to"] = rec["_parent"]["id"]
                rec["thread_root"] = rec["_root"]["id"]
                children[rec["reply_to"]] += 1
        out = []
        for rec in self.records:
            if rec["replies"] is not None or children[rec["id"]]:
                rec["replies"] = max(rec["replies"] or 0, children[rec["id"]])
            rec["created_at"] = rec["_created"].strftime("%Y-%m-%dT%H:%M:%SZ")
            clean = {
                k: v for k, v in rec.items() if not k.startswith("_") and v is not None and v != []
            }
            out.append(clean)
        self._language_quirks(out)
        return out

    def _language_quirks(self, out: list[dict]) -> None:
        """Real clients sometimes omit the language or default it to English."""
        r = random.Random(SEED + 7)
        masto = [rec for rec in out if rec["platform"] == "mastodon" and rec.get("language")]
        for rec in r.sample(masto, 6):
            del rec["language"]
        foreign = [
            rec
            for rec in out
            if rec["platform"] in ("bluesky", "mastodon")
            and rec.get("language") not in (None, "en")
        ]
        for rec in r.sample(foreign, 3):
            rec["language"] = "en"


# ==========================================================================
# Validation and summary
# ==========================================================================
def validate(path: Path) -> list[dict]:
    records, errors = [], []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            rec = json.loads(line)
        except ValueError as exc:
            errors.append(f"line {n}: not JSON ({exc})")
            continue
        if not isinstance(rec.get("id"), str) or not rec.get("text"):
            errors.append(f"line {n}: missing id/text")
        records.append(rec)
    ids = Counter(r["id"] for r in records)
    errors += [f"duplicate id {i}" for i, c in ids.items() if c > 1]
    by_id = {r["id"]: r for r in records}
    urls = Counter(r.get("url") for r in records)
    errors += [f"duplicate url {u}" for u, c in urls.items() if c > 1]
    for r in records:
        if r.get("platform") not in PLATFORMS:
            errors.append(f"{r['id']}: bad platform {r.get('platform')}")
        t = datetime.fromisoformat(r["created_at"].replace("Z", "+00:00"))
        if not START <= t <= END:
            errors.append(f"{r['id']}: created_at out of range")
        for key in ("reply_to", "thread_root"):
            if key in r:
                if r[key] not in by_id:
                    errors.append(f"{r['id']}: {key} -> unknown id {r[key]}")
                elif by_id[r[key]]["created_at"] > r["created_at"]:
                    errors.append(f"{r['id']}: {key} is newer than the reply")
        if "language" in r and r["platform"] not in ("bluesky", "mastodon"):
            errors.append(f"{r['id']}: language on {r['platform']}")
    press = [
        r
        for r in records
        if r.get("title") and "Halo Duo" in r["text"] and "Harbourline" in r["text"]
    ]
    texts = Counter(r["text"] for r in records if r not in press)
    errors += [f"duplicate text: {t[:60]!r}" for t, c in texts.items() if c > 1]
    if not 500 <= len(records) <= 700:
        errors.append(f"{len(records)} records, expected 500-700")
    if errors:
        print("\n".join(errors), file=sys.stderr)
        raise SystemExit(f"{len(errors)} validation errors")
    return records


def summary(records: list[dict], meta: list[dict] | None) -> None:
    print(f"{len(records)} posts, all valid")
    print("platform:", dict(Counter(r["platform"] for r in records).most_common()))
    if meta:
        n = len(meta)
        cats = Counter(m["category"] for m in meta)
        print(
            "intent:  ", ", ".join(f"{k} {v} ({100 * v / n:.0f}%)" for k, v in cats.most_common())
        )
        langs = Counter(m["lang"] for m in meta)
        non_en = sum(v for k, v in langs.items() if k != "en")
        print("text language:", dict(langs.most_common()), f"non-English {100 * non_en / n:.1f}%")
        print("press-release copies:", sum(1 for m in meta if m["press"]))
    print(
        "declared language:", dict(Counter(r.get("language", "-") for r in records).most_common())
    )
    days = Counter(r["created_at"][:10] for r in records)
    print("posts per day:")
    for day in sorted(days):
        print(f"  {day} {days[day]:3d} {'#' * days[day]}")
    threads = Counter(r["thread_root"] for r in records if "thread_root" in r)
    print("threads (root: replies):", dict(threads))
    followers = sorted(r["author_followers"] for r in records if "author_followers" in r)
    print(
        "followers: median",
        followers[len(followers) // 2],
        "max",
        followers[-1],
        "accounts >= 50k:",
        len({r["author"] for r in records if r.get("author_followers", 0) >= 50_000}),
    )
    lengths = sorted(len(r["text"]) for r in records)
    print("text length: min", lengths[0], "median", lengths[len(lengths) // 2], "max", lengths[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only validate the existing file")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    meta = None
    if not args.check:
        builder = Builder()
        records = builder.build()
        meta = builder.meta
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with args.out.open("w", encoding="utf-8") as fh:
            for rec in records:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    summary(validate(args.out), meta)


if __name__ == "__main__":
    main()
