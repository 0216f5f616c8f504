"""Word lists the line rules lean on: stopwords per language and page-junk phrases.

Stopwords are the most frequent function words of each language (lower case). Prose is
dense in them; menus, link lists, captions and credits are not. The language of a page is
the list that covers most of its distinct words, so non-English pages are read with their
own list; pages no list fits (CJK, rare languages) fall back to rules without stopwords.
"""

from __future__ import annotations

import re

_STOPWORDS_TEXT = {
    "en": """a about above after again against all also am an and any are as at be because been before
        being below between both but by can could did do does doing down during each few for from further
        had has have having he her here hers herself him himself his how i if in into is it its itself just
        me more most my myself no nor not now of off on once only or other our ours out over own same she
        should so some such than that the their theirs them then there these they this those through to too
        under until up very was we were what when where which while who whom why will with would you your
        yours said says may might must shall since though although however yet still even many much us""",
    "de": """aber alle allem allen aller alles als also am an ander andere anderen auch auf aus bei bin bis
        bist da damit dann das dass dem den denn der des dessen dich die dies diese diesem diesen dieser
        dieses dir doch dort du durch ein eine einem einen einer eines er es etwas euch für gegen gewesen hab
        habe haben hat hatte hier hin hinter ich ihm ihn ihnen ihr ihre im in indem ins ist jede jedem jeden
        jeder jetzt kann kein keine können man mein mich mir mit muss nach nicht nichts noch nun nur ob oder
        ohne sehr sein seine sich sie sind so soll sondern über um und uns unter vom von vor war waren was
        weil welche wenn werden wie wieder will wir wird wurde würde zu zum zur zwischen""",
    "fr": """a ai aie au aux avait avec avoir c ce cela ces cet cette comme d dans de des du elle elles en
        est et été étaient était être eu fait il ils j je l la le les leur leurs lui m ma mais me même mes
        moi mon n ne nos notre nous on ont ou où par pas pour plus qu que quel quelle qui s sa sans se ses
        si son sont sur ta te tes toi ton tous tout très tu un une vos votre vous y aussi après avant bien
        cela dont elle entre peu peut sous""",
    "es": """a al algo algunos ante antes como con contra cual cuando de del desde donde durante e el él
        ella ellas ellos en entre era es esa ese eso esta está están este esto estos fue fueron ha había han
        hasta hay la las le les lo los más me mi muy nada ni no nos o otra otro para pero poco por porque
        que quien se sea ser si sí sin sobre su sus también tanto te tiene todo todos tu un una uno unos y
        ya yo según tras cada""",
    "it": """a ad al alla alle allo anche avere c che chi ci come con contro cui da dal dalla dei del della
        delle dello di dove e è ed era erano essere gli ha hanno i il in io la le lei li lo loro lui ma mi
        molto ne negli nei nel nella nelle noi non o per perché più poi quale quando quella quelle quello
        questa queste questo se sei si sia siamo sono su sua sue sui sul sulla suo suoi tra tutti tutto un
        una uno sono stato stata""",
    "pt": """a ao aos as até com como da das de dela dele do dos e é ela ele eles em entre era essa esse
        esta este eu foi foram há isso isto já la lhe mais mas me mesmo meu minha muito na nas não nem no
        nos o os ou para pela pelo por quando que quem se sem ser seu seus sua suas também te tem um uma
        umas uns você são está estão sobre após""",
    "nl": """aan al als bij dan dat de der deze die dit doch door dus een en er ge geen had heb hebben heeft
        het hier hij hoe hun ik in is ja je kan kon maar me meer men met mij mijn na naar niet niets nog nu
        of om omdat ons ook op over reeds te tegen toch toen tot u uit uw van veel voor want was wat we wel
        werd wezen wie wij wil worden zal ze zei zelf zich zij zijn zo zonder zou""",
    "sv": """alla att av blev bli blir de dem den denna deras dess det detta dig din dina du där då efter ej
        eller en er ert ett från för ha hade han hans har henne hennes hon honom hur här i icke ingen inom
        inte jag ju kan kunde man med mellan men mig min mina mot mycket ni nu när någon något några och om
        oss på samma sedan sig sin sina sitta själv skulle som så sådan till under upp ut utan vad var vara
        varit vi vid vilka vilken är än över""",
    "da": """af alle andet andre at blev blive bliver da de dem den denne der deres det dette dig din dog du
        efter eller en end er et for fra ham han hans har havde have hende hendes her hos hun hvad hvis hvor
        i ikke ind jeg jer kan kunne man mange med meget men mig min mod når og også om op os over på selv
        sig sin skal skulle som sådan thi til ud under var vi vil ville vor være været""",
    "no": """alle at av bare begge ble blei bli blir da de deg dei deim deira deires dem den denne der dere
        deres det dette di din disse ditt du dykk eg ein eit eitt eller elles en enn er et ett etter for
        fordi fra før han hans har hennar henne hennes her hjå ho hoe honom hoss hossen hun hva hvem hver
        hvilke hvis hvor hvordan i ikke ingen inn jeg kan kom kunne man mange med meg men mitt mot mye når
        og også om opp oss over på sin sine skal skulle slik som så til um under ut uten var ved vi vil
        ville være vært""",
    "pl": """a aby ale bardzo bez by być był była było były co czy dla do gdy go i ich im jak jako je jego
        jej jest jeszcze jednak już ich każdy kiedy która które który ma może na nad nie nich nie niż o od
        oraz po pod przez przy również się so są ta tak także tam te tego tej ten też to tu tylko w we wiele
        więc z za ze że żeby""",
    "tr": """acaba ama ancak aslında az bazı belki biri birkaç birşey biz bu çok çünkü da daha de defa diye
        eğer en gibi hem hep hepsi her hiç için ile ise kez ki kim mı mu mü nasıl ne neden nerde nerede
        nereye niçin niye o sanki şey siz şu tüm ve veya ya yani olan olarak bir sonra kadar göre""",
    "id": """ada adalah akan anda antara apa atau bagi bahwa banyak belum bisa dalam dan dari dengan di dia
        harus hingga ia ini itu jika juga kami kata ke kepada ketika lagi lain lebih masih mereka oleh pada
        para saat saja sama sangat satu sebagai sebuah sedang sejak seperti serta setelah sudah tak tapi
        telah tersebut tidak untuk yaitu yang""",
    "ru": """а без более бы был была были было быть в вам вас весь во вот все всего всех вы где да даже для
        до его ее ей если есть еще же за здесь и из или им их к как ко когда кто ли либо мне может мы на
        надо наш не него нее нет ни них но ну о об однако он она они оно от очень по под при с со так также
        такой там те тем то того тоже той только том ты у уже хотя чего чей чем что чтобы эта эти это я""",
    "uk": """а але без був була були було бути в вже від він вона вони воно все де для до же з за и із їх
        й його її як який яка які коли ми на над не ні ну о от по при про с та так також те то тож того
        той у цей ця це ці через що щоб я""",
}

STOPWORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split()) for lang, words in _STOPWORDS_TEXT.items()
}

# Page junk, matched case-insensitively. A short line matching any of these is junk; a long
# line is junk only when the phrase opens or closes it ("... Read more"), since prose can
# quote such words.
JUNK_PHRASES = (
    r"connect with us", r"follow us", r"find us on", r"like us on", r"keep reading", r"show (?:less|more)",
    r"read more", r"read full (?:story|article)", r"continue reading", r"exit mobile version", r"loading\.\.\.",
    r"written by", r"you can read the rest", r"read the rest",
    r"read the (?:full|original|complete) (?:story|article)", r"share (?:this|on|via)", r"share:?$",
    r"tweet(?: this)?$", r"subscribe", r"sign up", r"newsletter", r"(?:log in|login)", r"(?:log out|logout)",
    r"sign in", r"register", r"all rights reserved", r"^\W*copyright", r"copyright (?:\(c\) |© )?\d{4}",
    r"privacy policy", r"terms (?:of|and) (?:use|service|conditions)", r"cookie", r"skip to", r"jump to",
    r"back to top", r"click here", r"advertisement", r"sponsored", r"print (?:this|article|version|page)",
    r"(?:e-mail|email) (?:this|article|to a friend|story|page)",
    r"most (?:read|popular|viewed|emailed|e-mailed|commented)",
    r"related (?:articles|stories|posts|news|content|links|coverage|topics)", r"recommended for you",
    r"you (?:may|might) also like", r"more stories", r"top stories", r"what are you looking for", r"search for:?$",
    r"^(?:tag|tags):", r"^filed under", r"^\W*posted (?:in|by|on)", r"^(?:category|categories):",
    r"leave a (?:comment|reply)", r"\d+ (?:comment|comments)$", r"post a comment", r"add (?:a |your )?comment",
    r"^permalink", r"^image:", r"^photo:", r"image:", r"(?:photo|photograph|picture):", r"photo credit", r"\(photo",
    r"getty images", r"\bap photo", r"for use with this story only", r"rss feeds?", r"bookmark", r"contact us",
    r"(?:site map|sitemap)", r"^next (?:article|story|post)", r"^previous (?:article|story|post)", r"text size",
    r"font size", r"^page \d+ of \d+", r"view comments", r"trending now", r"can be reached at",
    r"contributed to this (?:report|story|article)",
    r"(?:contact|email|e-mail) (?:him|her|the (?:writer|author|reporter)) at", r"don'?t miss", r"editor'?s picks?",
    r"^watch:", r"^video:", r"^listen:", r"^audio:", r"^opinions expressed", r"^(?:risk )?disclosure:",
    r"^disclaimer", r"disclaimer\.?$", r"constitutes acceptance", r"story continues below", r"article continues",
    r"(?:this|that) is an excerpt",
    r"(?:full|complete|entire) (?:story|article|text|report) (?:is )?(?:available|can be (?:read|found))",
    r"^click to", r"javascript", r"your browser",
)
# Whole lines that are junk on their own (compared lower case, without edge punctuation).
JUNK_LINES = frozenset(
    "home search menu rss reply ad ads next prev previous share tweet comment comments facebook twitter "
    "linkedin whatsapp reddit pinterest email e-mail print top more login logout".split()
)
JUNK_LINE_EDGES = " :|»›•·-–—>/<()[]!.#*"


# Words too common in prose to be worth a regex search on their own; a phrase is searched
# for through its other words when it has any.
_COMMON_WORDS = frozenset(
    "news page story stories use top back site service video view text full post like find keep show size "
    "article articles content links original complete less version mobile friend".split()
)


def _phrase_words(phrase: str) -> set[str]:
    """The words of a phrase pattern that are not English stopwords (one of them is in every
    match), without the common ones when the phrase has rarer words."""
    words = {w for w in re.findall(r"[a-z]{2,}", re.sub(r"\\[a-zA-Z]", " ", phrase)) if w not in STOPWORDS["en"]}
    return (words - _COMMON_WORDS) or words


# The same kinds of page junk in the dev sets' other languages (de, es, fr, it, pt, pl): "read
# also" links, comment forms, share buttons, sign-up calls, legal and consent links, donation
# appeals, copyright lines. Every word of each phrase outside a group is in every match.
JUNK_PHRASES_OTHER: tuple[str, ...] = (
    r"lesen sie (?:auch|hier|mehr)", r"lea (?:también|más)", r"lee también", r"lire aussi", r"leggi anche",
    r"leia também", r"czytaj (?:także|też|więcej)", r"zobacz (?:też|także)", r"mehr zum thema",
    r"könnte (?:sie|dich) auch interessieren", r"für (?:dich|sie) empfohlen", r"redaktioneller inhalt",
    r"weitere artikel", r"ähnliche artikel", r"artículos relacionados", r"noticias relacionadas",
    r"articles similaires", r"articoli correlati", r"artigos relacionados",
    r"kommentar (?:abzugeben|schreiben|verfassen)", r"(?:schreibe|hinterlasse|verfasse) (?:jetzt )?einen kommentar",
    r"deja (?:un|tu) comentario", r"laisser un commentaire", r"lascia un commento", r"deixe (?:um|seu) comentário",
    r"dodaj komentarz", r"^(?:jetzt |artikel )?teilen\W*$", r"vergiss nicht zu teilen", r"^compartir\W*$",
    r"^partager\W*$", r"^condividi\W*$", r"^udostępnij\W*$",
    r"(?:kostenlos|jetzt|hier) anmelden", r"(?:kostenlos|jetzt|hier) registrieren", r"jetzt abonnieren",
    r"suscríbete", r"abonnez-vous", r"iscriviti", r"inscreva-se", r"zapisz się", r"cookies",
    r"datenschutzerklärung", r"datenschutzhinweise",
    r"^datenschutz\W*$", r"^impressum\W*$", r"política de privacidad", r"mentions légales",
    r"politique de confidentialité", r"informativa (?:sulla )?privacy", r"polityka prywatności",
    r"jede (?:kleine )?spende", r"jetzt spenden", r"dona ahora", r"faire un don", r"fai una donazione",
    r"wesprzyj nas", r"alle rechte vorbehalten", r"todos los derechos reservados", r"tous droits réservés",
    r"tutti i diritti riservati", r"todos os direitos reservados", r"wszelkie prawa zastrzeżone",
)
_ALL_STOPWORDS = frozenset().union(*STOPWORDS.values())


def _other_phrase_words(phrase: str) -> set[str]:
    """The words of a phrase of another language outside its groups that no language calls a stopword."""
    bare = re.sub(r"\(\?:[^)]*\)", " ", re.sub(r"\\[a-zA-Z]", " ", phrase))
    return {w for w in re.findall(r"[^\W\d_][\w-]*[^\W\d_]", bare) if w not in _ALL_STOPWORDS}


def _phrases_by_word() -> dict[str, re.Pattern[str]]:
    grouped: dict[str, list[str]] = {}
    for phrase in JUNK_PHRASES:
        for word in sorted(_phrase_words(phrase)):
            grouped.setdefault(word, []).append(phrase)
    for phrase in JUNK_PHRASES_OTHER:
        for word in sorted(_other_phrase_words(phrase)):
            grouped.setdefault(word, []).append(phrase)
    return {
        word: re.compile(r"(?<!\w)(?:" + "|".join(phrases) + r")(?!\w)", re.IGNORECASE)
        for word, phrases in grouped.items()
    }


# Every phrase holds at least one of its non-stopword words; a line is searched only with
# the few phrases of the words it holds, not with the slow alternation of all of them.
JUNK_PHRASES_BY_WORD = _phrases_by_word()
JUNK_TRIGGERS = frozenset(JUNK_PHRASES_BY_WORD)


def _trigger_forms() -> dict[str, str]:
    """Whitespace-split forms of the trigger words ("share:", "(photo", "e-mail") -> the word."""
    # a word stands for itself before it stands for another word's variant ("continues" is
    # not "continue" + s); sorted, so the mapping is the same whatever the hash seed
    forms: dict[str, str] = {word: word for word in JUNK_TRIGGERS}
    for word in sorted(JUNK_TRIGGERS):
        for form in (word, f"{word}:", f"{word}.", f"{word},", f"({word}", f"{word})", f"{word}!", f"{word}?",
                     f"{word}s", f"{word}…", f"{word}...", f"{word}»", f"{word}:»", f"«{word}", f"[{word}]",
                     f"{word}|", f"|{word}", f'"{word}"', f"“{word}”", f"{word};", f"#{word}", f"@{word}"):
            forms.setdefault(form, word)
    for form, word in (("e-mail", "email"), ("e-mailed", "emailed"), ("don't", "miss"), ("don’t", "miss"),
                       ("editor's", "editor"), ("editor’s", "editor"), ("e-mail:", "email")):
        if word in JUNK_TRIGGERS:
            forms[form] = word
    return forms


# Words of a whitespace-split line that can start a junk phrase search, and the phrase word
# each stands for: a dict lookup per word, no regex tokeniser.
JUNK_TRIGGER_FORMS = _trigger_forms()
# Symbols that mark junk on their own: copyright signs, "(c) 2008".
JUNK_SYMBOLS = re.compile(r"©|\(c\) ?\d{4}", re.IGNORECASE)
# Photo and agency credits of captions: "REUTERS/Jane Doe", "(Saul Loeb/AFP/Getty Images)".
CREDIT = re.compile(
    r"\b(?:REUTERS|Reuters|AFP|AP|EPA|AAP|PA|Getty Images|Bloomberg|Xinhua|dpa|Pool|File)\s?/\s?[A-Z]"
    r"|/\s?(?:REUTERS|Reuters|AFP|AP|EPA|AAP|Getty Images|Pool|File|TNS|Bloomberg)\b"
    r"|\((?:AP|AFP|Reuters|Getty Images|File) Photo|\bFile Photo\b|\b(?:Photo|Image|Picture)s? (?:by|courtesy|credit)\b"
)
# Short lines that close a teaser: the prose just above them is an excerpt of another page.
TEASER_CLOSERS = re.compile(
    r"^\W*(?:keep reading|read more|continue reading|read (?:the )?full (?:story|article)|full story)", re.IGNORECASE
)

# A short line saying the story goes on elsewhere closes a syndicated excerpt: "Read the full
# story at ...", "Continue reading on ...", "This is an excerpt". What follows is the host page's.
EXCERPT_CLOSER = re.compile(
    r"\bread (?:the )?(?:full|complete|entire|whole|original|rest)\b|\bcontinue reading\b(?! below)"
    r"|\bfull (?:story|article|text|report)\b|\brest of (?:the|this) (?:story|article)\b|\b(?:is an|an) excerpt\b",
    re.IGNORECASE,
)

# Labels of a break inside an article (an advert, a box): junk, but the article goes on below.
INLINE_BREAKS = frozenset(
    ("advertisement", "advertisement:", "- advertisement -", "article continues", "article continues below",
     "story continues below", "continue reading below", "advertisement continue reading below", "sponsored")
)

# Phrases that end an article when they stand on their own line: what follows is bio,
# teasers or comments.
END_MARKERS = re.compile(
    r"^(?:written by|about the author|you can read the rest|read the rest|keep reading|related|more from|"
    r"tags?:|comments|leave a (?:comment|reply)|share this|recommended|you (?:may|might) also like|"
    r"reader (?:views|comments)|readers' (?:views|comments)|your (?:views|comments)|add your (?:view|comment)|"
    r"have your say|join the (?:discussion|conversation))",
    re.IGNORECASE,
)
# End markers that open a comment thread: everything after them is readers' comments.
COMMENT_MARKERS = re.compile(
    r"^(?:\d+ )?(?:reader |readers' |your )?(?:comments?|views)\b|^(?:leave|post|add) (?:a|your) (?:comment|reply|view)"
    r"|^have your say|^join the (?:discussion|conversation)",
    re.IGNORECASE,
)

# --- Page junk in the other languages of the dev sets (de, es, fr, pt, it, pl, nl, ru), added for the HTML
# path (clean/html.py reads these two; the dump rules above do not yet). The same kinds of junk as above:
# "read also" links, follow/subscribe/share calls, rights notices, login and loading notices, picture credits.
# Matched case-insensitively like JUNK_PHRASES: anywhere in a short line, at the edge of a long one.
OTHER_JUNK_PHRASES = (
    # de
    r"lesen sie (?:auch|mehr|hier)", r"lies auch", r"auch interessant", r"das könnte sie (?:auch )?interessieren",
    r"schon gelesen", r"mehr zum thema", r"mehr (?:themen|artikel|beiträge|nachrichten)",
    r"weitere (?:themen|artikel|beiträge|nachrichten|meldungen)",
    r"(?:empfohlene|ähnliche|verwandte) (?:artikel|beiträge)",
    r"alle rechte vorbehalten", r"jetzt (?:anmelden|abonnieren|registrieren|teilen)", r"zum newsletter",
    r"nicht eingeloggt", r"teilen (?:mit|auf|per)", r"keine kommentare", r"kommentar (?:schreiben|verfassen)",
    r"wird geladen", r"^(?:bildquelle|titelbild|beitragsbild|fotos?|bild)\s*:", r"folgen sie uns",
    # es
    r"lea (?:también|más|además)", r"lee (?:también|más|además)", r"^lea\s*:", r"^mire\s*:", r"te puede interesar",
    r"(?:vea|ver) también", r"(?:noticias|artículos|temas) relacionad[oa]s", r"todos los derechos reservados",
    r"s[ií]guenos en", r"suscr[ií]bete", r"comp[aá]rt(?:e|elo|ir) en",
    # fr
    r"(?:à )?lire aussi", r"lire la suite", r"voir aussi", r"sur le même (?:sujet|thème)", r"tous droits réservés",
    r"abonnez-vous", r"inscrivez-vous", r"suivez-nous", r"partager (?:sur|cet)", r"crédits? photos?",
    # pt
    r"leia (?:também|mais)", r"veja também", r"saiba mais", r"todos os direitos reservados", r"siga-nos",
    r"notícias relacionadas", r"compartilh(?:e|ar)",
    # it
    r"leggi anche", r"potrebbe interessarti", r"tutti i diritti riservati", r"articoli correlati", r"seguici su",
    # pl
    r"czytaj (?:też|także|więcej)", r"zobacz (?:też|także|również)", r"wszelkie prawa zastrzeżone",
    r"podobne artykuły", r"udostępnij",
    # nl
    r"lees (?:ook|meer)", r"alle rechten voorbehouden", r"gerelateerde artikelen",
    # ru
    r"читайте также", r"все права защищены", r"поделиться",
)
OTHER_JUNK = re.compile(r"(?<!\w)(?:" + "|".join(OTHER_JUNK_PHRASES) + r")(?!\w)", re.IGNORECASE)
# "read also" headings in these languages: what follows them to the end of the text is teasers
OTHER_END_MARKERS = re.compile(
    r"^(?:lesen sie auch|lies auch|auch interessant|das könnte sie (?:auch )?interessieren|schon gelesen|"
    r"mehr zum thema|mehr (?:themen|artikel|beiträge)|weitere (?:themen|artikel|beiträge|nachrichten|meldungen)|"
    r"(?:empfohlene|ähnliche|verwandte) (?:artikel|beiträge)|lea también|lee también|te puede interesar|"
    r"(?:noticias|artículos|temas) relacionad[oa]s|(?:à )?lire aussi|sur le même (?:sujet|thème)|"
    r"leia também|veja também|notícias relacionadas|leggi anche|articoli correlati|czytaj (?:też|także)|"
    r"zobacz (?:też|także|również)|podobne artykuły|lees ook|gerelateerde artikelen|читайте также)",
    re.IGNORECASE,
)

# The header of a reader's comment: a short line naming when it was written (a date with a
# month name or in digits) or who "said" it. Several of them, each followed by a few lines of
# prose, make a comment thread, in any of these languages.
_MONTHS = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|august|"
    "september|october|november|december|januar|februar|märz|mai|juni|juli|oktober|dezember|janvier|février|"
    "mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre|enero|febrero|marzo|abril|mayo|junio|"
    "julio|agosto|septiembre|octubre|noviembre|diciembre|gennaio|febbraio|aprile|maggio|giugno|luglio|"
    "settembre|ottobre|dicembre|janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|novembro|dezembro|"
    "stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|października|listopada|grudnia|"
    "januari|februari|maart|mei|augustus"
)
# the verbs of a comment's header that names who "said" it, last on its line
COMMENT_VERBS = ("said", "says", "wrote", "schrieb", "sagt", "sagte", "kommentierte", "dijo", "escribió", "a écrit",
                 "a dit", "ha scritto", "disse", "escreveu", "napisał", "napisała")
COMMENT_STAMP = re.compile(
    rf"(?:\b\d{{1,2}}\.? (?:{_MONTHS})\.?,? (?:\d{{4}}|\d{{1,2}}:\d\d)"
    rf"|\b(?:{_MONTHS})\.? \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}"
    r"|\b\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})\b|\b\d{4}-\d\d-\d\d\b"
    rf"|\b(?:{'|'.join(COMMENT_VERBS)})\s*(?:\.\.\.|…|:)?\s*$)",
    re.IGNORECASE,
)
# A line in ASCII that COMMENT_STAMP finds something in holds a digit or one of these (lower case)
COMMENT_VERBS_ASCII = tuple(verb for verb in COMMENT_VERBS if verb.isascii())

# A cookie notice says in the first person that the site uses cookies, in any of these languages;
# it is junk however long the line (an article about cookies reports, it does not say "we use").
COOKIE_NOTICE = re.compile(
    r"\b(?:we(?: and our partners)? use|this (?:web)?site uses|wir (?:verwenden|nutzen|setzen)|"
    r"diese (?:web)?seite (?:verwendet|nutzt)|utilizamos|usamos|nous utilisons|ce site utilise|utilizziamo|"
    r"questo sito utilizza|używamy|ta strona (?:używa|wykorzystuje)|este site utiliza)\b.{0,60}?\bcookie",
    re.IGNORECASE,
)
