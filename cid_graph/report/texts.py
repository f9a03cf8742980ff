"""The report's own words in nb, en, sv, da and fi (metric and bucket labels come from the API).

>>> text("nb", "title")
'Publikumsrapport'
>>> sorted(TEXTS) == sorted(LANGS)
True
"""

from __future__ import annotations

LANGS = ("nb", "en", "sv", "da", "fi")

_EN = {
    "title": "Audience report",
    "network": "The network (all member organizations)",
    "period": "Period",
    "all_time": "all data held",
    "compared_with": "Compared with",
    "peer_SAME_ORG_TYPE": "organizations of the same type",
    "peer_SAME_REGION": "organizations in the same region",
    "peer_SAME_COUNTRY": "organizations in the same country",
    "peer_NORDIC": "the whole Nordic network",
    "key_figures": "Key figures",
    "metric": "Figure",
    "value": "Value",
    "benchmark": "Peers",
    "index": "Index",
    "highlights": "Highlights",
    "no_highlights": "No difference is both large and clear of noise among the published values.",
    "network_highlights": "Highlights compare one organization with its peers; a network report states none.",
    "demography": "Audience demography",
    "events": "Analyzed events",
    "loyalty": "Loyalty and reach",
    "voice": "Audience voice",
    "growth": "The network's growth like for like",
    "own_growth": "Your growth like for like",
    "growth_text": "{metric}: {current} against {prior} a year earlier ({change}), {n} organizations with data in both periods.",
    "growth_none": "Growth needs a closed period with data a year earlier.",
    "share_of_buyers": "Share of buyers",
    "own": "You",
    "peers": "Peers",
    "age_gender": "Age group and gender (share of buyers)",
    "month": "Buyers by month of purchase",
    "weekday": "Day of purchase (share of buyers)",
    "hour": "Hour of purchase (share of buyers)",
    "top_regions": "Buyers per 1,000 inhabitants, the ten regions that reach most",
    "suppressed": "hidden",
    "suppressed_note": "“hidden”: a value held back to protect privacy (too few buyers or organizations behind it).",
    "protection": "How the figures are protected",
    "protection_text": (
        "Every figure comes from the CID Graph API through its privacy layer, the same as the dashboard "
        "shows for this access: a value with fewer than {k} buyers behind it, or made by fewer than {m} "
        "organizations, is hidden; counts pooled from several organizations are rounded to multiples of {r} and slightly perturbed; a comparison never shows "
        "another single organization's figures, and a partner sees only the network. No person can be "
        "singled out and no figure is computed from a hidden one."
    ),
    "version": "Warehouse version {v}, published {date}. Report made {made}.",
    "no_voice": "No survey answers in this period.",
    "nps": "NPS",
    "page": "Page",
}

_NB = {
    "title": "Publikumsrapport",
    "network": "Nettverket (alle medlemsorganisasjoner)",
    "period": "Periode",
    "all_time": "alle data som finnes",
    "compared_with": "Sammenlignet med",
    "peer_SAME_ORG_TYPE": "organisasjoner av samme type",
    "peer_SAME_REGION": "organisasjoner i samme region",
    "peer_SAME_COUNTRY": "organisasjoner i samme land",
    "peer_NORDIC": "hele det nordiske nettverket",
    "key_figures": "Nøkkeltall",
    "metric": "Tall",
    "value": "Verdi",
    "benchmark": "Sammenlignbare",
    "index": "Indeks",
    "highlights": "Høydepunkter",
    "no_highlights": "Ingen forskjell er både stor og sikker nok blant de publiserte tallene.",
    "network_highlights": "Høydepunkter sammenligner én organisasjon med sine sammenlignbare; en nettverksrapport har ingen.",
    "demography": "Publikumsdemografi",
    "events": "Analyserte arrangementer",
    "loyalty": "Lojalitet og rekkevidde",
    "voice": "Publikums stemme",
    "growth": "Nettverkets vekst, like for like",
    "own_growth": "Din vekst, like for like",
    "growth_text": "{metric}: {current} mot {prior} året før ({change}), {n} organisasjoner med data i begge perioder.",
    "growth_none": "Vekst krever en avsluttet periode med data året før.",
    "share_of_buyers": "Andel av kjøperne",
    "own": "Dere",
    "peers": "Sammenlignbare",
    "age_gender": "Aldersgruppe og kjønn (andel av kjøperne)",
    "month": "Kjøpere per kjøpsmåned",
    "weekday": "Kjøpsdag (andel av kjøperne)",
    "hour": "Kjøpstime (andel av kjøperne)",
    "top_regions": "Kjøpere per 1 000 innbyggere, de ti regionene som nås best",
    "suppressed": "skjult",
    "suppressed_note": "«skjult»: et tall som holdes tilbake av personvernhensyn (for få kjøpere eller organisasjoner bak).",
    "protection": "Slik er tallene beskyttet",
    "protection_text": (
        "Alle tall kommer fra CID Graph-API-et gjennom personvernlaget, de samme som dashbordet viser for "
        "denne tilgangen: et tall med færre enn {k} kjøpere bak, eller laget av færre enn {m} organisasjoner, "
        "skjules; antall fra flere organisasjoner avrundes til multipler av {r} og forskyves litt; en sammenligning viser aldri en annen enkelt "
        "organisasjons tall, og en partner ser bare nettverket. Ingen person kan pekes ut, og ingen tall er "
        "regnet ut fra et skjult tall."
    ),
    "version": "Datavarehus versjon {v}, publisert {date}. Rapporten laget {made}.",
    "no_voice": "Ingen svar på spørreundersøkelser i perioden.",
    "nps": "NPS",
    "page": "Side",
}

_SV = {
    "title": "Publikrapport",
    "network": "Nätverket (alla medlemsorganisationer)",
    "period": "Period",
    "all_time": "alla data som finns",
    "compared_with": "Jämfört med",
    "peer_SAME_ORG_TYPE": "organisationer av samma typ",
    "peer_SAME_REGION": "organisationer i samma region",
    "peer_SAME_COUNTRY": "organisationer i samma land",
    "peer_NORDIC": "hela det nordiska nätverket",
    "key_figures": "Nyckeltal",
    "metric": "Mått",
    "value": "Värde",
    "benchmark": "Jämförbara",
    "index": "Index",
    "highlights": "Höjdpunkter",
    "no_highlights": "Ingen skillnad är både stor och säker nog bland de publicerade värdena.",
    "network_highlights": "Höjdpunkter jämför en organisation med jämförbara; en nätverksrapport har inga.",
    "demography": "Publikdemografi",
    "events": "Analyserade evenemang",
    "loyalty": "Lojalitet och räckvidd",
    "voice": "Publikens röst",
    "growth": "Nätverkets tillväxt, lika för lika",
    "own_growth": "Er tillväxt, lika för lika",
    "growth_text": "{metric}: {current} mot {prior} året före ({change}), {n} organisationer med data i båda perioderna.",
    "growth_none": "Tillväxt kräver en avslutad period med data året före.",
    "share_of_buyers": "Andel av köparna",
    "own": "Ni",
    "peers": "Jämförbara",
    "age_gender": "Åldersgrupp och kön (andel av köparna)",
    "month": "Köpare per köpmånad",
    "weekday": "Köpdag (andel av köparna)",
    "hour": "Köptimme (andel av köparna)",
    "top_regions": "Köpare per 1 000 invånare, de tio regioner som nås bäst",
    "suppressed": "dold",
    "suppressed_note": "”dold”: ett värde som hålls tillbaka av integritetsskäl (för få köpare eller organisationer bakom).",
    "protection": "Så skyddas siffrorna",
    "protection_text": (
        "Alla siffror kommer från CID Graph-API:t genom integritetslagret, samma som instrumentpanelen visar för "
        "denna åtkomst: ett värde med färre än {k} köpare bakom, eller från färre än {m} organisationer, döljs; "
        "antal från flera organisationer avrundas till multiplar av {r} och förskjuts något; en jämförelse visar aldrig en annan enskild organisations siffror, "
        "och en partner ser bara nätverket. Ingen person kan pekas ut och inget värde räknas fram ur ett dolt."
    ),
    "version": "Datalager version {v}, publicerad {date}. Rapporten skapad {made}.",
    "no_voice": "Inga enkätsvar under perioden.",
    "nps": "NPS",
    "page": "Sida",
}

_DA = {
    "title": "Publikumsrapport",
    "network": "Netværket (alle medlemsorganisationer)",
    "period": "Periode",
    "all_time": "alle data, der findes",
    "compared_with": "Sammenlignet med",
    "peer_SAME_ORG_TYPE": "organisationer af samme type",
    "peer_SAME_REGION": "organisationer i samme region",
    "peer_SAME_COUNTRY": "organisationer i samme land",
    "peer_NORDIC": "hele det nordiske netværk",
    "key_figures": "Nøgletal",
    "metric": "Tal",
    "value": "Værdi",
    "benchmark": "Sammenlignelige",
    "index": "Indeks",
    "highlights": "Højdepunkter",
    "no_highlights": "Ingen forskel er både stor og sikker nok blandt de offentliggjorte tal.",
    "network_highlights": "Højdepunkter sammenligner én organisation med sammenlignelige; en netværksrapport har ingen.",
    "demography": "Publikumsdemografi",
    "events": "Analyserede arrangementer",
    "loyalty": "Loyalitet og rækkevidde",
    "voice": "Publikums stemme",
    "growth": "Netværkets vækst, like for like",
    "own_growth": "Jeres vækst, like for like",
    "growth_text": "{metric}: {current} mod {prior} året før ({change}), {n} organisationer med data i begge perioder.",
    "growth_none": "Vækst kræver en afsluttet periode med data året før.",
    "share_of_buyers": "Andel af køberne",
    "own": "I",
    "peers": "Sammenlignelige",
    "age_gender": "Aldersgruppe og køn (andel af køberne)",
    "month": "Købere pr. købsmåned",
    "weekday": "Købsdag (andel af køberne)",
    "hour": "Købstime (andel af køberne)",
    "top_regions": "Købere pr. 1.000 indbyggere, de ti regioner, der nås bedst",
    "suppressed": "skjult",
    "suppressed_note": "»skjult«: et tal, der holdes tilbage af hensyn til privatlivet (for få købere eller organisationer bag).",
    "protection": "Sådan er tallene beskyttet",
    "protection_text": (
        "Alle tal kommer fra CID Graph-API'et gennem privatlivslaget, de samme som dashboardet viser for denne "
        "adgang: et tal med færre end {k} købere bag, eller fra færre end {m} organisationer, skjules; antal fra "
        "flere organisationer afrundes til multipla af {r} og forskydes en smule; en sammenligning viser aldrig en anden enkelt organisations tal, og en "
        "partner ser kun netværket. Ingen person kan udpeges, og intet tal er regnet ud fra et skjult tal."
    ),
    "version": "Datavarehus version {v}, offentliggjort {date}. Rapporten lavet {made}.",
    "no_voice": "Ingen svar på spørgeskemaer i perioden.",
    "nps": "NPS",
    "page": "Side",
}

_FI = {
    "title": "Yleisöraportti",
    "network": "Verkosto (kaikki jäsenorganisaatiot)",
    "period": "Jakso",
    "all_time": "kaikki tallennetut tiedot",
    "compared_with": "Vertailukohde",
    "peer_SAME_ORG_TYPE": "samantyyppiset organisaatiot",
    "peer_SAME_REGION": "saman alueen organisaatiot",
    "peer_SAME_COUNTRY": "saman maan organisaatiot",
    "peer_NORDIC": "koko pohjoismainen verkosto",
    "key_figures": "Tunnusluvut",
    "metric": "Luku",
    "value": "Arvo",
    "benchmark": "Vertailuryhmä",
    "index": "Indeksi",
    "highlights": "Nostot",
    "no_highlights": "Julkaistuissa luvuissa ei ole eroa, joka olisi sekä suuri että luotettava.",
    "network_highlights": "Nostot vertaavat yhtä organisaatiota vertailuryhmäänsä; verkostoraportissa niitä ei ole.",
    "demography": "Yleisön demografia",
    "events": "Analysoidut tapahtumat",
    "loyalty": "Asiakasuskollisuus ja tavoittavuus",
    "voice": "Yleisön ääni",
    "growth": "Verkoston kasvu vertailukelpoisesti",
    "own_growth": "Oma kasvunne vertailukelpoisesti",
    "growth_text": "{metric}: {current} vs. {prior} vuotta aiemmin ({change}), {n} organisaatiota, joilla tietoja molemmilta jaksoilta.",
    "growth_none": "Kasvu vaatii päättyneen jakson, jolta on tietoja vuotta aiemmin.",
    "share_of_buyers": "Osuus ostajista",
    "own": "Te",
    "peers": "Vertailuryhmä",
    "age_gender": "Ikäryhmä ja sukupuoli (osuus ostajista)",
    "month": "Ostajat ostokuukausittain",
    "weekday": "Ostopäivä (osuus ostajista)",
    "hour": "Ostotunti (osuus ostajista)",
    "top_regions": "Ostajat 1 000 asukasta kohden, kymmenen parhaiten tavoitettua aluetta",
    "suppressed": "piilotettu",
    "suppressed_note": "”piilotettu”: yksityisyyden suojaamiseksi pidätetty luku (liian vähän ostajia tai organisaatioita).",
    "protection": "Näin luvut on suojattu",
    "protection_text": (
        "Kaikki luvut tulevat CID Graph -rajapinnasta sen yksityisyyskerroksen kautta, samat kuin kojelauta "
        "näyttää tälle käyttöoikeudelle: luku, jonka takana on alle {k} ostajaa tai alle {m} organisaatiota, "
        "piilotetaan; useamman organisaation yhteiset määrät pyöristetään luvun {r} monikertoihin ja niitä häiritään hieman; vertailu ei koskaan näytä toisen yksittäisen "
        "organisaation lukuja, ja kumppani näkee vain verkoston. Ketään ei voi tunnistaa, eikä mitään lukua "
        "lasketa piilotetusta."
    ),
    "version": "Tietovaraston versio {v}, julkaistu {date}. Raportti laadittu {made}.",
    "no_voice": "Jaksolla ei ole kyselyvastauksia.",
    "nps": "NPS",
    "page": "Sivu",
}

TEXTS: dict[str, dict[str, str]] = {"nb": _NB, "en": _EN, "sv": _SV, "da": _DA, "fi": _FI}


def text(lang: str, key: str, **values: object) -> str:
    """The report's word ``key`` in ``lang`` (English where a language lacks it), filled in."""
    words = TEXTS.get(lang, _EN)
    return words.get(key, _EN[key]).format(**values) if values else words.get(key, _EN[key])
