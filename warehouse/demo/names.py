"""Names in the local languages: organizations, sports clubs, and fake buyers.

Organization names come from templates per archetype and country; ``{city}`` is the town,
``{gen}`` its genitive (Finnish and Icelandic names inflect: "Tampereen Teatteri",
"Leikfélag Akureyrar").

>>> org_name_options("city_theatre", "SE", "Malmö")[0]
'Malmö Stadsteater'
>>> genitive("FI", "Tampere"), genitive("IS", "Akureyri")
('Tampereen', 'Akureyrar')
"""

from __future__ import annotations

_GENITIVE = {
    "Helsinki": "Helsingin", "Espoo": "Espoon", "Vantaa": "Vantaan", "Tampere": "Tampereen",
    "Turku": "Turun", "Oulu": "Oulun", "Jyväskylä": "Jyväskylän", "Kuopio": "Kuopion",
    "Lahti": "Lahden", "Pori": "Porin", "Joensuu": "Joensuun", "Lappeenranta": "Lappeenrannan",
    "Hämeenlinna": "Hämeenlinnan", "Vaasa": "Vaasan", "Seinäjoki": "Seinäjoen",
    "Rovaniemi": "Rovaniemen", "Mikkeli": "Mikkelin", "Savonlinna": "Savonlinnan",
    "Kotka": "Kotkan", "Kajaani": "Kajaanin", "Kokkola": "Kokkolan",
    "Maarianhamina": "Maarianhaminan",
    "Reykjavík": "Reykjavíkur", "Kópavogur": "Kópavogs", "Hafnarfjörður": "Hafnarfjarðar",
    "Reykjanesbær": "Reykjanesbæjar", "Akureyri": "Akureyrar", "Húsavík": "Húsavíkur",
    "Selfoss": "Selfoss", "Vestmannaeyjar": "Vestmannaeyja", "Akranes": "Akraness",
    "Borgarnes": "Borgarness", "Ísafjörður": "Ísafjarðar", "Egilsstaðir": "Egilsstaða",
    "Sauðárkrókur": "Sauðárkróks",
}


def genitive(country: str, city: str) -> str:
    """The genitive of a town name as used in organization names."""
    if city in _GENITIVE:
        return _GENITIVE[city]
    if country == "FI":
        return city + ("n" if city[-1] in "aeiouyäö" else "in")
    if country == "IS":
        return city
    return city if city[-1] in "sxz" else city + "s"


_T = dict[str, tuple[str, ...]]
ORG_NAMES: dict[str, _T] = {
    "orchestra": {
        "NO": ("{city} Filharmoniske Selskap", "{city} Symfoniorkester", "{city} Sinfonietta"),
        "SE": ("{city} Symfoniorkester", "{gen} Symfoniker", "{city} Kammarorkester"),
        "DK": ("{city} Symfoniorkester", "{city} Sinfonietta", "{city} Kammerorkester"),
        "FI": ("{gen} Kaupunginorkesteri", "{city} Sinfonia", "{gen} Kamariorkesteri"),
        "IS": ("Sinfóníuhljómsveit {gen}", "Kammersveit {gen}"),
    },
    "jazz_club": {
        "NO": ("{city} Jazzforum", "{city} Jazzklubb", "Blå Time Jazzklubb {city}"),
        "SE": ("{city} Jazzklubb", "Jazz i {city}", "{gen} Jazzförening"),
        "DK": ("{city} Jazzhus", "Jazzklub {city}", "{city} Jazzklub"),
        "FI": ("{gen} Jazzklubi", "{city} Jazz Club", "{gen} Jazzyhdistys"),
        "IS": ("Jazzklúbbur {gen}", "Múlinn Jazzklúbbur"),
    },
    "concert_hall": {
        "NO": ("{city} Konserthus", "{city} Kulturhus", "Scene {city}"),
        "SE": ("{city} Konserthus", "{gen} Konserthus", "{city} Kulturhus"),
        "DK": ("{city} Koncerthus", "Musikhuset {city}", "{city} Kulturhus"),
        "FI": ("{gen} Konserttitalo", "{gen} Musiikkitalo", "{gen} Kulttuuritalo"),
        "IS": ("Tónlistarhús {gen}", "Menningarhús {gen}"),
    },
    "city_theatre": {
        "NO": ("{city} Teater", "{city} Nye Teater", "Teater {city}"),
        "SE": ("{city} Stadsteater", "{city} Teater", "{gen} Länsteater"),
        "DK": ("{city} Teater", "{gen} Teater", "{city} Egnsteater"),
        "FI": ("{gen} Teatteri", "{gen} Kaupunginteatteri", "{gen} Työväen Teatteri"),
        "IS": ("Leikfélag {gen}", "Leikhús {gen}"),
    },
    "children_theatre": {
        "NO": ("{city} Barneteater", "{city} Dukketeater"),
        "SE": ("{city} Barnteater", "{gen} Dockteater"),
        "DK": ("{gen} Børneteater", "{city} Dukketeater"),
        "FI": ("{gen} Lastenteatteri", "{gen} Nukketeatteri"),
        "IS": ("Barnaleikhús {gen}", "Brúðuleikhús {gen}"),
    },
    "opera_house": {
        "NO": ("Opera {city}", "{city} Operakompani", "{city} Danseteater"),
        "SE": ("{city} Opera", "{city} Dansteater", "{gen} Operaförening"),
        "DK": ("{city} Opera", "{city} Danseteater", "Den Jyske Opera {city}"),
        "FI": ("{gen} Ooppera", "{gen} Tanssiteatteri", "{gen} Oopperayhdistys"),
        "IS": ("Óperufélag {gen}", "Danshópur {gen}"),
    },
    "comedy_stage": {
        "NO": ("{city} Revyteater", "Latter {city}", "{city} Humorscene"),
        "SE": ("{city} Komediteater", "{city} Lustspelsteater", "Skrattkällaren {city}"),
        "DK": ("{city} Revy", "{city} Comedy Club", "Morskabsteatret {city}"),
        "FI": ("{gen} Komediateatteri", "{city} Stand Up Club", "{gen} Kesäteatteri"),
        "IS": ("Uppistand {gen}", "Gamanleikhús {gen}"),
    },
    "cinema": {
        "NO": ("{city} Kino", "{city} Filmteater", "Cinemateket {city}"),
        "SE": ("Bio {city}", "{city} Filmstudio", "Biografen {city}"),
        "DK": ("{city} Bio", "Cinemateket {city}", "Biografen {city}"),
        "FI": ("Kino {city}", "{gen} Elokuvateatteri", "{gen} Elokuvakerho"),
        "IS": ("Bíó {gen}", "Kvikmyndahús {gen}"),
    },
    "fest_pop": {
        "NO": ("{city} Musikkfestival", "Festivalen {city}", "{city} Rockefest"),
        "SE": ("{city} Musikfestival", "{city} Rockfestival", "Festivalen i {city}"),
        "DK": ("{city} Festival", "{city} Musikfestival", "{city} Rock"),
        "FI": ("{city} Rock", "{gen} Musiikkijuhlat", "{city} Festivaali"),
        "IS": ("Tónlistarhátíð {gen}", "Rokkhátíð {gen}"),
    },
    "fest_jazz": {
        "NO": ("{city} Jazzfestival", "Jazz i {city}"),
        "SE": ("{city} Jazzfestival", "{gen} Jazzdagar"),
        "DK": ("{city} Jazzfestival", "{city} Jazz & Blues"),
        "FI": ("{city} Jazz", "{gen} Jazzfestivaali"),
        "IS": ("Jazzhátíð {gen}",),
    },
    "fest_folk": {
        "NO": ("{city} Folkemusikkfestival", "Visefestivalen i {city}"),
        "SE": ("{city} Folkmusikfestival", "{gen} Visfestival"),
        "DK": ("{city} Folkfestival", "{city} Visefestival"),
        "FI": ("{gen} Kansanmusiikkijuhlat", "{gen} Tangomarkkinat"),
        "IS": ("Þjóðlagahátíð {gen}",),
    },
    "fest_lit": {
        "NO": ("{city} Litteraturfestival", "Litteraturdagene i {city}"),
        "SE": ("{city} Litteraturfestival", "Bokdagarna i {city}"),
        "DK": ("{city} Litteraturfestival", "Bogforum {city}"),
        "FI": ("{gen} Kirjallisuusfestivaali", "{gen} Kirjamessut"),
        "IS": ("Bókmenntahátíð {gen}",),
    },
    "fest_film": {
        "NO": ("{city} Internasjonale Filmfestival", "Filmfestivalen i {city}"),
        "SE": ("{city} Filmfestival", "{gen} Internationella Filmfestival"),
        "DK": ("{city} Filmfestival", "{city} Dokumentarfilmfestival"),
        "FI": ("{gen} Elokuvajuhlat", "{gen} Elokuvafestivaali"),
        "IS": ("Kvikmyndahátíð {gen}",),
    },
    "fest_chamber": {
        "NO": ("{city} Kammermusikkfestival", "Festspillene i {city}"),
        "SE": ("{city} Kammarmusikfestival", "{gen} Musikdagar"),
        "DK": ("{city} Kammermusikfestival", "{city} Sommerkoncerter"),
        "FI": ("{gen} Kamarimusiikkijuhlat", "{gen} Musiikkijuhlat"),
        "IS": ("Kammertónleikar {gen}",),
    },
    "fest_electronic": {
        "NO": ("{city} Elektronisk Festival", "Nattfestivalen {city}"),
        "SE": ("{city} Electronic", "{city} Klubbfestival"),
        "DK": ("{city} Electronic Festival", "Natfestival {city}"),
        "FI": ("{city} Electronic", "{gen} Yöfestivaali"),
        "IS": ("Raftónlistarhátíð {gen}",),
    },
    "football": {
        "NO": ("{city} Fotballklubb", "{city} IL Fotball"), "SE": ("{city} FF", "{city} IF"),
        "DK": ("{city} Boldklub", "FC {city}"), "FI": ("{gen} Palloseura", "FC {city}"),
        "IS": ("Knattspyrnufélag {gen}", "Íþróttafélag {gen}"),
    },
    "handball": {
        "NO": ("{city} Håndballklubb", "{city} IL Håndball"), "SE": ("{city} HK", "{city} HF"),
        "DK": ("{city} Håndbold", "{city} HK"), "FI": ("{gen} Käsipalloseura", "{city} HT"),
        "IS": ("Handknattleiksfélag {gen}", "Handboltafélag {gen}"),
    },
    "ice_hockey": {
        "NO": ("{city} Ishockeyklubb", "{city} Hockey"), "SE": ("{city} Hockey", "{city} HC"),
        "DK": ("{city} Ishockey Klub", "{city} Hockey"), "FI": ("{gen} Jääkiekko", "{city} HT"),
        "IS": ("Skautafélag {gen}",),
    },
    "art_museum": {
        "NO": ("{city} Kunstmuseum", "{city} Kunsthall", "Kunstmuseet i {city}"),
        "SE": ("{city} Konstmuseum", "{city} Konsthall", "{gen} Konstmuseum"),
        "DK": ("{city} Kunstmuseum", "Kunsthal {city}", "{gen} Kunstmuseum"),
        "FI": ("{gen} Taidemuseo", "{gen} Taidehalli"),
        "IS": ("Listasafn {gen}",),
    },
    "history_museum": {
        "NO": ("{city} Museum", "{city} Bymuseum", "Museet i {city}"),
        "SE": ("{city} Läns Museum", "{gen} Stadsmuseum", "{city} Museum"),
        "DK": ("{city} Museum", "{gen} Bymuseum", "Museum {city}"),
        "FI": ("{gen} Kaupunginmuseo", "{gen} Museo"),
        "IS": ("Minjasafn {gen}", "Byggðasafn {gen}"),
    },
    "culture_house": {
        "NO": ("{city} Kulturhus", "{city} Kulturscene", "{city} Samfunnshus"),
        "SE": ("{city} Kulturhus", "{city} Folkets Hus", "{city} Kulturscen"),
        "DK": ("{city} Kulturhus", "{city} Medborgerhus", "Kulturværftet {city}"),
        "FI": ("{gen} Kulttuuritalo", "{gen} Kulttuurikeskus"),
        "IS": ("Menningarmiðstöð {gen}", "Félagsheimili {gen}"),
    },
}


def org_name_options(archetype: str, country: str, city: str) -> list[str]:
    """Candidate names of an organization of ``archetype`` in ``city``, best first."""
    gen = genitive(country, city)
    return [t.format(city=city, gen=gen) for t in ORG_NAMES[archetype][country]]


#: (country, sport, town) -> (club name as an organization, short name in match titles).
REAL_CLUBS: dict[tuple[str, str, str], tuple[str, str]] = {
    ("NO", "football", "Trondheim"): ("Rosenborg Ballklub", "Rosenborg"),
    ("NO", "football", "Bergen"): ("SK Brann", "Brann"),
    ("NO", "football", "Oslo"): ("Vålerenga Fotball", "Vålerenga"),
    ("NO", "football", "Stavanger"): ("Viking FK", "Viking"),
    ("NO", "football", "Molde"): ("Molde FK", "Molde"),
    ("NO", "football", "Bodø"): ("FK Bodø/Glimt", "Bodø/Glimt"),
    ("NO", "football", "Tromsø"): ("Tromsø IL", "Tromsø"),
    ("NO", "football", "Lillestrøm"): ("Lillestrøm SK", "Lillestrøm"),
    ("NO", "football", "Fredrikstad"): ("Fredrikstad FK", "Fredrikstad"),
    ("NO", "handball", "Trondheim"): ("Kolstad Håndball", "Kolstad"),
    ("NO", "handball", "Elverum"): ("Elverum Håndball", "Elverum"),
    ("NO", "ice_hockey", "Hamar"): ("Storhamar Hockey", "Storhamar"),
    ("NO", "ice_hockey", "Stavanger"): ("Stavanger Oilers", "Stavanger Oilers"),
    ("SE", "football", "Malmö"): ("Malmö FF", "Malmö FF"),
    ("SE", "football", "Göteborg"): ("IFK Göteborg", "IFK Göteborg"),
    ("SE", "football", "Stockholm"): ("Hammarby IF", "Hammarby"),
    ("SE", "football", "Norrköping"): ("IFK Norrköping", "IFK Norrköping"),
    ("SE", "football", "Kalmar"): ("Kalmar FF", "Kalmar FF"),
    ("SE", "ice_hockey", "Göteborg"): ("Frölunda HC", "Frölunda"),
    ("SE", "ice_hockey", "Karlstad"): ("Färjestad BK", "Färjestad"),
    ("SE", "ice_hockey", "Skellefteå"): ("Skellefteå AIK", "Skellefteå"),
    ("SE", "ice_hockey", "Luleå"): ("Luleå Hockey", "Luleå"),
    ("SE", "ice_hockey", "Växjö"): ("Växjö Lakers", "Växjö Lakers"),
    ("SE", "handball", "Kristianstad"): ("IFK Kristianstad", "IFK Kristianstad"),
    ("DK", "football", "København"): ("F.C. København", "FC København"),
    ("DK", "football", "Aarhus"): ("AGF", "AGF"),
    ("DK", "football", "Aalborg"): ("AaB", "AaB"),
    ("DK", "football", "Odense"): ("Odense Boldklub", "OB"),
    ("DK", "football", "Herning"): ("FC Midtjylland", "FC Midtjylland"),
    ("DK", "handball", "Aalborg"): ("Aalborg Håndbold", "Aalborg Håndbold"),
    ("DK", "handball", "Odense"): ("GOG", "GOG"),
    ("DK", "ice_hockey", "Herning"): ("Herning Blue Fox", "Herning Blue Fox"),
    ("FI", "football", "Helsinki"): ("HJK Helsinki", "HJK"),
    ("FI", "football", "Kuopio"): ("Kuopion Palloseura", "KuPS"),
    ("FI", "football", "Turku"): ("FC Inter Turku", "Inter"),
    ("FI", "ice_hockey", "Tampere"): ("Tappara", "Tappara"),
    ("FI", "ice_hockey", "Oulu"): ("Oulun Kärpät", "Kärpät"),
    ("FI", "ice_hockey", "Turku"): ("HC TPS", "TPS"),
    ("FI", "ice_hockey", "Jyväskylä"): ("JYP Jyväskylä", "JYP"),
    ("IS", "football", "Reykjavík"): ("Knattspyrnufélag Reykjavíkur", "KR"),
    ("IS", "football", "Kópavogur"): ("Breiðablik", "Breiðablik"),
    ("IS", "football", "Akureyri"): ("Knattspyrnufélag Akureyrar", "KA"),
    ("IS", "handball", "Hafnarfjörður"): ("Fimleikafélag Hafnarfjarðar", "FH"),
}

#: (country, sport) -> opponents in match titles ("Rosenborg – Molde").
OPPONENTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("NO", "football"): ("Rosenborg", "Molde", "Brann", "Vålerenga", "Viking", "Bodø/Glimt",
                         "Lillestrøm", "Tromsø", "Strømsgodset", "Sarpsborg 08", "Odd",
                         "Haugesund", "Sandefjord", "Fredrikstad", "HamKam", "KFUM Oslo"),
    ("NO", "handball"): ("Kolstad", "Elverum", "Drammen", "Runar", "Haslum", "Fyllingen",
                         "Arendal", "Nærbø", "Halden"),
    ("NO", "ice_hockey"): ("Storhamar", "Stavanger Oilers", "Vålerenga", "Frisk Asker",
                           "Sparta Sarpsborg", "Lillehammer", "Stjernen", "Narvik"),
    ("SE", "football"): ("Malmö FF", "AIK", "Djurgården", "Hammarby", "IFK Göteborg",
                         "BK Häcken", "IF Elfsborg", "IFK Norrköping", "Kalmar FF", "Mjällby",
                         "Halmstads BK", "GAIS", "IK Sirius"),
    ("SE", "handball"): ("IK Sävehof", "Ystads IF", "IFK Kristianstad", "Alingsås HK",
                         "Redbergslids IK", "HK Malmö"),
    ("SE", "ice_hockey"): ("Frölunda", "Färjestad", "Skellefteå", "Luleå", "Rögle",
                           "Växjö Lakers", "Djurgården", "Brynäs", "Leksand", "HV71"),
    ("DK", "football"): ("FC København", "Brøndby", "FC Midtjylland", "AGF", "AaB", "OB",
                         "Randers FC", "Silkeborg IF", "Viborg FF", "Vejle", "Lyngby",
                         "FC Nordsjælland"),
    ("DK", "handball"): ("Aalborg Håndbold", "GOG", "Skjern", "Bjerringbro-Silkeborg",
                         "TTH Holstebro", "Fredericia HK"),
    ("DK", "ice_hockey"): ("Aalborg Pirates", "Herning Blue Fox", "Rungsted", "Frederikshavn",
                           "Odense Bulldogs", "Esbjerg Energy"),
    ("FI", "football"): ("HJK", "KuPS", "SJK", "Ilves", "Inter", "FC Lahti", "VPS", "Haka",
                         "Honka", "IFK Mariehamn"),
    ("FI", "handball"): ("Riihimäen Cocks", "BK-46", "HIFK", "Dicken", "SIF"),
    ("FI", "ice_hockey"): ("Tappara", "Ilves", "HIFK", "Kärpät", "TPS", "Lukko", "JYP",
                           "KalPa", "Pelicans", "HPK"),
    ("IS", "football"): ("KR", "Valur", "Víkingur", "Breiðablik", "FH", "Stjarnan", "KA",
                         "ÍA", "Fram", "ÍBV"),
    ("IS", "handball"): ("Valur", "FH", "Haukar", "Afturelding", "ÍBV", "Fram"),
    ("IS", "ice_hockey"): ("SA", "SR", "Fjölnir"),
}

#: Fake buyers: first names and surnames per country (joined at random; never real people).
FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "NO": ("Anne", "Inger", "Kari", "Marit", "Ingrid", "Liv", "Eva", "Nora", "Emma", "Sofie",
           "Ida", "Maja", "Jan", "Per", "Bjørn", "Ole", "Lars", "Kjell", "Knut", "Arne",
           "Jonas", "Emil", "Magnus", "Henrik", "Sindre", "Øystein", "Håkon", "Astrid"),
    "SE": ("Anna", "Eva", "Maria", "Karin", "Kristina", "Lena", "Elsa", "Alice", "Maja",
           "Ebba", "Astrid", "Lars", "Anders", "Johan", "Karl", "Per", "Erik", "Mikael",
           "Oskar", "Lucas", "William", "Hugo", "Björn", "Åsa", "Märta", "Göran"),
    "DK": ("Anne", "Kirsten", "Hanne", "Mette", "Camilla", "Ida", "Freja", "Emma", "Sofie",
           "Peter", "Jens", "Lars", "Søren", "Niels", "Anders", "Mads", "Rasmus", "Frederik",
           "Mikkel", "Kasper", "Bjørn", "Signe", "Mathilde"),
    "FI": ("Aino", "Helena", "Johanna", "Maria", "Sari", "Tiina", "Eveliina", "Sofia", "Aada",
           "Juhani", "Mikko", "Timo", "Matti", "Jari", "Antti", "Ville", "Eetu", "Onni",
           "Väinö", "Päivi", "Jyrki", "Sanna"),
    "IS": ("Guðrún", "Anna", "Sigríður", "Kristín", "Margrét", "Helga", "Jón", "Sigurður",
           "Guðmundur", "Gunnar", "Ólafur", "Einar", "Þórunn", "Ásdís", "Stefán", "Kári"),
}
LAST_NAMES: dict[str, tuple[str, ...]] = {
    "NO": ("Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen",
           "Kristiansen", "Jensen", "Karlsen", "Johnsen", "Haugen", "Berg", "Bakken",
           "Solberg", "Lie", "Dahl", "Strand", "Moen", "Halvorsen", "Sæther", "Aas"),
    "SE": ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
           "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Lindberg",
           "Lindström", "Berg", "Åberg", "Sjöberg", "Holm"),
    "DK": ("Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen",
           "Sørensen", "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen",
           "Thomsen", "Møller", "Poulsen", "Holm"),
    "FI": ("Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine",
           "Heikkinen", "Koskinen", "Järvinen", "Lehtonen", "Lehtinen", "Saarinen",
           "Salminen", "Heinonen", "Niemi", "Kinnunen", "Salonen"),
    "IS": ("Jónsdóttir", "Jónsson", "Sigurðardóttir", "Sigurðsson", "Guðmundsdóttir",
           "Guðmundsson", "Gunnarsdóttir", "Gunnarsson", "Ólafsdóttir", "Ólafsson",
           "Einarsson", "Kristjánsdóttir", "Stefánsson", "Magnúsdóttir"),
}

#: Country calling codes for the fake phone numbers.
PHONE_PREFIX = {"NO": "+47 9", "SE": "+46 70", "DK": "+45 2", "FI": "+358 40", "IS": "+354 6"}
#: Domains reserved for examples (RFC 2606), so no fake e-mail reaches a real mailbox.
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")

_ASCII = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ä": "a", "ö": "o", "ü": "u",
                        "é": "e", "í": "i", "ó": "o", "ú": "u", "ý": "y", "á": "a",
                        "ð": "d", "þ": "th"})


def ascii_fold(name: str) -> str:
    """Lower-case ASCII form of a name, for fake e-mail addresses.

    >>> ascii_fold("Sæther"), ascii_fold("Þórunn")
    ('saether', 'thorunn')
    """
    return name.lower().translate(_ASCII)
