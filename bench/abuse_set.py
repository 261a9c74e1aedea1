"""A generated, labelled set of readers' comments in four languages (en, fr, nl, de): ordinary
comments, and comments moderators reject for abuse.

    from bench.abuse_set import generate
    examples = generate(size=4000, seed=11)

How it is made: per language, hand-written templates with random slots, seeded, so every run
gives the same set. Ordinary comments are opinions on a story, questions, corrections and
anecdotes; a fifth of them are harsh about a policy or a politician's plan with words abuse
also uses ("stupid", "a disgrace"), so words alone do not separate the classes. Abusive
comments insult, demean or threaten another reader or the journalist; a quarter of them are
camouflaged as an opinion with a single insult or a veiled threat in it, and some carry what
moderators also reject with them (a phone number to harass someone: personal data). Author
signals (email given, first comment) are drawn at different rates per class, as moderators see
them, and 4% of the labels are flipped, as moderators err. About one comment in four is abusive.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

LANGUAGES = ("en", "fr", "nl", "de")


@dataclass(frozen=True)
class Example:
    language: str
    text: str
    is_abuse: bool
    has_email: bool
    first_comment: bool


@dataclass(frozen=True)
class Vocabulary:
    topics: tuple[str, ...]
    opinions: tuple[str, ...]  # with {topic}
    details: tuple[str, ...]
    harsh: tuple[str, ...]  # ordinary but harsh, about a plan, with {topic}
    insults: tuple[str, ...]  # nouns
    adjectives: tuple[str, ...]
    abuse: tuple[str, ...]  # with {insult}, {adjective}, {name}
    threats: tuple[str, ...]  # with {name}
    names: tuple[str, ...]


VOCABULARIES = {
    "en": Vocabulary(
        topics=("the budget", "the tram line", "the school reform", "the heatwave",
                "the housing plan", "the hospital strike", "the bike lanes", "the new stadium"),
        opinions=("I think {topic} is long overdue.", "Honestly {topic} worries me.",
                  "Good reporting on {topic}.", "The article leaves out who pays for {topic}.",
                  "My neighbours are split on {topic}.", "{topic} will cost us more."),
        details=("The numbers in the third paragraph do not add up.", "Where does the money"
                 " come from?", "I would like to see a follow-up.", "Thanks for explaining it.",
                 "We had the same debate years ago.", "Prices went up twice this year."),
        harsh=("{topic} is a stupid idea and a disgrace.", "What a pathetic plan {topic} is.",
               "{topic} is a disgusting waste of our money.", "Whoever designed {topic} was"
               " clueless."),
        insults=("idiot", "moron", "clown", "loser", "parasite", "troll", "imbecile"),
        adjectives=("stupid", "pathetic", "disgusting", "brainless", "worthless"),
        abuse=("You are a {adjective} {insult}, {name}.", "Shut up {name}, you {insult}.",
               "Nobody cares what a {insult} like you thinks.", "{name} is a {adjective}"
               " {insult} and everyone knows it.", "Go back under your bridge, {insult}."),
        threats=("Watch your back, {name}, we know where you live.", "Someone should shut"
                 " {name} up for good.", "Call {name} at 0612 345 678 and tell him what you"
                 " think."),
        names=("Dave", "the author", "Sarah", "Mark", "the mayor's fan"),
    ),
    "fr": Vocabulary(
        topics=("le budget", "le tramway", "la réforme scolaire", "la canicule",
                "le plan logement", "la grève à l'hôpital", "les pistes cyclables", "le stade"),
        opinions=("Je pense que {topic} arrive bien trop tard.", "Franchement {topic}"
                  " m'inquiète.", "Bon article sur {topic}.", "L'article oublie qui paie"
                  " {topic}.", "Mes voisins sont partagés sur {topic}.", "{topic} va nous coûter"
                  " plus cher."),
        details=("Les chiffres du troisième paragraphe sont faux.", "D'où vient l'argent ?",
                 "J'aimerais une suite à cet article.", "Merci pour ces explications.",
                 "On a eu le même débat il y a des années.", "Les prix ont encore augmenté."),
        harsh=("{topic}, c'est une idée stupide et une honte.", "Quel plan pathétique que"
               " {topic}.", "{topic} est un gaspillage dégoûtant de notre argent.", "Celui qui"
               " a conçu {topic} n'y connaît rien."),
        insults=("crétin", "abruti", "connard", "guignol", "minable", "imbécile", "parasite"),
        adjectives=("stupide", "pathétique", "dégoûtant", "débile", "nul"),
        abuse=("Tu es un {insult} {adjective}, {name}.", "Ferme-la {name}, espèce de"
               " {insult}.", "Personne ne se soucie de l'avis d'un {insult} comme toi.",
               "{name} est un {insult} {adjective} et tout le monde le sait.", "Retourne dans"
               " ta grotte, {insult}."),
        threats=("Fais attention, {name}, on sait où tu habites.", "Quelqu'un devrait faire"
                 " taire {name} pour de bon.", "Appelez {name} au 06 12 34 56 78 pour lui dire"
                 " ce que vous pensez."),
        names=("Pierre", "l'auteur", "Sophie", "Marc", "le journaliste"),
    ),
    "nl": Vocabulary(
        topics=("de begroting", "de tramlijn", "de onderwijshervorming", "de hittegolf",
                "het woningplan", "de ziekenhuisstaking", "de fietspaden", "het nieuwe stadion"),
        opinions=("Ik vind {topic} veel te laat.", "Eerlijk gezegd baart {topic} me zorgen.",
                  "Goed stuk over {topic}.", "Het artikel zegt niet wie {topic} betaalt.",
                  "Mijn buren zijn verdeeld over {topic}.", "{topic} gaat ons meer kosten."),
        details=("De cijfers in de derde alinea kloppen niet.", "Waar komt het geld vandaan?",
                 "Ik zou graag een vervolg zien.", "Bedankt voor de uitleg.",
                 "Dit debat hadden we jaren geleden ook al.", "De prijzen zijn weer gestegen."),
        harsh=("{topic} is een dom idee en een schande.", "Wat een zielig plan is {topic}.",
               "{topic} is walgelijke verspilling van ons geld.", "Wie {topic} heeft bedacht"
               " heeft er geen verstand van."),
        insults=("idioot", "sukkel", "klootzak", "mongool", "loser", "eikel", "randdebiel"),
        adjectives=("dom", "zielig", "walgelijk", "hersenloos", "waardeloos"),
        abuse=("Je bent een {adjective}e {insult}, {name}.", "Hou je bek {name}, {insult}.",
               "Niemand boeit wat een {insult} als jij denkt.", "{name} is een {adjective}e"
               " {insult} en dat weet iedereen.", "Kruip terug onder je steen, {insult}."),
        threats=("Pas maar op, {name}, we weten waar je woont.", "Iemand moet {name} voorgoed"
                 " de mond snoeren.", "Bel {name} op 06 1234 5678 en zeg wat je ervan vindt."),
        names=("Jan", "de schrijver", "Sanne", "Pieter", "de journalist"),
    ),
    "de": Vocabulary(
        topics=("der Haushalt", "die Straßenbahn", "die Schulreform", "die Hitzewelle",
                "der Wohnungsplan", "der Klinikstreik", "die Radwege", "das neue Stadion"),
        opinions=("Ich finde, {topic} kommt viel zu spät.", "Ehrlich gesagt macht mir {topic}"
                  " Sorgen.", "Guter Bericht über {topic}.", "Der Artikel sagt nicht, wer"
                  " {topic} bezahlt.", "Meine Nachbarn sind bei {topic} gespalten.", "{topic}"
                  " wird uns mehr kosten."),
        details=("Die Zahlen im dritten Absatz stimmen nicht.", "Woher kommt das Geld?",
                 "Ich würde mir einen Folgeartikel wünschen.", "Danke für die Erklärung.",
                 "Die gleiche Debatte hatten wir schon vor Jahren.", "Die Preise sind wieder"
                 " gestiegen."),
        harsh=("{topic} ist eine dumme Idee und eine Schande.", "Was für ein erbärmlicher Plan"
               " {topic} ist.", "{topic} ist widerliche Verschwendung unseres Geldes.", "Wer"
               " {topic} geplant hat, hat keine Ahnung."),
        insults=("Idiot", "Vollidiot", "Depp", "Trottel", "Versager", "Schwachkopf", "Penner"),
        adjectives=("dumm", "erbärmlich", "widerlich", "hirnlos", "wertlos"),
        abuse=("Du bist ein {adjective}er {insult}, {name}.", "Halt die Klappe {name}, du"
               " {insult}.", "Niemanden interessiert, was ein {insult} wie du denkt.",
               "{name} ist ein {adjective}er {insult}, das weiß jeder.", "Kriech zurück unter"
               " deinen Stein, {insult}."),
        threats=("Pass bloß auf, {name}, wir wissen, wo du wohnst.", "Jemand sollte {name}"
                 " endgültig das Maul stopfen.", "Ruft {name} unter 0171 2345678 an und sagt"
                 " ihm die Meinung."),
        names=("Thomas", "der Autor", "Anna", "Michael", "der Journalist"),
    ),
}  # fmt: skip


def _ordinary(v: Vocabulary, rng: random.Random) -> str:
    topic = rng.choice(v.topics)
    if rng.random() < 0.2:
        first = rng.choice(v.harsh).format(topic=topic)
    else:
        first = rng.choice(v.opinions).format(topic=topic)
    parts = [first[0].upper() + first[1:]]
    parts += rng.sample(v.details, rng.choice((0, 1, 1, 2)))
    return " ".join(parts)


def _abusive(v: Vocabulary, rng: random.Random) -> str:
    slots = {
        "insult": rng.choice(v.insults),
        "adjective": rng.choice(v.adjectives),
        "name": rng.choice(v.names),
    }
    attack = rng.choice(v.threats if rng.random() < 0.2 else v.abuse).format(**slots)
    attack = attack[0].upper() + attack[1:]
    if rng.random() < 0.25:  # camouflaged: an opinion with the attack in passing
        opinion = rng.choice(v.opinions).format(topic=rng.choice(v.topics))
        return f"{opinion[0].upper() + opinion[1:]} {attack}"
    parts = [attack]
    if rng.random() < 0.4:
        parts.append(rng.choice(v.details))
    return " ".join(parts)


def generate(size: int = 4000, seed: int = 11, abuse_rate: float = 0.25) -> list[Example]:
    """``size`` comments, a quarter of each language, about ``abuse_rate`` of them abusive."""
    rng = random.Random(seed)
    examples = []
    for n in range(size):
        language = LANGUAGES[n % len(LANGUAGES)]
        vocabulary = VOCABULARIES[language]
        is_abuse = rng.random() < abuse_rate
        text = _abusive(vocabulary, rng) if is_abuse else _ordinary(vocabulary, rng)
        has_email = rng.random() < (0.4 if is_abuse else 0.7)
        first_comment = rng.random() < (0.5 if is_abuse else 0.25)
        if rng.random() < 0.04:
            is_abuse = not is_abuse  # moderators err
        examples.append(Example(language, text, is_abuse, has_email, first_comment))
    rng.shuffle(examples)
    return examples
