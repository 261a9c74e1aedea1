"""The words of every mail, in each language a reader may have: one table per language, so a
translator reads and changes one block without touching a template.

Every language has the same keys (a test keeps them in step). ``{name}`` placeholders are filled
by the templates (escaped in HTML); a ``*_subject`` line is filled from the mail's context, so
its placeholders are context keys. Words avoid plurals (``Waiting: 3``) rather than carry rules.
"""

from __future__ import annotations

LANGUAGES = ("en", "fr", "nl", "de")
DEFAULT_LANGUAGE = "en"

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "hello": "Hello {name},",
        "automatic": "This mail was sent automatically.",
        "unsubscribe": "Stop these mails",
        "article": "Article",
        "your_comment": "Your comment:",
        "confirm_subject": "Confirm your address for {site_name}",
        "confirm_intro": (
            "You asked {site} to tell you by mail of replies to your comment and of the "
            "moderators' decisions about it. Please confirm this address:"
        ),
        "confirm_link": "Confirm my address",
        "confirm_ignore": "If you did not ask for this, ignore this mail: nothing more will come.",
        "reply_subject": "{reply_author} replied to your comment on {site_name}",
        "reply_intro": "{author} replied to your comment on {site}:",
        "reply_link": "Read the reply",
        "approved_subject": "Your comment is published on {site_name}",
        "approved_intro": "The moderators approved your comment: it is now published on {site}.",
        "approved_link": "See your comment",
        "decision_subject": "Your comment on {site_name} was not published",
        "decision_reject": "The moderators of {site} decided not to publish your comment.",
        "decision_remove": "The moderators of {site} removed your comment.",
        "decision_reason": "Reason: {reason}.",
        "decision_explanation": "The moderator's words:",
        "review_intro": "If you think this is a mistake, you can ask for a review:",
        "review_link": "Ask for a review",
        "review_reply": "If you think this is a mistake, reply to this mail or contact {site}.",
        "statement_facts": "The facts:",
        "statement_moderator": "Decided by a moderator.",
        "statement_automated": "Decided automatically by the site's rules.",
        "statement_law": "Legal ground: {ground}",
        "statement_house_rule": "The site's rule: {ground}",
        "statement_appeal_until": "You can contest this decision until {date}.",
        "notice_receipt_subject": "Your notice {receipt} was received",
        "notice_receipt_intro": (
            "We received your notice {receipt} about a comment on {site}; a moderator will "
            "assess it and we will tell you the outcome."
        ),
        "notice_law": "The law you named: {law}",
        "notice_comment": "The comment:",
        "notice_decision_subject": "Decision on your notice {receipt}",
        "notice_decision_intro": "A moderator of {site} assessed your notice {receipt}.",
        "notice_illegal": "The comment was removed as illegal ({ground}).",
        "notice_illegal_no_ground": "The comment was removed as illegal.",
        "notice_house_rules": (
            "The comment was not found illegal, but it breaks the site's rules and was removed."
        ),
        "notice_no_action": "The comment was not found illegal and stays published.",
        "notice_contest": "You may contest this decision by replying to this mail.",
        "appeal_outcome_subject": "Your appeal on {site_name} was decided",
        "appeal_reversed": "Your appeal was granted: your comment is published again.",
        "appeal_upheld": "Your appeal was reviewed by another moderator; the decision stands.",
        "appeal_odr": "You may also turn to a certified out-of-court dispute settlement body.",
        "report_subject": "A comment was reported on {site_name}",
        "report_intro": "A reader reported a comment by {author}.",
        "report_reason": "Reason given: {reason}.",
        "report_note": "The reader's note:",
        "report_link": "Open the comment in the dashboard",
        "queue_subject": "Comments waiting on {site_name}: {count}",
        "queue_intro": "Comments waiting for moderation on {site}: {count}.",
        "queue_oldest": "The oldest has been waiting for {duration}.",
        "queue_link": "Open the queue",
        "digest_subject": "Moderation digest for {day}",
        "digest_intro": "Your sites' comments on {day}:",
        "digest_site": "Site",
        "digest_pending": "Waiting",
        "digest_flagged": "Reported",
        "digest_decided": "Decided (24 h)",
        "digest_none": "No sites to show.",
        "digest_link": "Open the queue",
    },
    "fr": {
        "hello": "Bonjour {name},",
        "automatic": "Ce message a été envoyé automatiquement.",
        "unsubscribe": "Ne plus recevoir ces messages",
        "article": "Article",
        "your_comment": "Votre commentaire :",
        "confirm_subject": "Confirmez votre adresse pour {site_name}",
        "confirm_intro": (
            "Vous avez demandé à {site} d'être prévenu par e-mail des réponses à votre "
            "commentaire et des décisions des modérateurs. Merci de confirmer cette adresse :"
        ),
        "confirm_link": "Confirmer mon adresse",
        "confirm_ignore": (
            "Si vous n'avez rien demandé, ignorez ce message : vous ne recevrez rien d'autre."
        ),
        "reply_subject": "{reply_author} a répondu à votre commentaire sur {site_name}",
        "reply_intro": "{author} a répondu à votre commentaire sur {site} :",
        "reply_link": "Lire la réponse",
        "approved_subject": "Votre commentaire est publié sur {site_name}",
        "approved_intro": (
            "Les modérateurs ont approuvé votre commentaire : il est maintenant publié sur {site}."
        ),
        "approved_link": "Voir votre commentaire",
        "decision_subject": "Votre commentaire sur {site_name} n'a pas été publié",
        "decision_reject": (
            "Les modérateurs de {site} ont décidé de ne pas publier votre commentaire."
        ),
        "decision_remove": "Les modérateurs de {site} ont retiré votre commentaire.",
        "decision_reason": "Motif : {reason}.",
        "decision_explanation": "Les mots du modérateur :",
        "review_intro": (
            "Si vous pensez qu'il s'agit d'une erreur, vous pouvez demander un réexamen :"
        ),
        "review_link": "Demander un réexamen",
        "review_reply": (
            "Si vous pensez qu'il s'agit d'une erreur, répondez à ce message ou contactez {site}."
        ),
        "statement_facts": "Les faits :",
        "statement_moderator": "Décision prise par un modérateur.",
        "statement_automated": "Décision prise automatiquement par les règles du site.",
        "statement_law": "Fondement juridique : {ground}",
        "statement_house_rule": "La règle du site : {ground}",
        "statement_appeal_until": "Vous pouvez contester cette décision jusqu'au {date}.",
        "notice_receipt_subject": "Votre signalement {receipt} a bien été reçu",
        "notice_receipt_intro": (
            "Nous avons reçu votre signalement {receipt} concernant un commentaire sur {site} ; "
            "un modérateur va l'examiner et nous vous informerons de la suite donnée."
        ),
        "notice_law": "La loi que vous avez indiquée : {law}",
        "notice_comment": "Le commentaire :",
        "notice_decision_subject": "Décision sur votre signalement {receipt}",
        "notice_decision_intro": "Un modérateur de {site} a examiné votre signalement {receipt}.",
        "notice_illegal": "Le commentaire a été retiré car illégal ({ground}).",
        "notice_illegal_no_ground": "Le commentaire a été retiré car illégal.",
        "notice_house_rules": (
            "Le commentaire n'a pas été jugé illégal, mais il enfreint les règles du site et a "
            "été retiré."
        ),
        "notice_no_action": "Le commentaire n'a pas été jugé illégal et reste publié.",
        "notice_contest": "Vous pouvez contester cette décision en répondant à ce message.",
        "appeal_outcome_subject": "Votre recours sur {site_name} a été tranché",
        "appeal_reversed": (
            "Votre recours a été accepté : votre commentaire est de nouveau publié."
        ),
        "appeal_upheld": (
            "Votre recours a été examiné par un autre modérateur ; la décision est maintenue."
        ),
        "appeal_odr": (
            "Vous pouvez aussi vous adresser à un organisme certifié de règlement extrajudiciaire "
            "des litiges."
        ),
        "report_subject": "Un commentaire a été signalé sur {site_name}",
        "report_intro": "Un lecteur a signalé un commentaire de {author}.",
        "report_reason": "Motif indiqué : {reason}.",
        "report_note": "La note du lecteur :",
        "report_link": "Ouvrir le commentaire dans le tableau de bord",
        "queue_subject": "Commentaires en attente sur {site_name} : {count}",
        "queue_intro": "Commentaires en attente de modération sur {site} : {count}.",
        "queue_oldest": "Le plus ancien attend depuis {duration}.",
        "queue_link": "Ouvrir la file d'attente",
        "digest_subject": "Résumé de la modération du {day}",
        "digest_intro": "Les commentaires de vos sites le {day} :",
        "digest_site": "Site",
        "digest_pending": "En attente",
        "digest_flagged": "Signalés",
        "digest_decided": "Décidés (24 h)",
        "digest_none": "Aucun site à afficher.",
        "digest_link": "Ouvrir la file d'attente",
    },
    "nl": {
        "hello": "Hallo {name},",
        "automatic": "Deze e-mail is automatisch verstuurd.",
        "unsubscribe": "Geen e-mails meer ontvangen",
        "article": "Artikel",
        "your_comment": "Je reactie:",
        "confirm_subject": "Bevestig je adres voor {site_name}",
        "confirm_intro": (
            "Je hebt {site} gevraagd je per e-mail te laten weten wanneer iemand op je reactie "
            "antwoordt en wat de moderatoren erover beslissen. Bevestig dit adres:"
        ),
        "confirm_link": "Mijn adres bevestigen",
        "confirm_ignore": (
            "Heb je dit niet gevraagd? Negeer deze e-mail dan: je krijgt verder niets."
        ),
        "reply_subject": "{reply_author} heeft op je reactie op {site_name} geantwoord",
        "reply_intro": "{author} heeft op je reactie op {site} geantwoord:",
        "reply_link": "Lees het antwoord",
        "approved_subject": "Je reactie is gepubliceerd op {site_name}",
        "approved_intro": "De moderatoren hebben je reactie goedgekeurd: ze staat nu op {site}.",
        "approved_link": "Bekijk je reactie",
        "decision_subject": "Je reactie op {site_name} is niet gepubliceerd",
        "decision_reject": (
            "De moderatoren van {site} hebben besloten je reactie niet te publiceren."
        ),
        "decision_remove": "De moderatoren van {site} hebben je reactie verwijderd.",
        "decision_reason": "Reden: {reason}.",
        "decision_explanation": "De woorden van de moderator:",
        "review_intro": (
            "Denk je dat dit een vergissing is? Dan kun je om een herbeoordeling vragen:"
        ),
        "review_link": "Vraag om een herbeoordeling",
        "review_reply": (
            "Denk je dat dit een vergissing is? Beantwoord dan deze e-mail of neem contact op "
            "met {site}."
        ),
        "statement_facts": "De feiten:",
        "statement_moderator": "Beslist door een moderator.",
        "statement_automated": "Automatisch beslist door de regels van de site.",
        "statement_law": "Wettelijke grond: {ground}",
        "statement_house_rule": "De regel van de site: {ground}",
        "statement_appeal_until": "Je kunt deze beslissing aanvechten tot {date}.",
        "notice_receipt_subject": "Je melding {receipt} is ontvangen",
        "notice_receipt_intro": (
            "We hebben je melding {receipt} over een reactie op {site} ontvangen; een moderator "
            "beoordeelt ze en we laten je weten wat de uitkomst is."
        ),
        "notice_law": "De wet die je noemde: {law}",
        "notice_comment": "De reactie:",
        "notice_decision_subject": "Beslissing over je melding {receipt}",
        "notice_decision_intro": "Een moderator van {site} heeft je melding {receipt} beoordeeld.",
        "notice_illegal": "De reactie is als illegaal verwijderd ({ground}).",
        "notice_illegal_no_ground": "De reactie is als illegaal verwijderd.",
        "notice_house_rules": (
            "De reactie is niet illegaal bevonden, maar ze overtreedt de regels van de site en is "
            "verwijderd."
        ),
        "notice_no_action": "De reactie is niet illegaal bevonden en blijft gepubliceerd.",
        "notice_contest": "Je kunt deze beslissing aanvechten door deze e-mail te beantwoorden.",
        "appeal_outcome_subject": "Er is beslist over je bezwaar op {site_name}",
        "appeal_reversed": "Je bezwaar is toegekend: je reactie is weer gepubliceerd.",
        "appeal_upheld": (
            "Je bezwaar is door een andere moderator beoordeeld; de beslissing blijft staan."
        ),
        "appeal_odr": (
            "Je kunt je ook wenden tot een gecertificeerde instantie voor buitengerechtelijke "
            "geschillenbeslechting."
        ),
        "report_subject": "Er is een reactie gemeld op {site_name}",
        "report_intro": "Een lezer heeft een reactie van {author} gemeld.",
        "report_reason": "Opgegeven reden: {reason}.",
        "report_note": "De opmerking van de lezer:",
        "report_link": "Open de reactie in het dashboard",
        "queue_subject": "Reacties in de wachtrij van {site_name}: {count}",
        "queue_intro": "Reacties die op {site} op moderatie wachten: {count}.",
        "queue_oldest": "De oudste wacht al {duration}.",
        "queue_link": "Open de wachtrij",
        "digest_subject": "Moderatieoverzicht van {day}",
        "digest_intro": "De reacties op je sites op {day}:",
        "digest_site": "Site",
        "digest_pending": "Wachtend",
        "digest_flagged": "Gemeld",
        "digest_decided": "Beslist (24 u)",
        "digest_none": "Geen sites om te tonen.",
        "digest_link": "Open de wachtrij",
    },
    "de": {
        "hello": "Hallo {name},",
        "automatic": "Diese E-Mail wurde automatisch versendet.",
        "unsubscribe": "Diese E-Mails abbestellen",
        "article": "Artikel",
        "your_comment": "Ihr Kommentar:",
        "confirm_subject": "Bestätigen Sie Ihre Adresse für {site_name}",
        "confirm_intro": (
            "Sie haben {site} gebeten, Sie per E-Mail über Antworten auf Ihren Kommentar und "
            "über die Entscheidungen der Moderation zu informieren. Bitte bestätigen Sie diese "
            "Adresse:"
        ),
        "confirm_link": "Meine Adresse bestätigen",
        "confirm_ignore": (
            "Wenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Es kommt nichts "
            "weiter."
        ),
        "reply_subject": "{reply_author} hat auf Ihren Kommentar bei {site_name} geantwortet",
        "reply_intro": "{author} hat auf Ihren Kommentar bei {site} geantwortet:",
        "reply_link": "Antwort lesen",
        "approved_subject": "Ihr Kommentar ist bei {site_name} veröffentlicht",
        "approved_intro": (
            "Die Moderation hat Ihren Kommentar freigegeben: Er ist jetzt bei {site} "
            "veröffentlicht."
        ),
        "approved_link": "Ihren Kommentar ansehen",
        "decision_subject": "Ihr Kommentar bei {site_name} wurde nicht veröffentlicht",
        "decision_reject": (
            "Die Moderation von {site} hat entschieden, Ihren Kommentar nicht zu veröffentlichen."
        ),
        "decision_remove": "Die Moderation von {site} hat Ihren Kommentar entfernt.",
        "decision_reason": "Grund: {reason}.",
        "decision_explanation": "Die Worte der Moderation:",
        "review_intro": (
            "Wenn Sie das für einen Irrtum halten, können Sie eine Überprüfung verlangen:"
        ),
        "review_link": "Überprüfung verlangen",
        "review_reply": (
            "Wenn Sie das für einen Irrtum halten, antworten Sie auf diese E-Mail oder wenden "
            "Sie sich an {site}."
        ),
        "statement_facts": "Der Sachverhalt:",
        "statement_moderator": "Von einem Moderator entschieden.",
        "statement_automated": "Automatisch nach den Regeln der Site entschieden.",
        "statement_law": "Rechtsgrundlage: {ground}",
        "statement_house_rule": "Die Regel der Site: {ground}",
        "statement_appeal_until": "Sie können diese Entscheidung bis zum {date} anfechten.",
        "notice_receipt_subject": "Ihre Meldung {receipt} ist eingegangen",
        "notice_receipt_intro": (
            "Wir haben Ihre Meldung {receipt} zu einem Kommentar bei {site} erhalten; die "
            "Moderation wird sie prüfen, und wir teilen Ihnen das Ergebnis mit."
        ),
        "notice_law": "Das von Ihnen genannte Gesetz: {law}",
        "notice_comment": "Der Kommentar:",
        "notice_decision_subject": "Entscheidung zu Ihrer Meldung {receipt}",
        "notice_decision_intro": "Die Moderation von {site} hat Ihre Meldung {receipt} geprüft.",
        "notice_illegal": "Der Kommentar wurde als rechtswidrig entfernt ({ground}).",
        "notice_illegal_no_ground": "Der Kommentar wurde als rechtswidrig entfernt.",
        "notice_house_rules": (
            "Der Kommentar wurde nicht als rechtswidrig eingestuft, verstößt aber gegen die Regeln "
            "der Site und wurde entfernt."
        ),
        "notice_no_action": (
            "Der Kommentar wurde nicht als rechtswidrig eingestuft und bleibt veröffentlicht."
        ),
        "notice_contest": (
            "Sie können diese Entscheidung anfechten, indem Sie auf diese E-Mail antworten."
        ),
        "appeal_outcome_subject": "Über Ihren Widerspruch bei {site_name} wurde entschieden",
        "appeal_reversed": (
            "Ihrem Widerspruch wurde stattgegeben: Ihr Kommentar ist wieder veröffentlicht."
        ),
        "appeal_upheld": (
            "Ihr Widerspruch wurde von einem anderen Moderator geprüft; die Entscheidung bleibt "
            "bestehen."
        ),
        "appeal_odr": (
            "Sie können sich auch an eine zertifizierte außergerichtliche Streitbeilegungsstelle "
            "wenden."
        ),
        "report_subject": "Ein Kommentar wurde bei {site_name} gemeldet",
        "report_intro": "Ein Leser hat einen Kommentar von {author} gemeldet.",
        "report_reason": "Angegebener Grund: {reason}.",
        "report_note": "Die Notiz des Lesers:",
        "report_link": "Kommentar im Dashboard öffnen",
        "queue_subject": "Wartende Kommentare bei {site_name}: {count}",
        "queue_intro": "Kommentare, die bei {site} auf Moderation warten: {count}.",
        "queue_oldest": "Der älteste wartet seit {duration}.",
        "queue_link": "Warteschlange öffnen",
        "digest_subject": "Moderationsübersicht vom {day}",
        "digest_intro": "Die Kommentare Ihrer Sites am {day}:",
        "digest_site": "Site",
        "digest_pending": "Wartend",
        "digest_flagged": "Gemeldet",
        "digest_decided": "Entschieden (24 Std.)",
        "digest_none": "Keine Sites anzuzeigen.",
        "digest_link": "Warteschlange öffnen",
    },
}

#: Why a comment was refused or reported, in words for its author or the moderators.
REASONS: dict[str, dict[str, str]] = {
    "en": {
        "spam": "spam or advertising",
        "abuse": "abusive or insulting",
        "off_topic": "off topic",
        "illegal": "possibly illegal",
        "personal_data": "personal data of someone",
        "other": "against the site's rules",
    },
    "fr": {
        "spam": "spam ou publicité",
        "abuse": "injurieux ou insultant",
        "off_topic": "hors sujet",
        "illegal": "possiblement illégal",
        "personal_data": "données personnelles d'une personne",
        "other": "contraire aux règles du site",
    },
    "nl": {
        "spam": "spam of reclame",
        "abuse": "beledigend of kwetsend",
        "off_topic": "niet ter zake",
        "illegal": "mogelijk illegaal",
        "personal_data": "persoonsgegevens van iemand",
        "other": "in strijd met de regels van de site",
    },
    "de": {
        "spam": "Spam oder Werbung",
        "abuse": "beleidigend oder herabsetzend",
        "off_topic": "nicht zum Thema",
        "illegal": "möglicherweise rechtswidrig",
        "personal_data": "persönliche Daten einer Person",
        "other": "gegen die Regeln der Site",
    },
}


def language(lang: str | None) -> str:
    """The language of ``lang`` we have words for ("fr-BE" is French), English otherwise."""
    base = (lang or "").strip().lower().replace("_", "-").split("-", 1)[0]
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


def reason_words(lang: str, code: str | None) -> str:
    """A reason code in words; an unknown or missing code reads as against the rules."""
    table = REASONS[language(lang)]
    return table.get(code or "other", table["other"])
