"""Name, street, city and number pools for the demo shop (see :mod:`custtui.services.demo`).

The pools are plain tuples typed by hand rather than drawn from a faker library: the demo must be
byte-for-byte reproducible from a seed whatever is installed, and a million rows can only be
generated in seconds if every per-row choice is an index into a precomputed tuple.

Each country carries names in their native spelling (Müller, Łukasz, Søren, José, 山田 …),
cities with the region Magento would store (ISO 3166-2 code and pycountry's name, so the address
editor's region list agrees), a postcode rule, dialling prefixes and a VAT number format.
Email domains are under the reserved ``.example`` TLD or ``example.com/.net/.org`` (RFC 2606) so
that no demo address can ever reach a real mailbox.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

# --- Shapes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class City:
    """A city as the demo stores it on an address."""

    name: str
    region: str | None
    region_id: str | None
    postcode: str
    """Postcode rule, read by :func:`postcode_pool`: ``"prefix:lo-hi"`` (digits, zero-padded to
    the width of *hi*), ``"a|b|c"`` (one of these), or an outward code/FSA for GB/CA."""
    phone: str
    """International dialling prefix with the area code, e.g. ``"+49 30"``."""


@dataclass(frozen=True)
class Country:
    """Everything the generator needs to invent people and addresses of one country."""

    code: str
    male: tuple[str, ...]
    female: tuple[str, ...]
    last: tuple[str, ...]
    cities: tuple[City, ...]
    streets: tuple[str, ...]
    street_format: str
    """``{s}`` street name, ``{n}`` house number, ``{m}`` a second small number (JP blocks)."""
    second_lines: tuple[str, ...]
    """Optional second street line templates with ``{k}`` (flat, suite, floor …)."""
    phone_groups: tuple[int, ...]
    phone_sep: str
    postcode_style: str
    """``digits`` (with an optional separator, see *postcode_sep*), ``gb``, ``ca`` or ``nl``."""
    domains: tuple[str, ...]
    companies: tuple[str, ...]
    """Company name templates with ``{l}`` (a last name)."""
    taxvat: tuple[str, int, str]
    """VAT/tax number as (prefix, number of random digits, suffix)."""
    postcode_sep: tuple[int, str] | None = None
    """Insert this separator at this position of a digit postcode (``00-950``, ``111 22``)."""
    female_last: tuple[str, ...] | None = None
    """Last names for women where they differ (Polish ``-ska``); defaults to *last*."""


# --- Countries ----------------------------------------------------------------------------------
# Data tables: kept compact by hand rather than one name per line.
# fmt: off

US = Country(
    code="US",
    male=(
        "James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas",
        "Christopher", "Daniel", "Matthew", "Anthony", "Mark", "Steven", "Andrew", "Joshua",
        "Kevin", "Brian", "Ryan", "Tyler", "Ethan",
    ),
    female=(
        "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica",
        "Sarah", "Karen", "Emily", "Ashley", "Michelle", "Amanda", "Melissa", "Stephanie",
        "Rebecca", "Laura", "Megan", "Olivia", "Chloe", "Zoë",
    ),
    last=(
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Garcia",
        "Rodriguez", "Wilson", "Martinez", "Anderson", "Taylor", "Thomas", "Hernandez", "Moore",
        "Martin", "Jackson", "Thompson", "White", "Lopez", "Lee", "Harris", "Clark", "Lewis",
        "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Nguyen", "Kim", "Patel",
        "O'Connor", "Sullivan",
    ),
    cities=(
        City("New York", "New York", "US-NY", "100:01-40", "+1 212"),
        City("Brooklyn", "New York", "US-NY", "112:01-39", "+1 718"),
        City("Los Angeles", "California", "US-CA", "900:01-99", "+1 213"),
        City("San Francisco", "California", "US-CA", "941:02-34", "+1 415"),
        City("San Diego", "California", "US-CA", "921:01-99", "+1 619"),
        City("Chicago", "Illinois", "US-IL", "606:01-61", "+1 312"),
        City("Houston", "Texas", "US-TX", "770:01-99", "+1 713"),
        City("Austin", "Texas", "US-TX", "787:01-59", "+1 512"),
        City("Seattle", "Washington", "US-WA", "981:01-99", "+1 206"),
        City("Boston", "Massachusetts", "US-MA", "021:08-36", "+1 617"),
        City("Miami", "Florida", "US-FL", "331:01-99", "+1 305"),
        City("Denver", "Colorado", "US-CO", "802:01-39", "+1 303"),
        City("Atlanta", "Georgia", "US-GA", "303:01-99", "+1 404"),
        City("Portland", "Oregon", "US-OR", "972:01-99", "+1 503"),
        City("Philadelphia", "Pennsylvania", "US-PA", "191:02-54", "+1 215"),
        City("Phoenix", "Arizona", "US-AZ", "850:01-99", "+1 602"),
    ),
    streets=(
        "Main Street", "Oak Avenue", "Maple Drive", "Park Avenue", "Elm Street",
        "Washington Boulevard", "Cedar Lane", "Lake Shore Drive", "Broadway", "Market Street",
        "Sunset Boulevard", "Pine Street", "2nd Avenue", "Mission Street", "Peachtree Road",
    ),
    street_format="{n} {s}",
    second_lines=("Apt {k}", "Suite {k}00", "Unit {k}"),
    phone_groups=(3, 4),
    phone_sep="-",
    postcode_style="digits",
    domains=("example.com", "example.net", "example.org", "mail.example", "inbox.example"),
    companies=("{l} & Sons", "{l} LLC", "{l} Consulting Inc.", "{l} Hardware", "{l} Bros. Co."),
    taxvat=("", 9, ""),
)

CA = Country(
    code="CA",
    male=(
        "Liam", "Noah", "William", "Benjamin", "Lucas", "Émile", "Félix", "Olivier", "Nathan",
        "Samuel", "Gabriel", "Jérémie", "Logan", "Owen", "Mathis", "Étienne", "Connor", "Hunter",
    ),
    female=(
        "Olivia", "Emma", "Charlotte", "Chloé", "Léa", "Amélie", "Béatrice", "Florence",
        "Alice", "Zoé", "Ava", "Sophie", "Madison", "Brooklyn", "Mégane", "Rosalie", "Abigail",
        "Hannah",
    ),
    last=(
        "Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie",
        "Fortin", "Gagné", "Ouellet", "Pelletier", "Bélanger", "Lévesque", "Bergeron", "Smith",
        "Brown", "Wilson", "MacDonald", "Campbell", "Stewart", "Anderson", "Martin", "Leblanc",
        "Thériault",
    ),
    cities=(
        City("Toronto", "Ontario", "CA-ON", "M5V", "+1 416"),
        City("Toronto", "Ontario", "CA-ON", "M4W", "+1 647"),
        City("Ottawa", "Ontario", "CA-ON", "K1P", "+1 613"),
        City("Montréal", "Quebec", "CA-QC", "H2X", "+1 514"),
        City("Québec", "Quebec", "CA-QC", "G1R", "+1 418"),
        City("Vancouver", "British Columbia", "CA-BC", "V6B", "+1 604"),
        City("Calgary", "Alberta", "CA-AB", "T2P", "+1 403"),
        City("Halifax", "Nova Scotia", "CA-NS", "B3H", "+1 902"),
        City("Winnipeg", "Manitoba", "CA-MB", "R3C", "+1 204"),
    ),
    streets=(
        "Yonge Street", "rue Sainte-Catherine", "Robson Street", "Jasper Avenue",
        "boulevard René-Lévesque", "Queen Street West", "Granville Street", "rue Saint-Denis",
        "Portage Avenue", "Spring Garden Road", "Stephen Avenue", "chemin de la Côte-des-Neiges",
    ),
    street_format="{n} {s}",
    second_lines=("Apt {k}", "Unit {k}", "app. {k}"),
    phone_groups=(3, 4),
    phone_sep="-",
    postcode_style="ca",
    domains=("example.com", "example.net", "mail.example", "videotron.example"),
    companies=("{l} Inc.", "{l} Ltd.", "{l} et Fils Ltée", "Construction {l} Inc."),
    taxvat=("", 9, "RT0001"),
)

GB = Country(
    code="GB",
    male=(
        "Oliver", "George", "Harry", "Jack", "Jacob", "Charlie", "Thomas", "Oscar", "William",
        "James", "Alfie", "Henry", "Arthur", "Freddie", "Archie", "Callum", "Rhys", "Dafydd",
        "Niall", "Seán",
    ),
    female=(
        "Amelia", "Olivia", "Isla", "Emily", "Poppy", "Ava", "Isabella", "Jessica", "Lily",
        "Sophie", "Grace", "Evie", "Siân", "Niamh", "Aoife", "Eilidh", "Bethan", "Catrin",
        "Freya", "Imogen",
    ),
    last=(
        "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
        "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards",
        "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood",
        "Turner", "Cooper", "Hill", "Ward", "Morris", "O'Brien", "MacLeod",
    ),
    cities=(
        City("London", None, None, "SW1A", "+44 20"),
        City("London", None, None, "E1", "+44 20"),
        City("London", None, None, "NW3", "+44 20"),
        City("Manchester", None, None, "M1", "+44 161"),
        City("Birmingham", None, None, "B1", "+44 121"),
        City("Edinburgh", None, None, "EH1", "+44 131"),
        City("Leeds", None, None, "LS1", "+44 113"),
        City("Bristol", None, None, "BS1", "+44 117"),
        City("Glasgow", None, None, "G1", "+44 141"),
        City("Cardiff", None, None, "CF10", "+44 29"),
        City("Liverpool", None, None, "L1", "+44 151"),
    ),
    streets=(
        "High Street", "Station Road", "Church Lane", "Victoria Road", "Green Lane",
        "Manor Road", "Park Road", "Queen's Road", "King Street", "Mill Lane", "The Crescent",
        "Baker Street", "Abbey Road",
    ),
    street_format="{n} {s}",
    second_lines=("Flat {k}", "Unit {k}"),
    phone_groups=(4, 4),
    phone_sep=" ",
    postcode_style="gb",
    domains=("btinternet.example", "sky.example", "example.com", "mail.example"),
    companies=("{l} Ltd", "{l} & Co", "{l} Plumbing Ltd", "{l} Associates LLP"),
    taxvat=("GB", 9, ""),
)

DE = Country(
    code="DE",
    male=(
        "Jürgen", "Jörg", "Günter", "Lukas", "Leon", "Maximilian", "Felix", "Jonas", "Paul",
        "Stefan", "Andreas", "Thomas", "Michael", "Klaus", "Björn", "Sören", "Matthias",
        "Tobias", "Niklas", "Uwe",
    ),
    female=(
        "Anna", "Lena", "Lea", "Hannah", "Sophie", "Marie", "Jana", "Katrin", "Sabine",
        "Ursula", "Gisela", "Bärbel", "Käthe", "Annika", "Laura", "Julia", "Sandra", "Petra",
        "Maren", "Jördis",
    ),
    last=(
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
        "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf",
        "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann",
        "Hartmann", "Lange", "Weiß", "Groß", "Jäger", "Köhler", "Böhm",
    ),
    cities=(
        City("Berlin", "Berlin", "DE-BE", "1:0115-4199", "+49 30"),
        City("Hamburg", "Hamburg", "DE-HH", "2:0095-2769", "+49 40"),
        City("München", "Bayern", "DE-BY", "8:0331-1929", "+49 89"),
        City("Nürnberg", "Bayern", "DE-BY", "90:402-491", "+49 911"),
        City("Köln", "Nordrhein-Westfalen", "DE-NW", "50:667-999", "+49 221"),
        City("Düsseldorf", "Nordrhein-Westfalen", "DE-NW", "40:210-629", "+49 211"),
        City("Frankfurt am Main", "Hessen", "DE-HE", "60:306-599", "+49 69"),
        City("Stuttgart", "Baden-Württemberg", "DE-BW", "70:173-619", "+49 711"),
        City("Leipzig", "Sachsen", "DE-SN", "04:103-357", "+49 341"),
        City("Dresden", "Sachsen", "DE-SN", "01:067-328", "+49 351"),
    ),
    streets=(
        "Hauptstraße", "Bahnhofstraße", "Schillerstraße", "Goethestraße", "Gartenstraße",
        "Lindenstraße", "Friedrichstraße", "Schloßallee", "Mühlenweg", "Kirchgasse", "Am Markt",
        "Königsallee", "Brückenstraße", "Rosenweg", "Bergstraße",
    ),
    street_format="{s} {n}",
    second_lines=("Hinterhaus", "{k}. OG", "c/o Büro {k}"),
    phone_groups=(8,),
    phone_sep="",
    postcode_style="digits",
    domains=("gmx.example", "web.example", "t-online.example", "example.com", "posteo.example"),
    companies=(
        "{l} GmbH", "{l} & Söhne GmbH", "{l} Logistik AG", "Bäckerei {l}",
        "{l} Elektrotechnik KG", "Autohaus {l}",
    ),
    taxvat=("DE", 9, ""),
)

AT = Country(
    code="AT",
    male=(
        "Lukas", "Tobias", "David", "Florian", "Maximilian", "Jakob", "Elias", "Sebastian",
        "Wolfgang", "Franz", "Josef", "Johann", "Markus", "Christoph", "Andreas", "Jürgen",
    ),
    female=(
        "Anna", "Sophie", "Lena", "Katharina", "Theresa", "Magdalena", "Elisabeth", "Johanna",
        "Hannah", "Valentina", "Birgit", "Gerlinde", "Renate", "Brigitte", "Sabine", "Zoë",
    ),
    last=(
        "Gruber", "Huber", "Bauer", "Wagner", "Müller", "Pichler", "Steiner", "Moser", "Mayer",
        "Hofer", "Leitner", "Berger", "Fuchs", "Eder", "Fischer", "Schmid", "Winkler", "Weber",
        "Schwarz", "Maier", "Reiter", "Mayr", "Wimmer", "Egger", "Brunner", "Lang",
        "Baumgartner", "Auer", "Pölzl", "Größbauer",
    ),
    cities=(
        City("Wien", "Wien", "AT-9", "1:010-230", "+43 1"),
        City("Graz", "Steiermark", "AT-6", "80:10-63", "+43 316"),
        City("Salzburg", "Salzburg", "AT-5", "50:20-26", "+43 662"),
        City("Linz", "Oberösterreich", "AT-4", "40:20-40", "+43 732"),
        City("Innsbruck", "Tirol", "AT-7", "60:20-80", "+43 512"),
    ),
    streets=(
        "Mariahilfer Straße", "Hauptplatz", "Kärntner Straße", "Landstraßer Hauptstraße",
        "Herrengasse", "Bahnhofstraße", "Schulgasse", "Kirchengasse", "Getreidegasse",
        "Museumstraße",
    ),
    street_format="{s} {n}",
    second_lines=("Stiege {k}", "Top {k}"),
    phone_groups=(7,),
    phone_sep="",
    postcode_style="digits",
    domains=("gmx.example", "aon.example", "example.com", "chello.example"),
    companies=("{l} GmbH", "{l} & Co KG", "Tischlerei {l}", "{l} Handels GmbH"),
    taxvat=("ATU", 8, ""),
)

FR = Country(
    code="FR",
    male=(
        "François", "Jérôme", "Hervé", "Benoît", "Théo", "Lucas", "Hugo", "Louis", "Gabriel",
        "Jules", "Pierre", "Nicolas", "Julien", "Mathieu", "Sébastien", "Stéphane", "Loïc",
        "Gaël", "Cédric", "Raphaël",
    ),
    female=(
        "Hélène", "Chloé", "Léa", "Manon", "Camille", "Inès", "Zoé", "Élodie", "Céline",
        "Amélie", "Noémie", "Margaux", "Juliette", "Émilie", "Océane", "Maëlle", "Anaïs",
        "Béatrice", "Sophie", "Françoise",
    ),
    last=(
        "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
        "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Lefebvre", "Mercier",
        "Dupont", "Lambert", "Bonnet", "François", "Girard", "Fontaine", "Rousseau", "Vincent",
        "Chevalier", "Gauthier", "Lemaître", "Bérenger", "Ménard", "Aubé",
    ),
    cities=(
        City("Paris", None, None, "750:01-20", "+33 1"),
        City("Lyon", None, None, "690:01-09", "+33 4"),
        City("Marseille", None, None, "130:01-16", "+33 4"),
        City("Toulouse", None, None, "31000|31100|31200|31300|31400|31500", "+33 5"),
        City("Bordeaux", None, None, "33000|33100|33200|33300|33800", "+33 5"),
        City("Nantes", None, None, "44000|44100|44200|44300", "+33 2"),
        City("Strasbourg", None, None, "67000|67100|67200", "+33 3"),
        City("Lille", None, None, "59000|59160|59260|59800", "+33 3"),
        City("Nice", None, None, "06000|06100|06200|06300", "+33 4"),
        City("Montpellier", None, None, "34000|34070|34080|34090", "+33 4"),
    ),
    streets=(
        "rue de la République", "rue Victor Hugo", "avenue des Champs-Élysées",
        "boulevard Saint-Germain", "rue de Rivoli", "place Bellecour",
        "rue du Faubourg Saint-Honoré", "avenue Jean Jaurès", "rue de l'Église",
        "chemin des Vignes", "allée des Tilleuls", "rue Pasteur", "quai de la Tournelle",
    ),
    street_format="{n} {s}",
    second_lines=("Bâtiment B", "Appartement {k}", "Résidence les Pins, esc. {k}"),
    phone_groups=(2, 2, 2, 2),
    phone_sep=" ",
    postcode_style="digits",
    domains=("orange.example", "free.example", "laposte.example", "example.com", "sfr.example"),
    companies=("{l} SARL", "{l} et Fils", "Boulangerie {l}", "{l} SAS", "Cabinet {l}"),
    taxvat=("FR", 11, ""),
)

ES = Country(
    code="ES",
    male=(
        "José", "Jesús", "Álvaro", "Javier", "Sergio", "Pablo", "Alejandro", "Manuel",
        "Antonio", "David", "Daniel", "Adrián", "Iván", "Rubén", "Ramón", "Andrés", "Martín",
        "Hugo", "Óscar", "Íñigo",
    ),
    female=(
        "María", "Lucía", "Sofía", "Martina", "Paula", "Julia", "Carmen", "Ana", "Laura",
        "Marta", "Begoña", "Inés", "Ainhoa", "Nerea", "Sara", "Raquel", "Mónica", "Verónica",
        "Elena", "Pilar",
    ),
    last=(
        "García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez",
        "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz",
        "Álvarez", "Romero", "Alonso", "Gutiérrez", "Navarro", "Torres", "Domínguez",
        "Vázquez", "Ramos", "Gil", "Ramírez", "Serrano", "Blanco", "Núñez", "Peña", "Ibáñez",
        "Castaño",
    ),
    cities=(
        City("Madrid", "Madrid", "ES-M", "280:01-55", "+34 91"),
        City("Barcelona", "Barcelona", "ES-B", "080:01-42", "+34 93"),
        City("Valencia", "Valencia", "ES-V", "460:01-26", "+34 96"),
        City("Sevilla", "Sevilla", "ES-SE", "410:01-20", "+34 95"),
        City("Málaga", "Málaga", "ES-MA", "290:01-18", "+34 95"),
        City("Bilbao", "Bizkaia", "ES-BI", "480:01-15", "+34 94"),
    ),
    streets=(
        "Calle Mayor", "Calle de Alcalá", "Gran Vía", "Paseo de la Castellana",
        "Avenida de la Constitución", "Calle Real", "Plaza de España", "Calle del Sol",
        "Rambla de Catalunya", "Calle de Núñez de Balboa", "Avenida Diagonal", "Calle Peñalver",
    ),
    street_format="{s}, {n}",
    second_lines=("{k}º A", "{k}º B", "{k}º izquierda", "{k}º derecha", "Piso {k}"),
    phone_groups=(3, 2, 2),
    phone_sep=" ",
    postcode_style="digits",
    domains=("telefonica.example", "example.com", "correo.example", "example.org"),
    companies=("{l} S.L.", "{l} y Asociados", "Construcciones {l} S.A.", "Talleres {l}"),
    taxvat=("ESB", 8, ""),
)

IT = Country(
    code="IT",
    male=(
        "Luca", "Marco", "Giuseppe", "Francesco", "Alessandro", "Andrea", "Matteo", "Lorenzo",
        "Davide", "Simone", "Nicolò", "Mattia", "Riccardo", "Gabriele", "Tommaso", "Federico",
        "Stefano", "Giovanni", "Salvatore", "Niccolò",
    ),
    female=(
        "Giulia", "Francesca", "Sara", "Chiara", "Martina", "Alessia", "Aurora", "Sofia",
        "Giorgia", "Beatrice", "Elisa", "Federica", "Valentina", "Ilaria", "Noemi", "Alice",
        "Greta", "Carlotta", "Anna", "Lucia",
    ),
    last=(
        "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
        "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa",
        "Giordano", "Rizzo", "Lombardi", "Moretti", "D'Angelo", "Barbieri", "Fontana",
        "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferrara", "Galli", "Martini", "Nicolò",
    ),
    cities=(
        City("Roma", "Roma", "IT-RM", "001:18-99", "+39 06"),
        City("Milano", "Milano", "IT-MI", "201:21-62", "+39 02"),
        City("Napoli", "Napoli", "IT-NA", "801:21-47", "+39 081"),
        City("Torino", "Torino", "IT-TO", "101:21-56", "+39 011"),
        City("Firenze", "Firenze", "IT-FI", "501:21-45", "+39 055"),
        City("Bologna", "Bologna", "IT-BO", "401:21-41", "+39 051"),
    ),
    streets=(
        "Via Roma", "Via Garibaldi", "Corso Vittorio Emanuele II", "Via Dante",
        "Piazza del Duomo", "Via Mazzini", "Via Cavour", "Viale della Libertà",
        "Via XX Settembre", "Via dei Mille", "Corso Buenos Aires", "Via Nazionale",
    ),
    street_format="{s}, {n}",
    second_lines=("Scala {k}", "Interno {k}"),
    phone_groups=(3, 4),
    phone_sep=" ",
    postcode_style="digits",
    domains=("libero.example", "tiscali.example", "example.com", "virgilio.example"),
    companies=("{l} S.r.l.", "{l} & Figli", "{l} S.p.A.", "Trattoria {l}"),
    taxvat=("IT", 11, ""),
)

NL = Country(
    code="NL",
    male=(
        "Daan", "Sem", "Lucas", "Levi", "Finn", "Bram", "Jesse", "Thijs", "Ruben", "Stijn",
        "Joris", "Pieter", "Sjoerd", "Maarten", "Willem", "Teun", "Koen", "Gijs",
    ),
    female=(
        "Emma", "Julia", "Sophie", "Tess", "Fenna", "Sanne", "Lotte", "Anouk", "Iris", "Femke",
        "Marieke", "Ineke", "Annelies", "Saskia", "Noor", "Zoë", "Floor", "Maaike",
    ),
    last=(
        "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen",
        "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters",
        "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits",
        "de Graaf", "van der Meer", "Kuipers",
    ),
    cities=(
        City("Amsterdam", None, None, "1011-1109", "+31 20"),
        City("Rotterdam", None, None, "3011-3089", "+31 10"),
        City("Den Haag", None, None, "2491-2597", "+31 70"),
        City("Utrecht", None, None, "3511-3585", "+31 30"),
        City("Eindhoven", None, None, "5611-5658", "+31 40"),
        City("Groningen", None, None, "9711-9747", "+31 50"),
    ),
    streets=(
        "Kalverstraat", "Damrak", "Prinsengracht", "Herengracht", "Keizersgracht",
        "Coolsingel", "Lange Voorhout", "Oudegracht", "Stationsplein", "Dorpsstraat",
        "Kerkstraat", "Molenweg", "Schoolstraat",
    ),
    street_format="{s} {n}",
    second_lines=("{k} hoog", "bus {k}"),
    phone_groups=(3, 4),
    phone_sep=" ",
    postcode_style="nl",
    domains=("ziggo.example", "kpnmail.example", "example.com", "xs4all.example"),
    companies=("{l} B.V.", "{l} Holding B.V.", "Bakkerij {l}", "{l} & Zn."),
    taxvat=("NL", 9, "B01"),
)

PL = Country(
    code="PL",
    male=(
        "Łukasz", "Paweł", "Michał", "Piotr", "Krzysztof", "Tomasz", "Marcin", "Jakub",
        "Wojciech", "Mateusz", "Kacper", "Bartłomiej", "Grzegorz", "Jarosław", "Przemysław",
        "Sławomir", "Zbigniew", "Maciej",
    ),
    female=(
        "Małgorzata", "Agnieszka", "Katarzyna", "Joanna", "Magdalena", "Anna", "Barbara", "Ewa",
        "Zofia", "Żaneta", "Jadwiga", "Grażyna", "Bożena", "Aleksandra", "Natalia", "Weronika",
        "Agata", "Łucja",
    ),
    last=(
        "Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski",
        "Zieliński", "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur",
        "Kwiatkowski", "Krawczyk", "Piotrowski", "Grabowski", "Nowakowski", "Pawłowski",
        "Michalski", "Zając", "Wróbel", "Król", "Wieczorek", "Jabłoński", "Sadowski",
    ),
    cities=(
        City("Warszawa", "Mazowieckie", "PL-14", "0:0001-4999", "+48 22"),
        City("Kraków", "Małopolskie", "PL-12", "3:0001-1999", "+48 12"),
        City("Wrocław", "Dolnośląskie", "PL-02", "5:0001-4999", "+48 71"),
        City("Gdańsk", "Pomorskie", "PL-22", "80:001-999", "+48 58"),
        City("Poznań", "Wielkopolskie", "PL-30", "6:0001-1999", "+48 61"),
        City("Łódź", "Łódzkie", "PL-10", "9:0001-4999", "+48 42"),
    ),
    streets=(
        "ul. Marszałkowska", "ul. Piotrkowska", "ul. Długa", "ul. Floriańska",
        "ul. Świętokrzyska", "ul. Mickiewicza", "ul. Słowackiego", "ul. Kościuszki",
        "al. Jerozolimskie", "ul. Żeromskiego", "ul. Grunwaldzka", "ul. Wróblewskiego",
    ),
    street_format="{s} {n}",
    second_lines=("lok. {k}", "m. {k}"),
    phone_groups=(3, 2, 2),
    phone_sep=" ",
    postcode_style="digits",
    postcode_sep=(2, "-"),
    domains=("wp.example", "onet.example", "interia.example", "example.com"),
    companies=("{l} sp. z o.o.", "Firma Handlowa {l}", "{l} i Wspólnicy", "Zakład {l} s.c."),
    taxvat=("PL", 10, ""),
)

SE = Country(
    code="SE",
    male=(
        "Björn", "Lars", "Anders", "Johan", "Erik", "Karl", "Nils", "Olof", "Göran", "Åke",
        "Oskar", "Hugo", "William", "Axel", "Elias", "Måns", "Sven", "Per",
    ),
    female=(
        "Åsa", "Anna", "Eva", "Maria", "Karin", "Kristina", "Ingrid", "Linnéa", "Maja", "Elsa",
        "Astrid", "Märta", "Saga", "Ebba", "Frida", "Sofia", "Britt", "Birgitta",
    ),
    last=(
        "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
        "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Lindberg", "Lindström",
        "Öberg", "Åberg", "Söderberg", "Ström", "Holmqvist", "Löfgren", "Bergström",
        "Sjöberg", "Engström", "Håkansson",
    ),
    cities=(
        City("Stockholm", None, None, "1:1120-1899", "+46 8"),
        City("Göteborg", None, None, "4:1101-1879", "+46 31"),
        City("Malmö", None, None, "2:1115-1759", "+46 40"),
        City("Uppsala", None, None, "75:220-757", "+46 18"),
        City("Västerås", None, None, "72:211-481", "+46 21"),
    ),
    streets=(
        "Drottninggatan", "Kungsgatan", "Storgatan", "Sveavägen", "Götgatan", "Vasagatan",
        "Östra Hamngatan", "Södra Förstadsgatan", "Kyrkogatan", "Skolgatan", "Järnvägsgatan",
        "Åsgatan",
    ),
    street_format="{s} {n}",
    second_lines=("lgh 1{k}01", "{k} tr"),
    phone_groups=(3, 2, 2),
    phone_sep=" ",
    postcode_style="digits",
    postcode_sep=(3, " "),
    domains=("telia.example", "bredband.example", "example.com", "example.net"),
    companies=("{l} AB", "{l} & Co AB", "{l}s Bygg AB", "{l} Konsult AB"),
    taxvat=("SE", 10, "01"),
)

DK = Country(
    code="DK",
    male=(
        "Søren", "Jørgen", "Mads", "Rasmus", "Frederik", "Mikkel", "Kasper", "Jens", "Niels",
        "Anders", "Bjørn", "Thorbjørn", "Emil", "Magnus", "Oliver", "Lasse",
    ),
    female=(
        "Mette", "Ida", "Freja", "Emma", "Sofie", "Anne", "Kirsten", "Hanne", "Lærke", "Signe",
        "Birthe", "Tove", "Astrid", "Maja", "Bodil", "Gry",
    ),
    last=(
        "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen",
        "Sørensen", "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen",
        "Thomsen", "Christiansen", "Poulsen", "Johansen", "Møller", "Mortensen", "Østergaard",
        "Bækgaard", "Kjær", "Lund",
    ),
    cities=(
        City("København", None, None, ":1050-2450", "+45"),
        City("Aarhus", None, None, ":8000-8270", "+45"),
        City("Odense", None, None, ":5000-5270", "+45"),
        City("Aalborg", None, None, ":9000-9220", "+45"),
        City("Esbjerg", None, None, ":6700-6715", "+45"),
    ),
    streets=(
        "Nørregade", "Østergade", "Vestergade", "Strøget", "Nyhavn", "Søndergade", "Algade",
        "Åboulevarden", "Bredgade", "Kongens Nytorv", "Frederiksberg Allé", "Jernbanegade",
    ),
    street_format="{s} {n}",
    second_lines=("{k}. tv.", "{k}. th.", "st. tv."),
    phone_groups=(2, 2, 2, 2),
    phone_sep=" ",
    postcode_style="digits",
    domains=("mail.example", "jubii.example", "example.com", "example.org"),
    companies=("{l} ApS", "{l} A/S", "{l} & Søn", "Tømrerfirma {l}"),
    taxvat=("DK", 8, ""),
)

JP = Country(
    code="JP",
    male=(
        "太郎", "翔太", "健太", "大輔", "拓也", "直樹", "蓮", "悠真", "陽翔", "湊", "誠", "浩",
        "隆", "修",
    ),
    female=(
        "花子", "陽菜", "結衣", "美咲", "さくら", "葵", "凛", "愛", "恵子", "由美", "智子",
        "裕子", "真由美", "彩",
    ),
    last=(
        "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田",
        "山田", "佐々木", "山口", "松本", "井上", "木村", "林", "斎藤", "清水",
    ),
    cities=(
        City("新宿区", "Tokyo", "JP-13", "16:00000-99999", "+81 3"),
        City("渋谷区", "Tokyo", "JP-13", "15:00000-99999", "+81 3"),
        City("大阪市", "Osaka", "JP-27", "53:00000-99999", "+81 6"),
        City("京都市", "Kyoto", "JP-26", "60:00000-69999", "+81 75"),
        City("札幌市", "Hokkaido", "JP-01", "06:00000-69999", "+81 11"),
        City("福岡市", "Fukuoka", "JP-40", "81:00000-99999", "+81 92"),
        City("横浜市", "Kanagawa", "JP-14", "22:00000-59999", "+81 45"),
        City("名古屋市", "Aichi", "JP-23", "45:00000-99999", "+81 52"),
    ),
    streets=(
        "西新宿", "神宮前", "道玄坂", "梅田", "祇園町", "大通西", "天神", "みなとみらい", "栄",
        "銀座", "丸の内",
    ),
    street_format="{s}{m}-{n}",
    second_lines=("{k}号室", "サンハイツ{k}0{k}"),
    phone_groups=(4, 4),
    phone_sep="-",
    postcode_style="digits",
    postcode_sep=(3, "-"),
    domains=("docomo.example", "ezweb.example", "example.com", "mail.example"),
    companies=("株式会社{l}", "{l}商事株式会社", "{l}工業株式会社", "有限会社{l}"),
    taxvat=("T", 13, ""),
)

BR = Country(
    code="BR",
    male=(
        "João", "José", "Antônio", "Francisco", "Carlos", "Paulo", "Pedro", "Lucas", "Luiz",
        "Marcos", "Luís", "Gabriel", "Rafael", "Daniel", "Marcelo", "Bruno", "Eduardo",
        "Felipe", "Thiago", "Vinícius",
    ),
    female=(
        "Maria", "Ana", "Francisca", "Antônia", "Adriana", "Juliana", "Márcia", "Fernanda",
        "Patrícia", "Aline", "Conceição", "Letícia", "Luísa", "Beatriz", "Larissa", "Camila",
        "Débora", "Cecília", "Lívia", "Valéria",
    ),
    last=(
        "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira",
        "Lima", "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes",
        "Soares", "Fernandes", "Vieira", "Barbosa", "Rocha", "Dias", "Nascimento", "Araújo",
        "Conceição", "Magalhães", "Guimarães", "Assunção", "Brandão", "Gonçalves",
    ),
    cities=(
        City("São Paulo", "São Paulo", "BR-SP", "0:1000000-5999999", "+55 11"),
        City("Campinas", "São Paulo", "BR-SP", "13:010000-099999", "+55 19"),
        City("Rio de Janeiro", "Rio de Janeiro", "BR-RJ", "2:0000000-3799999", "+55 21"),
        City("Belo Horizonte", "Minas Gerais", "BR-MG", "3:0000000-1999999", "+55 31"),
        City("Salvador", "Bahia", "BR-BA", "4:0000000-2999999", "+55 71"),
        City("Curitiba", "Paraná", "BR-PR", "8:0000000-2999999", "+55 41"),
        City("Porto Alegre", "Rio Grande do Sul", "BR-RS", "9:0000000-1999999", "+55 51"),
        City("Brasília", "Distrito Federal", "BR-DF", "7:0000000-2799999", "+55 61"),
    ),
    streets=(
        "Rua Augusta", "Avenida Paulista", "Rua Oscar Freire", "Avenida Atlântica",
        "Rua da Consolação", "Rua das Flores", "Avenida Brasil", "Rua São João",
        "Avenida Getúlio Vargas", "Rua XV de Novembro", "Travessa do Comércio", "Praça da Sé",
    ),
    street_format="{s}, {n}",
    second_lines=("Apto {k}", "Casa {k}", "Bloco B, Apto {k}"),
    phone_groups=(5, 4),
    phone_sep="-",
    postcode_style="digits",
    postcode_sep=(5, "-"),
    domains=("uol.example", "bol.example", "terra.example", "example.com"),
    companies=("{l} Ltda.", "{l} & Filhos Ltda.", "Comércio {l} Ltda.", "{l} S.A."),
    taxvat=("", 11, ""),
)

COUNTRIES: tuple[Country, ...] = (US, CA, GB, DE, AT, FR, ES, IT, NL, PL, SE, DK, JP, BR)
"""Every country the demo invents customers in (fixed order: part of what a seed means)."""

WEBSITE_COUNTRIES: dict[str, tuple[tuple[str, int], ...]] = {
    "base": (
        ("US", 42), ("GB", 15), ("CA", 11), ("JP", 10), ("BR", 10), ("ES", 6), ("IT", 3),
        ("NL", 3),
    ),
    "eu": (
        ("DE", 30), ("FR", 22), ("IT", 10), ("AT", 8), ("ES", 8), ("NL", 8), ("PL", 7),
        ("SE", 4), ("DK", 3),
    ),
}
"""Where each website's customers live, as weights summing to 100: the Main Website sells
worldwide, the Europe Website (EUR, German and French store views) to the EU."""

ROMAJI: dict[str, str] = {
    "太郎": "taro", "翔太": "shota", "健太": "kenta", "大輔": "daisuke", "拓也": "takuya",
    "直樹": "naoki", "蓮": "ren", "悠真": "yuma", "陽翔": "haruto", "湊": "minato",
    "誠": "makoto", "浩": "hiroshi", "隆": "takashi", "修": "osamu", "花子": "hanako",
    "陽菜": "hina", "結衣": "yui", "美咲": "misaki", "さくら": "sakura", "葵": "aoi", "凛": "rin",
    "愛": "ai", "恵子": "keiko", "由美": "yumi", "智子": "tomoko", "裕子": "yuko",
    "真由美": "mayumi", "彩": "aya", "佐藤": "sato", "鈴木": "suzuki", "高橋": "takahashi",
    "田中": "tanaka", "伊藤": "ito", "渡辺": "watanabe", "山本": "yamamoto", "中村": "nakamura",
    "小林": "kobayashi", "加藤": "kato", "吉田": "yoshida", "山田": "yamada",
    "佐々木": "sasaki", "山口": "yamaguchi", "松本": "matsumoto", "井上": "inoue",
    "木村": "kimura", "林": "hayashi", "斎藤": "saito", "清水": "shimizu",
}
"""Hepburn romanisation of the Japanese names, for their email addresses."""
# fmt: on

# --- Derived pools ------------------------------------------------------------------------------

_FOLD = str.maketrans(
    {"ß": "ss", "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "đ": "d"}
)


def slug(name: str) -> str:
    """*name* as lowercase ASCII letters only, for an email's local part (``Müller`` → ``muller``).

    Only letters survive, never digits: the demo appends the customer's number to every email,
    and a digit-free slug is what makes that number (and so the email) unique.
    """
    if name in ROMAJI:
        return ROMAJI[name]
    folded = unicodedata.normalize("NFKD", name.translate(_FOLD))
    letters = "".join(ch for ch in folded.lower() if "a" <= ch <= "z")
    if not letters:
        raise ValueError(f"no ASCII spelling for demo name {name!r}")
    return letters


def female_surname(name: str) -> str:
    """The feminine form of a Polish surname (Kowalski → Kowalska); others are unchanged."""
    for ending in ("ski", "cki", "dzki"):
        if name.endswith(ending):
            return name[:-1] + "a"
    return name


_CA_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"
_GB_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_NL_LETTERS = "ABCEGHJKLMNPRTVWXZ"


def postcode_pool(country: Country, city: City, size: int = 32) -> tuple[str, ...]:
    """A fixed handful of plausible postcodes for *city*, drawn once per build.

    Drawing per row would cost a format call per address; a pool of 32 per city looks just as
    real in the grid and makes the demo's postcodes repeat the way real ones do.
    """
    rng = random.Random(f"{country.code}/{city.name}/{city.postcode}")
    spec = city.postcode
    codes: list[str] = []
    for _ in range(size):
        if country.postcode_style == "gb":
            code = (
                f"{spec} {rng.randrange(1, 10)}{rng.choice(_GB_LETTERS)}{rng.choice(_GB_LETTERS)}"
            )
        elif country.postcode_style == "ca":
            code = f"{spec} {rng.randrange(10)}{rng.choice(_CA_LETTERS)}{rng.randrange(10)}"
        elif country.postcode_style == "nl":
            low, high = (int(part) for part in spec.split("-"))
            letters = rng.choice(_NL_LETTERS) + rng.choice(_NL_LETTERS)
            code = f"{rng.randint(low, high)} {letters}"
        elif "|" in spec:
            code = rng.choice(spec.split("|"))
        else:
            prefix, _, span = spec.partition(":")
            low_text, high_text = span.split("-")
            number = rng.randint(int(low_text), int(high_text))
            code = f"{prefix}{number:0{len(high_text)}d}"
            if country.postcode_sep is not None:
                at, sep = country.postcode_sep
                code = code[:at] + sep + code[at:]
        codes.append(code)
    return tuple(codes)
