"""Generate a synthetic mission board of any size, for benchmarks.

    python benchmarks/generate_board.py --missions 10000 --out /tmp/board-10k

Writes site.yaml, vocabulary.yaml (the example board's, the one source of truth),
N/20 associations and N missions (about one in ten also translated into English), with
realistic fields and 300-600 word French bodies with headings, lists and links. The same
seed always gives the same board, so figures from two runs can be compared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VOCABULARY = ROOT / "content" / "vocabulary.yaml"
TODAY = dt.date(2026, 11, 30)


@dataclass(frozen=True)
class Activity:
    """A kind of mission: what it is about, where it sits in the vocabulary, its words."""

    name: str
    categories: tuple[str, ...]
    skills: tuple[str, ...]
    remote: tuple[str, ...]  # drawn at random: repeat a value to make it likelier
    titles: tuple[str, ...]
    summaries: tuple[str, ...]
    sentences: tuple[str, ...]
    title_en: str
    summary_en: str


ACTIVITIES = (
    Activity(
        "traduction", ("solidarite-insertion", "humanitaire", "culture-loisirs"),
        ("traduction", "relecture", "redaction"), ("full", "full", "possible"),
        ("Traduire {doc} du français vers l'{langue}",
         "Traduction de {doc} pour des familles exilées",
         "Relire et traduire {doc} en {langue}"),
        ("Aidez des personnes accompagnées à comprendre {doc} grâce à vos traductions.",
         "Traduisez {doc} en {langue} pour faciliter l'accueil des nouveaux arrivants."),
        ("Les documents à traduire sont courts, d'une à trois pages le plus souvent.",
         ("Vous adaptez la traduction pour qu'elle soit compréhensible sans connaître "
         "l'administration française."),
         "Un glossaire des termes administratifs et juridiques est mis à votre disposition.",
         "Chaque traduction est relue par un second bénévole avant d'être transmise.",
         "Une excellente maîtrise de l'{langue} écrit est indispensable.",
         "Les personnes bilingues motivées sont les bienvenues, même sans expérience."),
        "Translate documents for families in exile",
        "Help people understand their paperwork by translating letters and forms.",
    ),
    Activity(
        "soutien-scolaire", ("education", "solidarite-insertion"),
        ("soutien-scolaire", "mentorat", "formation"), ("full", "possible", "no"),
        ("Donner des cours de {matiere} à des collégiens",
         "Soutien scolaire en {matiere} pour des élèves de lycée",
         "Aide aux devoirs en {matiere} après la classe"),
        ("Accompagnez chaque semaine un élève en {matiere} pour l'aider à reprendre confiance.",
         "Aidez des élèves éloignés du soutien payant à progresser en {matiere}."),
        ("Les séances durent une heure et ont lieu en visio ou dans nos locaux.",
         "Vous suivez le même élève toute l'année, ce qui crée un vrai lien de confiance.",
         "Un tableau blanc partagé et des fiches d'exercices sont fournis.",
         "Nul besoin d'être enseignant : la patience et la bienveillance comptent davantage.",
         "Un coordinateur pédagogique vous accompagne pendant les premières séances.",
         "Les familles sont informées des progrès à chaque fin de trimestre."),
        "Tutor secondary school pupils",
        "Help a pupil make progress and regain confidence, one hour a week.",
    ),
    Activity(
        "ecoute", ("solidarite-insertion", "sante", "prevention-protection"),
        ("ecoute",), ("full", "full", "no"),
        ("Tenir une permanence d'écoute téléphonique le {jour}",
         "Bénévole écoutant sur notre ligne de soutien",
         "Appeler des personnes âgées isolées le {jour}"),
        (("Répondez aux appels de personnes qui se sentent seules, lors de notre permanence "
         "du {jour}."),
         "Offrez une écoute attentive à des personnes isolées, depuis chez vous."),
        ("Vous accueillez la parole sans juger ni conseiller à tout prix.",
         ("Une formation initiale à l'écoute active est obligatoire avant la première "
         "permanence."),
         "Une supervision mensuelle avec une psychologue permet de partager vos questions.",
         "Vous repérez les situations de détresse et passez le relais selon notre protocole.",
         "Un endroit calme et un casque avec micro suffisent pour écouter depuis chez vous.",
         "Certains appels sont lourds : une stabilité personnelle est nécessaire."),
        "Staff our listening line",
        "Listen to people who feel alone, from home, one evening a week.",
    ),
    Activity(
        "site-web", ("numerique", "benevolat-competences", "communication"),
        ("webmastering", "developpement", "accessibilite", "referencement"),
        ("full", "full", "possible"),
        ("Refondre le site web de l'association",
         "Améliorer l'accessibilité numérique de notre site",
         "Développer un petit outil de {outil} pour nos bénévoles"),
        ("Aidez-nous à rendre notre site plus clair, plus rapide et accessible à tous.",
         "Concevez avec nous un outil de {outil} simple et libre."),
        ("Le site actuel date de plusieurs années et n'est plus maintenu.",
         ("Vous travaillez avec notre chargée de communication, en visio une fois par "
         "semaine."),
         "Le respect du RGAA et des WCAG est une priorité pour nous.",
         "Le code est publié sous licence libre sur notre dépôt.",
         "Une expérience du développement web ou d'un CMS est attendue.",
         "Vous documentez vos choix pour que l'équipe puisse reprendre le site ensuite."),
        "Rebuild the association's website",
        "Help us make our website clearer, faster and accessible to everyone.",
    ),
    Activity(
        "communication", ("communication", "culture-loisirs"),
        ("reseaux-sociaux", "redaction", "photo", "video", "graphisme"),
        ("full", "possible", "possible"),
        ("Animer nos réseaux sociaux",
         "Créer les affiches de notre saison {saison}",
         "Réaliser des vidéos courtes sur nos actions"),
        ("Faites connaître nos actions en publiant régulièrement sur nos réseaux.",
         "Donnez une identité visuelle à notre programme de {saison}."),
        ("Vous proposez un calendrier de publications et le validez avec l'équipe.",
         "Des photos et des témoignages de bénévoles vous sont transmis chaque semaine.",
         "Une charte graphique existe déjà, vous pouvez la faire évoluer.",
         "Le ton est chaleureux, simple et sans jargon.",
         "Une première expérience en graphisme ou en vidéo est un plus.",
         "Vous mesurez l'audience des publications et proposez des améliorations."),
        "Run our social media",
        "Spread the word about our work with regular posts.",
    ),
    Activity(
        "gestion", ("gestion-finance-droit", "benevolat-competences"),
        ("comptabilite", "juridique", "saisie-administration"), ("full", "possible", "no"),
        ("Tenir la comptabilité de l'association",
         "Répondre aux questions juridiques sur le {droit}",
         "Saisir et classer les dossiers d'adhérents"),
        ("Prenez en charge la saisie comptable et la préparation du bilan annuel.",
         "Aidez des personnes à comprendre leurs droits en matière de {droit}."),
        ("Les pièces comptables sont déposées chaque mois sur un espace partagé.",
         "Vous préparez le bilan présenté à l'assemblée générale.",
         "Une formation en droit ou une expérience juridique est demandée.",
         "Les réponses sont relues par une juriste salariée avant envoi.",
         "La confidentialité des dossiers est absolue.",
         "Nous utilisons un logiciel de comptabilité libre, une prise en main est prévue."),
        "Keep the association's accounts",
        "Take care of bookkeeping and the annual accounts.",
    ),
    Activity(
        "environnement", ("environnement", "vivre-ensemble"),
        ("evenementiel", "animation", "photo"), ("no", "no", "no"),
        ("Participer au nettoyage des berges à {ville}",
         "Animer un atelier de jardinage partagé à {ville}",
         "Recenser la biodiversité d'un parc de {ville}"),
        ("Rejoignez une matinée de ramassage des déchets à {ville}, seul ou en famille.",
         "Partagez vos connaissances au jardin partagé de {ville}."),
        ("Le matériel (gants, sacs, pinces) est fourni sur place.",
         "Les déchets collectés sont pesés et triés pour nos statistiques.",
         "L'action est ouverte aux familles et aux mineurs accompagnés.",
         "Un café d'accueil est offert aux participants.",
         "Des chaussures fermées et une tenue adaptée à la météo sont conseillées.",
         "Les résultats sont transmis à la mairie et aux associations partenaires."),
        "Join a riverside clean-up",
        "Spend a morning collecting litter along the river.",
    ),
    Activity(
        "collecte", ("solidarite-insertion", "communication"),
        ("collecte-fonds", "emailing", "redaction"), ("full", "possible"),
        ("Préparer la campagne de collecte de fonds de fin d'année",
         "Rédiger nos lettres d'information aux donateurs"),
        ("Aidez-nous à financer nos actions en préparant une campagne de dons.",
         "Racontez nos actions aux donateurs dans une lettre mensuelle."),
        ("La campagne est préparée en septembre et lancée en novembre.",
         "Vous rédigez les courriels et segmentez la liste des donateurs.",
         "Vous suivez les résultats et proposez des relances ciblées.",
         "Une expérience en marketing ou en collecte est appréciée.",
         "Les données des donateurs sont traitées dans le respect du RGPD."),
        "Prepare our year-end fundraising campaign",
        "Help fund our work by preparing a donation campaign.",
    ),
    Activity(
        "emploi", ("emploi", "education"),
        ("mentorat", "ressources-humaines", "formation"), ("full", "possible", "no"),
        ("Parrainer un jeune demandeur d'emploi",
         "Faire passer des simulations d'entretien d'embauche",
         "Relire des CV et des lettres de motivation"),
        ("Accompagnez un jeune dans sa recherche d'emploi pendant six mois.",
         "Entraînez des candidats à l'entretien d'embauche, en visio."),
        ("Vous rencontrez votre filleul deux fois par mois.",
         "Vous partagez votre réseau et vos conseils sur le monde du travail.",
         "Une expérience en recrutement est utile mais pas indispensable.",
         "Une réunion d'échange entre parrains a lieu chaque trimestre.",
         "Les candidats sont orientés par les missions locales partenaires."),
        "Mentor a young jobseeker",
        "Support a young person looking for work for six months.",
    ),
    Activity(
        "informatique", ("numerique", "vivre-ensemble"),
        ("support-informatique", "animation", "formation"), ("no", "possible"),
        ("Animer des ateliers numériques pour seniors à {ville}",
         "Aider des personnes âgées à utiliser leur téléphone"),
        ("Aidez des seniors à prendre en main leur téléphone et leurs démarches en ligne.",
         "Animez des ateliers d'initiation au numérique à la médiathèque de {ville}."),
        ("Les ateliers réunissent six à huit personnes pendant deux heures.",
         "Vous expliquez pas à pas comment envoyer un courriel ou une photo.",
         "Les démarches administratives en ligne sont une demande fréquente.",
         "La patience et la pédagogie comptent plus que l'expertise technique.",
         "Les tablettes et ordinateurs sont prêtés par la médiathèque."),
        "Run digital workshops for older people",
        "Help older people get to grips with phones and online services.",
    ),
    Activity(
        "animaux", ("animaux",), ("photo", "reseaux-sociaux", "saisie-administration"),
        ("no", "possible"),
        ("Photographier les animaux à l'adoption au refuge de {ville}",
         "Suivre les dossiers d'adoption du refuge"),
        ("Aidez nos chiens et chats à trouver une famille grâce à de belles photos.",
         "Suivez les dossiers d'adoption et les visites de contrôle."),
        ("Les séances photo ont lieu le samedi matin au refuge.",
         "Vous rédigez une courte présentation de chaque animal.",
         "Les annonces sont publiées sur notre site et nos réseaux sociaux.",
         "Aucune compétence vétérinaire n'est nécessaire.",
         "Le refuge accueille une centaine d'animaux chaque année."),
        "Photograph animals up for adoption",
        "Help our dogs and cats find a home with good photos.",
    ),
    Activity(
        "donnees", ("recherche", "numerique", "environnement"),
        ("analyse-donnees", "gestion-projet"), ("full", "full"),
        ("Analyser les données de nos actions de terrain",
         "Construire un tableau de bord des stocks et des dons"),
        ("Transformez nos relevés de terrain en indicateurs utiles.",
         "Construisez un tableau de bord simple pour suivre nos stocks."),
        ("Les données sont saisies dans un tableur partagé depuis plusieurs années.",
         "Vous proposez quelques indicateurs clés et des graphiques lisibles.",
         "Une aisance avec un tableur ou un langage de programmation est attendue.",
         "Les résultats seront présentés aux partenaires publics de l'association."),
        "Analyse our field data",
        "Turn our field records into useful indicators.",
    ),
    Activity(
        "memoire", ("memoire-et-citoyennete", "culture-loisirs"),
        ("redaction", "video", "relecture"), ("full", "possible", "no"),
        ("Transcrire des entretiens sur la mémoire ouvrière",
         "Recueillir les souvenirs des habitants de {ville}"),
        ("Aidez-nous à préserver la mémoire ouvrière en transcrivant des entretiens.",
         "Recueillez les témoignages des anciens habitants de {ville}."),
        ("Les entretiens enregistrés durent entre une et deux heures.",
         "Les transcriptions rejoindront le fonds d'archives de la ville.",
         "Une bonne orthographe et de l'attention aux détails sont nécessaires.",
         "Vous pouvez travailler à votre rythme, depuis chez vous."),
        "Transcribe oral history interviews",
        "Help preserve working-class memory by transcribing interviews.",
    ),
)

FILL = {
    "doc": ("des courriers administratifs", "un livret d'accueil", "des formulaires de la CAF",
            "des fiches pratiques", "des comptes rendus médicaux"),
    "langue": ("anglais", "arabe", "espagnol", "ukrainien", "dari"),
    "matiere": ("mathématiques", "français", "anglais", "physique-chimie", "histoire"),
    "jour": ("dimanche soir", "samedi matin", "mercredi après-midi", "lundi soir"),
    "outil": ("prise de rendez-vous", "planning", "gestion des stocks", "suivi des dons"),
    "saison": ("printemps", "automne", "été", "hiver"),
    "droit": ("logement", "droit du travail", "droit des étrangers", "surendettement"),
}

CITIES = (
    ("Paris", "75011", "Île-de-France"), ("Lyon", "69003", "Auvergne-Rhône-Alpes"),
    ("Marseille", "13001", "Provence-Alpes-Côte d'Azur"), ("Toulouse", "31000", "Occitanie"),
    ("Nantes", "44000", "Pays de la Loire"), ("Strasbourg", "67000", "Grand Est"),
    ("Lille", "59000", "Hauts-de-France"), ("Rennes", "35000", "Bretagne"),
    ("Bordeaux", "33000", "Nouvelle-Aquitaine"), ("Dijon", "21000", "Bourgogne-Franche-Comté"),
    ("Rouen", "76000", "Normandie"), ("Orléans", "45000", "Centre-Val de Loire"),
    ("Ajaccio", "20000", "Corse"), ("Montpellier", "34000", "Occitanie"),
    ("Grenoble", "38000", "Auvergne-Rhône-Alpes"), ("Nice", "06000", "Provence-Alpes-Côte d'Azur"),
    ("Brest", "29200", "Bretagne"), ("Metz", "57000", "Grand Est"),
)

GENERIC = (
    "Notre association agit depuis plus de dix ans auprès des publics les plus fragiles.",
    "Chaque bénévole est accueilli lors d'une réunion d'information en visio.",
    ("Vous choisissez vos créneaux selon vos disponibilités, sans obligation de régularité "
    "excessive."),
    "Un référent bénévole reste joignable pour répondre à vos questions.",
    "Nous remboursons les frais engagés dans le cadre de la mission.",
    "Une attestation de bénévolat peut vous être remise à la fin de la mission.",
    "Les outils utilisés sont libres et respectueux de la vie privée.",
    "Vous rejoignez une équipe d'une vingtaine de bénévoles aux profils variés.",
    "Des temps conviviaux sont organisés plusieurs fois par an.",
    "La mission convient aussi bien à des étudiants qu'à des actifs ou des retraités.",
    "Nous attachons une grande importance au respect et à la bienveillance.",
    "Un point d'étape est proposé après un mois pour ajuster la mission si besoin.",
    ("Les personnes en situation de handicap sont les bienvenues ; dites-nous ce dont vous "
    "avez besoin."),
    "Vous pouvez arrêter la mission à tout moment en prévenant l'équipe.",
    "Notre charte du bénévolat précise les engagements de chacun.",
    "Les besoins sont importants et chaque heure donnée compte vraiment.",
)

PROFILE = (
    "Du sérieux et de la ponctualité.", "Une bonne aisance à l'écrit.",
    "Le goût du travail en équipe.", "De la curiosité et l'envie d'apprendre.",
    "Une connexion internet stable pour les missions à distance.",
    "De la discrétion et le respect de la confidentialité.",
    "Une première expérience associative est un plus, sans être obligatoire.",
)

OFFER = (
    "Une formation de départ et un accompagnement tout au long de la mission.",
    "Un espace d'échange avec les autres bénévoles.",
    "La possibilité de valoriser cette expérience dans votre parcours.",
    "Un cadre souple, adapté à votre emploi du temps.",
    "Des outils simples et une documentation à jour.",
)

NAME_PARTS = (
    ("Les Amis de", "Réseau", "Collectif", "Maison de", "Association", "Cercle", "Union de",
     "Passerelles", "Ensemble pour", "Atelier"),
    ("la Solidarité", "l'Entraide", "la Lecture", "la Jeunesse", "l'Avenir", "la Nature",
     "la Mémoire", "la Culture", "l'Accueil", "la Santé", "l'Emploi", "l'Inclusion",
     "la Rivière", "l'Écoute", "la Fraternité", "la Musique", "la Terre", "l'Espoir"),
)


def _slug(text: str) -> str:
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = "".join(c if c.isalnum() else " " for c in ascii_text.lower()).split()
    return "-".join(words)[:60].strip("-")


def _yaml_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _fill(rng: random.Random, template: str, city: str) -> str:
    values = {key: rng.choice(options) for key, options in FILL.items()}
    return template.format(ville=city, **values)


def _body(rng: random.Random, activity: Activity, city: str, association: str) -> str:
    """300-600 words of Markdown: three sections with paragraphs, lists and a link."""
    target = rng.randint(300, 600)
    own = [_fill(rng, s, city) for s in activity.sentences]
    sentences = own + list(GENERIC)
    parts: list[str] = ["## La mission", ""]
    words = 0

    def paragraph(count: int) -> None:
        nonlocal words
        chosen = rng.sample(sentences, min(count, len(sentences)))
        text = " ".join(chosen)
        words += len(text.split())
        parts.extend([text, ""])

    paragraph(3)
    parts.append("Votre rôle :")
    parts.append("")
    for sentence in rng.sample(own, min(3, len(own))):
        parts.append(f"- {sentence[0].lower()}{sentence[1:]}")
        words += len(sentence.split())
    parts.append("")
    paragraph(3)
    parts.extend(["## Profil recherché", ""])
    for item in rng.sample(PROFILE, 3):
        parts.append(f"- {item}")
        words += len(item.split())
    parts.extend(["", "## Ce que nous offrons", ""])
    for item in rng.sample(OFFER, 3):
        parts.append(f"- {item}")
        words += len(item.split())
    parts.append("")
    link = f"https://{association}.example.org/charte"
    parts.extend([f"Avant de candidater, lisez [notre charte du bénévolat]({link}).", ""])
    words += 8
    while words < target:
        paragraph(rng.randint(2, 4))
    return "\n".join(parts)


def _association(rng: random.Random, number: int) -> tuple[str, str]:
    name = f"{rng.choice(NAME_PARTS[0])} {rng.choice(NAME_PARTS[1])} {number}"
    slug = _slug(name)
    city, postal, region = rng.choice(CITIES)
    summary = (f"{name} rassemble des bénévoles autour de projets solidaires à {city} "
               "et en ligne.")
    apply = (f'  form: "https://formspree.io/f/{slug[:8]}{number}"' if rng.random() < 0.5
             else f'  email: "benevoles@{slug}.example.org"')
    text = (
        "---\n"
        f"name: {_yaml_text(name)}\n"
        f"summary: {_yaml_text(summary)}\n"
        f'website: "https://{slug}.example.org"\n'
        f'email: "contact@{slug}.example.org"\n'
        f"apply:\n{apply}\n"
        f'location: {{city: "{city}", postal_code: "{postal}", region: {_yaml_text(region)}, '
        'country: "FR"}\n'
        "---\n"
        f"**{name}** est une association loi 1901. " + " ".join(rng.sample(GENERIC, 4)) + "\n"
    )
    return slug, text


def _mission(
    rng: random.Random, number: int, associations: list[str], today: dt.date
) -> tuple[str, str, str | None]:
    activity = rng.choice(ACTIVITIES)
    association = rng.choice(associations)
    city, postal, region = rng.choice(CITIES)
    title = _fill(rng, rng.choice(activity.titles), city)
    summary = _fill(rng, rng.choice(activity.summaries), city)
    slug = f"{_slug(title)[:50].strip('-')}-{number}"
    categories = rng.sample(activity.categories, rng.randint(1, min(3, len(activity.categories))))
    skills = rng.sample(activity.skills, rng.randint(1, min(3, len(activity.skills))))
    remote = rng.choice(activity.remote)
    roll = rng.random()
    if roll < 0.6:
        commitment = f"{{hours: {rng.choice([1, 1.5, 2, 2, 3, 4, 5, 6, 8])}, per: week}}"
    elif roll < 0.85:
        commitment = f"{{hours: {rng.choice([2, 4, 6, 8, 10, 16, 24])}, per: month}}"
    else:
        commitment = f"{{hours: {rng.choice([2, 3, 4, 6, 12, 20])}, per: mission}}"
    languages = ["fr"] + (["en"] if rng.random() < 0.3 else []) + (
        [rng.choice(["ar", "es", "uk", "de", "it"])] if rng.random() < 0.1 else [])
    posted = today - dt.timedelta(days=rng.randint(0, 150))
    lines = [
        "---",
        f"title: {_yaml_text(title)}",
        f"association: {association}",
        f"summary: {_yaml_text(summary)}",
        f"categories: [{', '.join(categories)}]",
        f"skills: [{', '.join(skills)}]",
        f'remote: "{remote}"',
    ]
    if remote != "full":
        lines.append(f'location: {{city: "{city}", postal_code: "{postal}", '
                     f'region: {_yaml_text(region)}, country: "FR"}}')
    lines += [f"commitment: {commitment}", f"languages: [{', '.join(languages)}]",
              f"posted: {posted.isoformat()}"]
    roll = rng.random()
    if roll < 0.1:  # closed: the deadline has passed
        deadline = posted + dt.timedelta(days=rng.randint(0, (today - posted).days or 1) - 1)
        lines.append(f"deadline: {max(deadline, posted).isoformat()}")
    elif roll < 0.8:
        lines.append(f"deadline: {(today + dt.timedelta(days=rng.randint(1, 300))).isoformat()}")
    if rng.random() < 0.7:
        lines.append(f"places: {rng.randint(1, 12)}")
    if rng.random() < 0.3:
        lines.append(f"accessible: {'true' if rng.random() < 0.7 else 'false'}")
    lines.append("---")
    text = "\n".join(lines) + "\n" + _body(rng, activity, city, association)
    english = None
    if rng.random() < 0.1:
        english = (
            "---\n"
            f"title: {_yaml_text(activity.title_en)}\n"
            f"summary: {_yaml_text(activity.summary_en)}\n"
            "---\n"
            f"## The mission\n\n{activity.summary_en} You choose your own hours, and a "
            "volunteer coordinator answers your questions.\n\n"
            "- Training is provided.\n- You can stop at any time.\n"
        )
    return slug, text, english


def generate(out: Path, missions: int, *, seed: int = 20261130, today: dt.date = TODAY) -> None:
    """Write a board of `missions` missions into `out` (replaced if it exists)."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "missions").mkdir(parents=True)
    (out / "associations").mkdir()
    shutil.copyfile(VOCABULARY, out / "vocabulary.yaml")
    (out / "site.yaml").write_text(
        'title: "Bénévoles en ligne (banc d\'essai)"\n'
        'description: "Un tableau de missions généré pour les mesures de performance."\n'
        'base_url: "https://example.github.io/board/"\n'
        "languages: [fr, en]\ncountry: FR\nper_page: 24\n"
        "form_hosts: [formspree.io]\n",
        encoding="utf-8",
    )
    slugs = []
    for number in range(max(1, missions // 20)):
        slug, text = _association(rng, number + 1)
        slugs.append(slug)
        (out / "associations" / f"{slug}.md").write_text(text, encoding="utf-8")
    for number in range(missions):
        slug, text, english = _mission(rng, number + 1, slugs, today)
        (out / "missions" / f"{slug}.md").write_text(text, encoding="utf-8")
        if english is not None:
            (out / "missions" / f"{slug}.en.md").write_text(english, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--missions", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=TODAY,
                        help="date the postings and deadlines are drawn around")
    args = parser.parse_args()
    generate(args.out, args.missions, seed=args.seed, today=args.today)
    print(f"Wrote {args.missions} missions and {max(1, args.missions // 20)} associations "
          f"to {args.out}")


if __name__ == "__main__":
    main()
