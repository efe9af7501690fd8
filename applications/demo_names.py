"""Fictional people for the demo's applications: names by country, e-mail domains by institution.

Everyone generated from these lists is fictional; e-mail addresses end in ``.demo`` so that they can
never reach a real mailbox.
"""

import unicodedata

# How many principal investigators the in-review call has from each country (195 in 21 countries).
PI_COUNTRIES = {
    "US": 32,
    "GB": 27,
    "CA": 18,
    "IT": 16,
    "DE": 12,
    "NL": 10,
    "AU": 10,
    "FR": 8,
    "ES": 7,
    "SE": 6,
    "CH": 6,
    "JP": 6,
    "BR": 6,
    "DK": 5,
    "BE": 5,
    "NO": 4,
    "AT": 4,
    "KR": 4,
    "FI": 3,
    "IE": 3,
    "AR": 3,
}

# country -> (first names, surnames)
NAMES = {
    "US": (
        "Emily Michael Sarah David Jennifer Robert Jessica Daniel Ashley Kevin Laura Brian Megan Jason "
        "Rachel Tyler Monica Andre",
        "Johnson Miller Davis Wilson Anderson Taylor Thomas Moore Jackson Harris Martin Thompson Garcia "
        "Robinson Clark Lewis Walker Patel Nguyen Rodriguez",
    ),
    "GB": (
        "Oliver Charlotte George Amelia Harry Sophie James Eleanor William Hannah Thomas Imogen Alexander "
        "Fiona Rory Catriona Rhys Bethan",
        "Smith Jones Williams Brown Evans Wright Hughes Edwards Green Hall Wood Clarke Morgan Fraser "
        "Campbell Reid Pritchard Ahmed Khan Shah",
    ),
    "CA": (
        "Liam Chloe Noah Emma Ethan Olivia Mathieu Geneviève Samuel Isabelle Nathan Julie Owen Maya",
        "Tremblay Gagnon Roy Côté Bouchard Gauthier Morin Lavoie Fortin MacDonald Chen Singh Wong "
        "Campbell Leblanc",
    ),
    "IT": (
        "Giulia Marco Francesca Luca Chiara Alessandro Sara Matteo Valentina Lorenzo Elena Davide "
        "Federica Paolo",
        "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti "
        "De Luca Mancini Moretti",
    ),
    "DE": (
        "Anna Lukas Lena Jonas Julia Felix Laura Maximilian Katharina Tobias Sophie Florian Miriam Jan",
        "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter "
        "Klein Wolf Neumann",
    ),
    "NL": (
        "Sanne Daan Lotte Bram Eva Thijs Femke Ruben Anouk Jeroen Maaike Sander Iris Pieter",
        "de Jong Jansen de Vries van den Berg van Dijk Bakker Visser Smit Meijer de Boer Mulder "
        "de Groot Bos Vos Peters",
    ),
    "AU": (
        "Jack Isla Cooper Ruby Lachlan Matilda Mitchell Zoe Riley Georgia Hamish Tahlia Liam Grace",
        "Smith Jones Williams Brown Wilson Taylor Anderson White Martin Thompson Nguyen Kelly Ryan "
        "Walsh O'Brien",
    ),
    "FR": (
        "Camille Lucas Léa Hugo Manon Louis Chloé Antoine Inès Julien Élodie Thomas Mathilde Nicolas",
        "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre "
        "Michel Garnier",
    ),
    "ES": (
        "Lucía Pablo María Javier Carmen Alejandro Laura Sergio Marta Daniel Elena Álvaro Irene Jorge",
        "García Fernández González Rodríguez López Martínez Sánchez Pérez Gómez Martín Jiménez Ruiz "
        "Navarro Torres Vidal",
    ),
    "SE": (
        "Elsa Erik Maja Oskar Ebba Gustav Astrid Karl Alva Johan Ingrid Nils",
        "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson "
        "Lindberg Berg",
    ),
    "CH": (
        "Noah Mia Luca Lea Leon Nina Simon Laura Fabian Anja Reto Chiara",
        "Müller Meier Schmid Keller Weber Huber Schneider Meyer Steiner Fischer Brunner Baumann Rochat Favre",
    ),
    "JP": (
        "Haruto Yui Sota Aoi Ren Hina Takumi Sakura Kenji Yuko Hiroshi Naoko",
        "Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kato Yoshida Yamada",
    ),
    "BR": (
        "Ana Pedro Juliana Lucas Mariana Rafael Camila Gustavo Beatriz Thiago Larissa João",
        "Silva Santos Oliveira Souza Rodrigues Ferreira Alves Pereira Lima Gomes Costa Ribeiro Carvalho",
    ),
    "DK": (
        "Freja Mads Ida Frederik Emma Rasmus Sofie Mikkel Louise Anders",
        "Nielsen Jensen Hansen Pedersen Andersen Christensen Larsen Sørensen Rasmussen Jørgensen",
    ),
    "BE": (
        "Louise Arthur Elise Jules Marie Wout Lien Thibault Charlotte Pieter",
        "Peeters Janssens Maes Jacobs Mertens Willems Claes Goossens Wouters Dubois Lambert",
    ),
    "NO": (
        "Nora Jakob Ingrid Emil Sigrid Henrik Kari Ola Marte Sindre",
        "Hansen Johansen Olsen Larsen Andersen Pedersen Nilsen Kristiansen Haugen Berg",
    ),
    "AT": (
        "Anna Paul Hannah Elias Sophia Maximilian Theresa Stefan Magdalena Florian",
        "Gruber Huber Bauer Wagner Pichler Steiner Moser Mayer Hofer Leitner",
    ),
    "KR": (
        "Min-jun Seo-yeon Ji-ho Ha-eun Jun-seo Ji-woo Hyun-woo Soo-jin Dong-hyun Eun-ji",
        "Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim",
    ),
    "FI": (
        "Aino Eino Helmi Onni Venla Leevi Sanna Mikko Kaisa Juha",
        "Korhonen Virtanen Mäkinen Nieminen Mäkelä Hämäläinen Laine Heikkinen Koskinen Järvinen",
    ),
    "IE": (
        "Aoife Conor Siobhán Cian Niamh Darragh Orla Eoin Ciara Seán",
        "Murphy Kelly O'Sullivan Walsh Byrne Ryan O'Connor Doyle McCarthy Gallagher",
    ),
    "AR": (
        "Sofía Mateo Valentina Santiago Camila Tomás Martina Joaquín Florencia Nicolás",
        "González Rodríguez Gómez Fernández López Díaz Martínez Pérez Romero Sosa",
    ),
}

# Institution key (demo_data.INSTITUTIONS) -> the domain its demo people's e-mail addresses use.
DOMAINS = {
    "oxford": "ox.ac.uk",
    "ucl": "ucl.ac.uk",
    "cambridge": "cam.ac.uk",
    "edinburgh": "ed.ac.uk",
    "kcl": "kcl.ac.uk",
    "jhu": "jhu.edu",
    "ucsf": "ucsf.edu",
    "cleveland": "ccf.org",
    "stanford": "stanford.edu",
    "toronto": "utoronto.ca",
    "mcgill": "mcgill.ca",
    "ubc": "ubc.ca",
    "calgary": "ucalgary.ca",
    "sanraffaele": "unisr.it",
    "genoa": "unige.it",
    "milan": "unimi.it",
    "melbourne": "unimelb.edu.au",
    "sydney": "sydney.edu.au",
    "monash": "monash.edu",
    "amsterdamumc": "amsterdamumc.nl",
    "erasmus": "erasmusmc.nl",
    "radboud": "ru.nl",
    "charite": "charite.de",
    "tum": "tum.de",
    "sorbonne": "sorbonne-universite.fr",
    "kuleuven": "kuleuven.be",
    "ghent": "ugent.be",
    "copenhagen": "ku.dk",
    "karolinska": "ki.se",
    "bergen": "uib.no",
    "helsinki": "helsinki.fi",
    "basel": "unibas.ch",
    "zurich": "uzh.ch",
    "barcelona": "ub.edu",
    "tcd": "tcd.ie",
    "meduniwien": "meduniwien.ac.at",
    "tokyo": "u-tokyo.ac.jp",
    "snu": "snu.ac.kr",
    "usp": "usp.br",
    "unicamp": "unicamp.br",
    "uba": "uba.ar",
}

# Surnames written with a particle ("de Jong", "De Luca") are kept whole.
_PARTICLES = {"de", "van", "den", "der", "De"}


def first_and_surnames(country: str) -> tuple[list[str], list[str]]:
    firsts, surnames = NAMES[country]
    words = surnames.split()
    joined: list[str] = []
    particle: list[str] = []
    for word in words:
        if word in _PARTICLES:
            particle.append(word)
            continue
        joined.append(" ".join([*particle, word]))
        particle = []
    return firsts.split(), joined


def ascii_slug(text: str) -> str:
    """``Geneviève Côté`` -> ``genevieve.cote`` (for e-mail local parts and file names)."""
    plain = unicodedata.normalize("NFKD", text.replace("ø", "o").replace("Ø", "O"))
    plain = plain.encode("ascii", "ignore").decode().lower()
    return ".".join("".join(ch for ch in part if ch.isalnum() or ch == "-") for part in plain.split())


def email_for(first: str, surname: str, institution_key: str) -> str:
    return f"{ascii_slug(first)}.{ascii_slug(surname).replace('.', '')}@{DOMAINS[institution_key]}.demo"
