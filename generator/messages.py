"""Problem messages in the reader's language, applied at output time.

Validation speaks English, and its exact English messages are part of its tests. This
module renders them in French without touching the code that produces them: a table of
English message *patterns* (placeholders such as `{value}` stand for the parts that vary)
each paired with its French rendering. A message is `[field path: ]body`; the field path
(`location.city`, `skills[0]`) is a name people type, so it stays as it is, and only the
body is translated. A message no pattern matches is shown in English rather than lost;
tests/test_messages.py makes sure every message the validators produce has a pattern.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from generator.errors import Problem

LANGUAGES = ("en", "fr")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Pattern:
    """One English message shape and its French rendering."""

    english: str
    french: str

    @cached_property
    def regex(self) -> re.Pattern[str]:
        # Compiled when first needed, to translate a problem: a hundred patterns compiled
        # on every start were a tenth of the imports of a build that has no problem.
        return _compile(self.english)


def _compile(english: str) -> re.Pattern[str]:
    parts: list[str] = []
    seen: set[str] = set()
    position = 0
    for match in _PLACEHOLDER.finditer(english):
        parts.append(re.escape(english[position : match.start()]))
        name = match[1]
        parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>.*?)")
        seen.add(name)
        position = match.end()
    parts.append(re.escape(english[position:]))
    return re.compile("".join(parts), re.DOTALL)


# Values that are themselves English words get their own small tables.
_FOUND = {
    "true/false": "vrai/faux (true/false)", "a number": "un nombre", "text": "du texte",
    "a list": "une liste", "a group of fields": "un groupe de champs", "a date": "une date",
}
_KINDS = {
    "empty": "une valeur vide", "true/false": "vrai/faux (true/false)",
    "a number": "un nombre", "a date": "une date",
}
_NOUNS = {
    "category": "catégorie", "categories": "catégories", "skill": "compétence",
    "skills": "compétences", "language code": "code de langue",
    "language codes": "codes de langue",
}
_UNKNOWN = {
    "category": "catégorie inconnue", "skill": "compétence inconnue",
    "language code": "code de langue inconnu",
}
_HINTS = {
    "use a category key of vocabulary.yaml": "utilisez une clé de catégorie de vocabulary.yaml",
    "use a skill key of vocabulary.yaml": "utilisez une clé de compétence de vocabulary.yaml",
    "use a two-letter ISO 639-1 code, such as fr or en":
        "utilisez un code ISO 639-1 à deux lettres, comme fr ou en",
}
# PyYAML's own words for the most common syntax errors.
_YAML_REASONS = {
    "mapping values are not allowed here": "une valeur « champ: valeur » n'est pas permise ici",
    "could not find expected ':'": "le ':' attendu est introuvable",
    "found character '\\t' that cannot start any token":
        "une tabulation ne peut pas commencer un élément",
    "expected <block end>, but found '<block mapping start>'":
        "fin de bloc attendue, mais un nouveau groupe commence",
    "expected <block end>, but found '<block sequence start>'":
        "fin de bloc attendue, mais une nouvelle liste commence",
    "expected <block end>, but found '-'": "fin de bloc attendue, mais un '-' est trouvé",
    "expected ',' or ']', but got ':'": "',' ou ']' attendu, mais ':' trouvé",
    "expected ',' or '}', but got '<scalar>'": "',' ou '}' attendu, mais une valeur trouvée",
    "expected ',' or ']', but got '<scalar>'": "',' ou ']' attendu, mais une valeur trouvée",
    "found unexpected end of stream": "fin de texte inattendue",
    "found unknown escape character": "caractère d'échappement inconnu",
    "found undefined alias": "alias non défini",
    "found unhashable key": "clé impossible à utiliser",
    # libyaml (the C parser) words them its own way.
    "mapping values are not allowed in this context":
        "une valeur « champ: valeur » n'est pas permise ici",
    "found character that cannot start any token":
        "un caractère ne peut pas commencer un élément",
    "did not find expected key": "un nom de champ est attendu",
    "did not find expected ',' or ']'": "',' ou ']' attendu",
    "did not find expected ',' or '}'": "',' ou '}' attendu",
    "did not find expected '-' indicator": "un '-' de liste est attendu",
    "did not find expected node content": "une valeur est attendue",
    "did not find expected <document start>": "un début de document est attendu",
    "block sequence entries are not allowed in this context":
        "un élément de liste '-' n'est pas permis ici",
    "found a tab character that violates indentation":
        "une tabulation casse l'indentation",
    "found a tab character where an indentation space is expected":
        "une tabulation à la place d'une espace d'indentation",
}


def _found(value: str) -> str:
    boolean = ", which YAML reads as true/false"
    if value.endswith(boolean):
        return value[: -len(boolean)] + ", que YAML lit comme vrai/faux"
    for english, french in (("the date ", "la date "), ("the number ", "le nombre ")):
        if value.startswith(english):
            return french + value[len(english) :]
    return _FOUND.get(value, value)


def _shown(value: str) -> str:
    return {"a list": "une liste", "a group of fields": "un groupe de champs"}.get(value, value)


_CONVERTERS: dict[str, Callable[[str], str]] = {
    "found": _found,
    "expected": lambda value: _FOUND.get(value, value),
    "shown": _shown,
    "kind": lambda value: _KINDS.get(value, value),
    "unknown_noun": lambda value: _UNKNOWN.get(value, f"{value} inconnu(e)"),
    "nouns": lambda value: _NOUNS.get(value, value),
    "hint": lambda value: _HINTS.get(value, value),
    "reason": lambda value: _YAML_REASONS.get(value, value),
    "joined": lambda value: value.replace(" and ", " et "),
    "allowed": lambda value: "aucun" if value == "none" else value,
    "alt_line": lambda value: value.replace("what the image shows", "ce que montre l'image"),
}

_YAML = "YAML syntax error: "
_YAML_FR = "erreur de syntaxe YAML : "

# (English pattern, French rendering). Order matters only where one pattern is a
# special case of another: the special case comes first.
_TABLE: tuple[tuple[str, str], ...] = (
    # Files and front matter (content.py, frontmatter.py, build.py)
    (("no front matter found (the file must start with a line '---', then the fields "
     "(title: ...), then a line '---' before the text)"),
     ("pas d'en-tête trouvé (le fichier doit commencer par une ligne '---', suivie des champs "
     "(title: ...), puis d'une ligne '---' avant le texte)")),
    ("the front matter is not closed (add a line '---' after the last field)",
     "l'en-tête n'est pas fermé (ajoutez une ligne '---' après le dernier champ)"),
    ("no fields found (write the fields between the two '---' lines)",
     "aucun champ trouvé (écrivez les champs entre les deux lignes '---')"),
    ("no fields found (write the fields, one 'name: value' per line)",
     "aucun champ trouvé (écrivez les champs, un 'nom: valeur' par ligne)"),
    (("expected 'field: value' lines at the top level (write one field per line, such as "
     "title: ...)"),
     ("des lignes 'champ: valeur' sont attendues au premier niveau (écrivez un champ par "
     "ligne, par exemple title: ...)")),
    (_YAML + "this quote is not closed (add the closing {quote} at the end of the value)",
     _YAML_FR + "ce guillemet n'est pas fermé (ajoutez le {quote} fermant à la fin de la "
     "valeur)"),
    (_YAML + "a second YAML document starts here (only one block of fields is allowed "
     "between the two '---' lines: remove this line)",
     _YAML_FR + "un second document YAML commence ici (un seul bloc de champs est permis "
     "entre les deux lignes '---' : supprimez cette ligne)"),
    (_YAML + "a YAML directive (a line starting with %) is not allowed in the front matter "
     "(remove this line: the fields are read as YAML 1.2)",
     _YAML_FR + "une directive YAML (une ligne qui commence par %) n'est pas permise dans "
     "l'en-tête (supprimez cette ligne : les champs sont lus en YAML 1.2)"),
    (_YAML + "{reason} (use spaces, not tabs, to indent)",
     _YAML_FR + "{reason} (indentez avec des espaces, pas des tabulations)"),
    (_YAML + "{reason} (a value that contains ': ' must be put in quotes)",
     _YAML_FR + "{reason} (une valeur qui contient ': ' doit être mise entre guillemets)"),
    (_YAML + "{reason} (inside double quotes a backslash starts an escape: write \\\\ "
     "or use single quotes)",
     _YAML_FR + "{reason} (entre guillemets doubles, une barre oblique inverse commence un "
     "échappement : écrivez \\\\ ou utilisez des guillemets simples)"),
    (_YAML + "{reason} (check the brackets { } and [ ] and the commas on this line)",
     _YAML_FR + "{reason} (vérifiez les accolades { }, les crochets [ ] et les virgules de "
     "cette ligne)"),
    (_YAML + "{reason} (check the indentation: the fields of one group must start in the "
     "same column)",
     _YAML_FR + "{reason} (vérifiez l'indentation : les champs d'un même groupe doivent "
     "commencer à la même colonne)"),
    (_YAML + "{reason} (check the quotes, brackets and indentation of this line)",
     _YAML_FR + "{reason} (vérifiez les guillemets, les crochets et l'indentation de cette "
     "ligne)"),
    (_YAML + "{reason}", _YAML_FR + "{reason}"),
    ("the YAML tag '{tag}' is not allowed (remove it and write a plain value)",
     "l'étiquette YAML '{tag}' n'est pas permise (supprimez-la et écrivez une valeur simple)"),
    ("YAML aliases (&anchor / *alias) are not allowed (write the value out in full)",
     "les alias YAML (&ancre / *alias) ne sont pas permis (écrivez la valeur en entier)"),
    ("duplicate field (already given on line {line}; keep only one)",
     "champ en double (déjà donné ligne {line} ; n'en gardez qu'un)"),
    ('a field name must be text, not {kind} (put the name in quotes: "{name}": ...)',
     ('un nom de champ doit être du texte, pas {kind} (mettez le nom entre guillemets : '
     '"{name}": ...)')),
    (("a field name must be plain text, not a list or a group (write a name, then ': ', "
     "then the value)"),
     ("un nom de champ doit être du texte simple, pas une liste ni un groupe (écrivez un nom, "
     "puis ': ', puis la valeur)")),
    ("'{value}' does not fit the YAML tag '{tag}' (remove the tag)",
     "'{value}' ne correspond pas à l'étiquette YAML '{tag}' (supprimez l'étiquette)"),
    ("this number is far too long (check the value)",
     "ce nombre est beaucoup trop long (vérifiez la valeur)"),
    ("'{value}' is not a real date (check the day and the month, written YYYY-MM-DD)",
     "'{value}' n'est pas une vraie date (vérifiez le jour et le mois, écrits AAAA-MM-JJ)"),
    ("cannot read the file: {reason} (check its permissions)",
     "impossible de lire le fichier : {reason} (vérifiez ses droits d'accès)"),
    ("symbolic links are not allowed (replace the link by the file itself)",
     "les liens symboliques ne sont pas permis (remplacez le lien par le fichier lui-même)"),
    ("not a regular file (content files must be plain text files)",
     ("ce n'est pas un fichier ordinaire (les fichiers de contenu sont de simples fichiers "
     "texte)")),
    (("the file is too big: {size} KB, the limit is {limit} KB (shorten the text, or link to "
     "a longer document)"),
     ("le fichier est trop gros : {size} Ko, la limite est de {limit} Ko (raccourcissez le "
     "texte, ou faites un lien vers un document plus long)")),
    ("the file is not valid UTF-8: byte {byte} here (save the file with the UTF-8 encoding)",
     ("le fichier n'est pas en UTF-8 valide : octet {byte} ici (enregistrez le fichier avec "
     "l'encodage UTF-8)")),
    ("the file contains a NUL character (remove it)",
     "le fichier contient un caractère NUL (supprimez-le)"),
    ("the folder '{folder}' is a symbolic link (replace the link by the folder itself)",
     "le dossier '{folder}' est un lien symbolique (remplacez le lien par le dossier lui-même)"),
    ("the folder '{folder}' is missing (create it beside site.yaml)",
     "le dossier '{folder}' est absent (créez-le à côté de site.yaml)"),
    (("this file name differs only by case from {other} (keep one of the two files, named in "
     "lowercase)"),
     ("ce nom de fichier ne diffère de {other} que par les majuscules (gardez un seul des "
     "deux fichiers, nommé en minuscules)")),
    ("content files must end with '.md' in lower case (rename it {file})",
     ("les fichiers de contenu doivent se terminer par '.md' en minuscules (renommez-le "
     "{file})")),
    (("invalid file name {name} (use lowercase letters a-z, digits and single hyphens, at "
     "most {max} characters, then '.md', such as '{suggestion}')"),
     ("nom de fichier invalide {name} (utilisez des lettres minuscules a-z, des chiffres et "
     "des tirets simples, {max} caractères au plus, puis '.md', par exemple '{suggestion}')")),
    (("invalid file name {name} (use lowercase letters a-z, digits and single hyphens, at "
     "most {max} characters, then '.md')"),
     ("nom de fichier invalide {name} (utilisez des lettres minuscules a-z, des chiffres et "
     "des tirets simples, {max} caractères au plus, puis '.md')")),
    ("unknown language '{lang}' in the file name (the site languages are {languages})",
     ("langue inconnue '{lang}' dans le nom du fichier (les langues du site sont "
     "{languages})")),
    ("'{lang}' is the default language (name the file '{file}')",
     "'{lang}' est la langue par défaut (nommez le fichier '{file}')"),
    ("{name} is missing from the content folder", "{name} est absent du dossier de contenu"),
    (("this translation has no default-language file (add {file} beside it, or rename this "
     "file {file})"),
     ("cette traduction n'a pas de fichier dans la langue par défaut (ajoutez {file} à côté, "
     "ou renommez ce fichier {file})")),
    # Fields (validate.py)
    ("unknown field (did you mean '{close}'?)", "champ inconnu (vouliez-vous dire '{close}' ?)"),
    ("unknown field (known fields: {known})", "champ inconnu (champs connus : {known})"),
    ("no value given (write it after '{name}:', such as {name}: {example})",
     "aucune valeur donnée (écrivez-la après '{name}:', par exemple {name}: {example})"),
    ("required field is missing (add a line '{line}')",
     "champ obligatoire absent (ajoutez une ligne '{line}')"),
    ("required field is missing (add '{line}')", "champ obligatoire absent (ajoutez '{line}')"),
    ("expected text but found {found} (put it in quotes: {quoted})",
     "on attend du texte, mais on trouve {found} (mettez-le entre guillemets : {quoted})"),
    ("expected {expected} but found {found} (write it as {name}: {example})",
     "on attend {expected}, mais on trouve {found} (écrivez-le ainsi : {name}: {example})"),
    ("contains the invisible character U+{code} ({uname}) (retype the text without it)",
     "contient le caractère invisible U+{code} ({uname}) (retapez le texte sans lui)"),
    ("contains the control character U+{code} (remove it)",
     "contient le caractère de contrôle U+{code} (supprimez-le)"),
    ("too short: {count} characters (write at least {minimum})",
     "trop court : {count} caractères (écrivez-en au moins {minimum})"),
    ("too short: {count} character (write at least {minimum})",
     "trop court : {count} caractère (écrivez-en au moins {minimum})"),
    ("too long: {count} characters (shorten it to {maximum} at most)",
     "trop long : {count} caractères (raccourcissez à {maximum} au plus)"),
    (("expected true or false, found {shown} (YAML 1.2 reads {source} as text: write true or "
     "false)"),
     ("on attend true ou false, mais on trouve {shown} (YAML 1.2 lit {source} comme du "
     "texte : écrivez true ou false)")),
    ("expected true or false, found {shown} (write true or false)",
     "on attend true ou false, mais on trouve {shown} (écrivez true ou false)"),
    ("expected a whole number, found {shown} (write digits only, such as {example})",
     ("on attend un nombre entier, mais on trouve {shown} (écrivez seulement des chiffres, "
     "par exemple {example})")),
    ("must be at least {minimum}, found {value} (write a whole number from {minimum} up)",
     ("doit valoir au moins {minimum}, mais on trouve {value} (écrivez un nombre entier à "
     "partir de {minimum})")),
    ("expected a number, found {shown} (write digits, such as {example})",
     ("on attend un nombre, mais on trouve {shown} (écrivez des chiffres, par exemple "
     "{example})")),
    ("expected an ordinary number, found {shown} (write digits, such as {example})",
     ("on attend un nombre ordinaire, mais on trouve {shown} (écrivez des chiffres, par "
     "exemple {example})")),
    ("must be greater than 0, found {value} (write a positive number, such as {example})",
     ("doit être supérieur à 0, mais on trouve {value} (écrivez un nombre positif, par "
     "exemple {example})")),
    ("expected a date, found {shown} (write it YYYY-MM-DD, such as {example})",
     ("on attend une date, mais on trouve {shown} (écrivez-la AAAA-MM-JJ, par exemple "
     "{example})")),
    ("'{value}' is not allowed (use one of: {choices}; did you mean '{close}'?)",
     ("'{value}' n'est pas permis (utilisez l'une de ces valeurs : {choices} ; "
     "vouliez-vous dire '{close}' ?)")),
    ("'{value}' is not allowed (use one of: {choices})",
     "'{value}' n'est pas permis (utilisez l'une de ces valeurs : {choices})"),
    ("expected a list, found {shown} (write it as {example})",
     "on attend une liste, mais on trouve {shown} (écrivez-la ainsi : {example})"),
    ("'{key}' is listed twice (keep only one)",
     "'{key}' apparaît deux fois (supprimez le doublon)"),
    ("too many {nouns}: {count} (keep the {maximum} that fit best)",
     "trop de {nouns} : {count} (gardez les {maximum} qui conviennent le mieux)"),
    ("too many {nouns}: {count} (keep one)",
     "trop de {nouns} : {count} (n'en gardez qu'une valeur)"),
    ("give at least one language (such as languages: [fr, en])",
     "indiquez au moins une langue (par exemple languages: [fr, en])"),
    ("give at least {minimum} {nouns} (such as {example})",
     "indiquez au moins {minimum} {nouns} (par exemple {example})"),
    (("'{value}' is not a valid email address (write only the address, such as "
     "contact@association.org)"),
     ("'{value}' n'est pas une adresse e-mail valide (écrivez seulement l'adresse, par "
     "exemple contact@association.org)")),
    ("a URL cannot contain spaces or control characters (write spaces as %20)",
     "une URL ne peut contenir ni espace ni caractère de contrôle (écrivez les espaces %20)"),
    ("'{value}' is not a valid URL (copy the address from the browser's address bar)",
     ("'{value}' n'est pas une URL valide (copiez l'adresse depuis la barre d'adresse du "
     "navigateur)")),
    ("'{value}' must start with https:// (other kinds of links are not allowed)",
     ("'{value}' doit commencer par https:// (les autres sortes de liens ne sont pas "
     "permises)")),
    ("a URL must not contain a user name or password (remove the part before '@')",
     ("une URL ne doit contenir ni nom d'utilisateur ni mot de passe (supprimez la partie "
     "avant '@')")),
    (("'{value}' has no valid host name (write a full address, such as "
     "https://example.org/page)"),
     ("'{value}' n'a pas de nom d'hôte valide (écrivez une adresse complète, par exemple "
     "https://example.org/page)")),
    # Links of the built pages (links.py)
    (("the link '{url}' leads to no page of this site (check the address; links to this "
     "board's pages start with {base} or are relative, such as ../other-mission/)"),
     ("le lien '{url}' ne mène à aucune page du site (vérifiez l'adresse ; les liens vers les "
     "pages du site commencent par {base} ou sont relatifs, par exemple ../autre-mission/)")),
    ("the link '{url}' leads to no page of this site (fix the link in this template)",
     "le lien '{url}' ne mène à aucune page du site (corrigez le lien dans ce gabarit)"),
    (("the link '{url}' leads to an anchor '#{fragment}' that is not on that page (remove "
     "'#{fragment}', or link to an anchor the page has)"),
     ("le lien '{url}' mène à une ancre '#{fragment}' absente de cette page (supprimez "
     "'#{fragment}', ou visez une ancre que la page possède)")),
    (("the link '{url}' leads to an anchor '#{fragment}' that is not on that page (fix the "
     "link in this template)"),
     ("le lien '{url}' mène à une ancre '#{fragment}' absente de cette page (corrigez le lien "
     "dans ce gabarit)")),
    ("the link '{url}' uses '{scheme}:', which is not allowed (link with https:// or mailto:)",
     ("le lien '{url}' utilise '{scheme}:', qui n'est pas permis (faites un lien https:// ou "
     "mailto:)")),
    ("the link '{url}' uses '{scheme}:', which is not allowed (fix the link in this template)",
     "le lien '{url}' utilise '{scheme}:', qui n'est pas permis (corrigez le lien dans ce gabarit)"),
    # site.yaml and vocabulary.yaml
    ("'{value}' is not a two-letter language code (such as fr or en)",
     "'{value}' n'est pas un code de langue à deux lettres (comme fr ou en)"),
    ("a language is listed twice (keep only one)",
     "une langue apparaît deux fois (n'en gardez qu'une)"),
    ("'{value}' is not a two-letter country code (write it in capitals, such as FR)",
     ("'{value}' n'est pas un code de pays à deux lettres (écrivez-le en majuscules, par "
     "exemple FR)")),
    ("'{value}' is not a host name (write only the host, such as formspree.io)",
     "'{value}' n'est pas un nom d'hôte (écrivez seulement l'hôte, par exemple formspree.io)"),
    ("expected keys with labels, such as 'numerique: {fr: ..., en: ...}'",
     "on attend des clés avec leurs libellés, par exemple 'numerique: {fr: ..., en: ...}'"),
    ("keys use lowercase letters, digits and hyphens",
     "les clés s'écrivent en lettres minuscules, chiffres et tirets"),
    ("categories must be domain keys of the national mission feed (did you mean '{close}'?)",
     ("les catégories doivent être des clés de domaine du flux national des missions "
     "(vouliez-vous dire '{close}' ?)")),
    ("categories must be domain keys of the national mission feed",
     "les catégories doivent être des clés de domaine du flux national des missions"),
    ("expected labels per language, such as {fr: ..., en: ...}",
     "on attend un libellé par langue, par exemple {fr: ..., en: ...}"),
    # Missions and associations
    (("no way to apply is given (write one of email, form or url, such as apply: "
     "{email: contact@association.org})"),
     ("aucun moyen de candidater n'est indiqué (écrivez email, form ou url, par exemple "
     "apply: {email: contact@association.org})")),
    ("give only one of email, form or url, not {joined} (keep the one volunteers should use)",
     ("ne donnez qu'un seul de email, form ou url, pas {joined} (gardez celui que les "
     "bénévoles doivent utiliser)")),
    (("the form host '{host}' is not allowed (use a form on one of the form_hosts of "
     "site.yaml: {allowed}; or give the link as url:)"),
     ("l'hôte de formulaire '{host}' n'est pas permis (utilisez un formulaire sur l'un des "
     "form_hosts de site.yaml : {allowed} ; ou donnez le lien comme url:)")),
    ("an image needs a text alternative (add '{alt_line}')",
     "une image a besoin d'une alternative textuelle (ajoutez '{alt_line}')"),
    ("'{value}' is not an RNA number (write W followed by 9 digits, such as W751234567)",
     ("'{value}' n'est pas un numéro RNA (écrivez W suivi de 9 chiffres, par exemple "
     "W751234567)")),
    ("unknown association '{slug}' (did you mean '{close}'?)",
     "association inconnue '{slug}' (vouliez-vous dire '{close}' ?)"),
    (("unknown association '{slug}' (give the name of a file of content/associations/ "
     "without '.md', such as {example})"),
     ("association inconnue '{slug}' (donnez le nom d'un fichier de content/associations/ "
     "sans '.md', par exemple {example})")),
    ("unknown association '{slug}' (add {file} or fix the name)",
     "association inconnue '{slug}' (ajoutez {file} ou corrigez le nom)"),
    (("{deadline} is before the posting date {posted} (the deadline must be on or after "
     "posted)"),
     ("{deadline} est avant la date de publication {posted} (la date limite doit tomber le "
     "jour de posted ou après)")),
    ("{end} is before the start {start} (the end must be on or after start)",
     "{end} est avant le début {start} (la fin doit tomber le jour de start ou après)"),
    (("no way to apply is given, here or in {file} (add 'apply: "
     "{email: contact@association.org}', or a form: or url: instead of email:, to one of "
     "the two files)"),
     ("aucun moyen de candidater n'est indiqué, ni ici ni dans {file} (ajoutez 'apply: "
     "{email: contact@association.org}', ou un form: ou url: au lieu de email:, dans l'un "
     "des deux fichiers)")),
    ("expected a group of fields, found {shown} (write it as extra: {name: value})",
     ("on attend un groupe de champs, mais on trouve {shown} (écrivez-le ainsi : extra: "
     "{name: value})")),
    # Last: `unknown association ...` above is a special case of these.
    ("unknown {unknown_noun} '{key}' (did you mean '{close}'?)",
     "{unknown_noun} '{key}' (vouliez-vous dire '{close}' ?)"),
    ("unknown {unknown_noun} '{key}' ({hint})", "{unknown_noun} '{key}' ({hint})"),
)

PATTERNS: tuple[Pattern, ...] = tuple(Pattern(english, french) for english, french in _TABLE)


def _render(template: str, values: Mapping[str, str]) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match[1]
        if name not in values:  # literal braces such as {fr: ...} are not placeholders
            return match[0]
        converter = _CONVERTERS.get(name)
        return converter(values[name]) if converter else values[name]

    return _PLACEHOLDER.sub(fill, template)


def _body_in_french(body: str) -> str | None:
    for pattern in PATTERNS:
        match = pattern.regex.fullmatch(body)
        if match:
            return _render(pattern.french, match.groupdict())
    return None


def french(message: str) -> str | None:
    """The French rendering of a problem message, or None when no pattern knows it."""
    whole = _body_in_french(message)
    if whole is not None:
        return whole
    # `field.path: body`: the path is whatever comes before one of the ': ' separators.
    start = 0
    while (index := message.find(": ", start)) != -1:
        body = _body_in_french(message[index + 2 :])
        if body is not None:
            return f"{message[:index]}: {body}"
        start = index + 1
    return None


def translate(message: str, lang: str) -> str:
    """The message in `lang` (en or fr); English when there is no translation."""
    if lang == "fr":
        return french(message) or message
    return message


def localize(problems: Sequence[Problem], lang: str) -> list[Problem]:
    """Problems with their messages in `lang`; order and positions unchanged."""
    return [replace(p, message=translate(p.message, lang)) for p in problems]


# Lines of the command-line output around the problems.
_UI: dict[str, dict[str, str]] = {
    "summary_failed": {
        "en": "{problems} in {files}; nothing was written.",
        "fr": "{problems} dans {files} ; rien n'a été écrit.",
    },
    "check_ok": {
        "en": "OK: {missions} missions and {associations} associations, no problems.",
        "fr": "OK : {missions} missions et {associations} associations, aucun problème.",
    },
    "check_files_ok": {
        "en": "OK: {files} against the whole board, no problems.",
        "fr": "OK : {files} avec tout le site, aucun problème.",
    },
    "elsewhere": {
        "en": "({problems} in other files not shown: run `missions check` to see them)",
        "fr": "({problems} dans d'autres fichiers non montrés : lancez `missions check` "
              "pour les voir)",
    },
    "removed": {
        "en": "{path} does not exist: checked as removed",
        "fr": "{path} n'existe pas : vérifié comme supprimé",
    },
}
_COUNTED = {
    "problem": {"en": ("problem", "problems"), "fr": ("problème", "problèmes")},
    "file": {"en": ("file", "files"), "fr": ("fichier", "fichiers")},
    "checked file": {
        "en": ("file checked", "files checked"), "fr": ("fichier vérifié", "fichiers vérifiés"),
    },
}


def counted(count: int, noun: str, lang: str) -> str:
    """`1 problem`, `3 fichiers`: a count with its noun in `lang`."""
    singular, plural = _COUNTED[noun][lang if lang in LANGUAGES else "en"]
    return f"{count} {singular if count == 1 else plural}"


def ui(key: str, lang: str, **values: object) -> str:
    """A line of command output in `lang`."""
    texts = _UI[key]
    return texts.get(lang, texts["en"]).format(**values)
