/* The reader's comment widget: <div id="comments" data-site="SLUG"></div> and
 * <script src="https://HOST/embed.js" async></script>; its data- attributes are in README.md.
 *
 * Renders into a shadow root with a constructed stylesheet (no 'unsafe-inline' needed) and talks
 * only to the service it came from. What readers wrote is set with textContent, except `html`,
 * sanitized by the service on write: the one place this file assigns innerHTML.
 *
 * A container holding the server-rendered thread (…/comments.html) is taken over, not loaded again.
 *
 * Signed in: `data-reader-token="JWT"` (HS256, the site's SSO secret), or without a reload
 * window.ModerationComments.signIn(token) / .signOut() (Promises; wait for `moderation:ready` on
 * document). Without a token the widget speaks for a guest with a random key in localStorage.
 */
(() => {
  "use strict";

  const script = document.currentScript;
  if (!script || window.__moderationWidget) return;
  window.__moderationWidget = true;
  const BASE = new URL(".", script.src).href.replace(/\/$/, "");
  const API = BASE + "/api/v1";
  const OWN_KEY = "moderation:own:" + BASE;
  const NAME_KEY = "moderation:name:" + BASE;
  const GUEST_KEY = "moderation:guest-key";
  const REACTED_KEY = "moderation:reacted:" + BASE + ":";
  const PAGE = 20;
  const PERMALINK_PAGES = 20; // pages fetched, at most, to find a linked comment
  const MAX_INDENT = 4;

  const TEXT = {
    en: {
      comments: ["# comment", "# comments"], wait: "Please wait #.", choose: "Please choose a reason.",
      sort: "Sort", oldest: "Oldest first", newest: "Newest first",
      name: "Name", email: "Email (optional, never shown)", body: "Your comment",
      post: "Post comment", posting: "Posting…", reply: "Reply", cancel: "Cancel",
      replyTo: (n) => `Reply to ${n}`, edit: "Edit", save: "Save", del: "Delete",
      confirmDelete: "Delete this comment?", report: "Report", reportTitle: "Report this comment",
      reason: "Reason", note: "Note (optional)", send: "Send report", reported: "Thank you, the moderators will look at it.",
      reasons: { spam: "Spam", abuse: "Abusive or hateful", off_topic: "Off topic", illegal: "Illegal content", other: "Other" },
      category: "Kind of illegal content",
      categories: { child_sexual_abuse: "Child sexual abuse material", terrorism: "Terrorist content", hate_speech: "Illegal hate speech", defamation: "Defamation", privacy: "Privacy violation", intellectual_property: "Copyright or other intellectual property", fraud: "Fraud or scam", other: "Other" },
      law: "Which law, or what kind of illegality?", why: "Why is it illegal?", yourName: "Your name", yourEmail: "Your email", optional: (l) => `${l} (optional)`,
      goodFaith: "I believe in good faith that the information in this notice is accurate and complete.",
      noticeReceived: (id, mailed) => `Notice received: ${id}.` + (mailed ? " We sent a confirmation to your email." : ""),
      whyTitle: "Why?", byModerator: "Decided by a moderator", byRules: "Decided automatically by the site's rules",
      legalGround: (g) => `Legal ground: ${g}`, siteRule: (g) => `Site rule: ${g}`,
      contestUntil: (d) => `You can contest this decision until ${d}.`, contest: "Contest this decision", appealBody: "Why should the decision be changed?", sendAppeal: "Send",
      appealSent: "Your appeal was received; another moderator will review it.", appealOpen: "Your appeal is being reviewed",
      appealUpheld: "Your appeal was reviewed: the decision stands.",
      awaiting: "Awaiting moderation: only you can see this comment.",
      notPublished: "Your comment was not published.",
      posted: "Your comment was posted.", held: "Your comment was received and awaits moderation.",
      edited: "Your comment was changed.", deleted: "Your comment was deleted.",
      empty: "No comments yet. Be the first to write one.",
      closed: "Comments are closed on this article.",
      loadError: "The comments could not be loaded.", retry: "Try again",
      fresh: ["Show # new comment", "Show # new comments"], removed: "This comment was removed.",
      more: "Load more comments", moreReplies: "Show more replies",
      network: "The comment service could not be reached. Your text is kept; try again.",
      editedMark: "edited", you: "you", writeComment: "Write a comment", website: "Website",
      best: "Best", signedInAs: "Signed in as", signIn: "Sign in to comment", signInShort: "Sign in",
      guestsReviewed: "Comments from guests are reviewed by a moderator before they appear.",
      signedOut: "You are signed out.", staff: "Staff", featured: "Featured",
      featuredTab: (n) => `Featured (${n})`, allTab: "All comments", link: "Link",
      linkTo: (n) => `Link to the comment by ${n}`,
      feed: "Comment feed",
      notifyReplies: "Email me when someone replies", notifyDecisions: "Email me about moderators' decisions on my comment",
      notifyHint: "We first send a link to confirm your address.",
      checkInbox: "Check your inbox: we sent a link to confirm your address.", willEmail: "We will email you.",
      notPublishedBecause: (r) => `Your comment was not published: ${r}.`, moderatorWrote: (x) => `The moderator wrote: “${x}”`,
      decisionReasons: { spam: "spam or advertising", abuse: "abusive or insulting", off_topic: "off topic", illegal: "possibly illegal", personal_data: "personal data of someone", other: "against the site's rules" },
    },
    fr: {
      comments: ["# commentaire", "# commentaires"], wait: "Veuillez patienter #.", choose: "Veuillez choisir un motif.",
      sort: "Trier", oldest: "Plus anciens d'abord", newest: "Plus récents d'abord",
      name: "Nom", email: "E-mail (facultatif, jamais affiché)", body: "Votre commentaire",
      post: "Publier", posting: "Envoi…", reply: "Répondre", cancel: "Annuler",
      replyTo: (n) => `Répondre à ${n}`, edit: "Modifier", save: "Enregistrer", del: "Supprimer",
      confirmDelete: "Supprimer ce commentaire ?", report: "Signaler", reportTitle: "Signaler ce commentaire",
      reason: "Motif", note: "Remarque (facultatif)", send: "Envoyer le signalement", reported: "Merci, les modérateurs vont l'examiner.",
      reasons: { spam: "Spam", abuse: "Injurieux ou haineux", off_topic: "Hors sujet", illegal: "Contenu illégal", other: "Autre" },
      category: "Type de contenu illégal",
      categories: { child_sexual_abuse: "Matériel pédopornographique", terrorism: "Contenu terroriste", hate_speech: "Discours de haine illégal", defamation: "Diffamation", privacy: "Atteinte à la vie privée", intellectual_property: "Droit d'auteur ou autre propriété intellectuelle", fraud: "Fraude ou escroquerie", other: "Autre" },
      law: "Quelle loi, ou quel type d'illégalité ?", why: "Pourquoi est-ce illégal ?", yourName: "Votre nom", yourEmail: "Votre e-mail", optional: (l) => `${l} (facultatif)`,
      goodFaith: "Je déclare de bonne foi que les informations de ce signalement sont exactes et complètes.",
      noticeReceived: (id, mailed) => `Signalement reçu : ${id}.` + (mailed ? " Nous vous avons envoyé une confirmation par e-mail." : ""),
      whyTitle: "Pourquoi ?", byModerator: "Décidé par un modérateur", byRules: "Décidé automatiquement par les règles du site",
      legalGround: (g) => `Fondement juridique : ${g}`, siteRule: (g) => `Règle du site : ${g}`,
      contestUntil: (d) => `Vous pouvez contester cette décision jusqu'au ${d}.`, contest: "Contester cette décision", appealBody: "Pourquoi la décision devrait-elle changer ?", sendAppeal: "Envoyer",
      appealSent: "Votre recours a été reçu ; un autre modérateur va l'examiner.", appealOpen: "Votre recours est en cours d'examen",
      appealUpheld: "Votre recours a été examiné : la décision est maintenue.",
      awaiting: "En attente de modération : vous seul voyez ce commentaire.",
      notPublished: "Votre commentaire n'a pas été publié.",
      posted: "Votre commentaire a été publié.", held: "Votre commentaire a été reçu et attend la modération.",
      edited: "Votre commentaire a été modifié.", deleted: "Votre commentaire a été supprimé.",
      empty: "Aucun commentaire pour l'instant. Soyez le premier.",
      closed: "Les commentaires sont fermés pour cet article.",
      loadError: "Les commentaires n'ont pas pu être chargés.", retry: "Réessayer",
      fresh: ["Afficher # nouveau commentaire", "Afficher # nouveaux commentaires"], removed: "Ce commentaire a été retiré.",
      more: "Plus de commentaires", moreReplies: "Plus de réponses",
      network: "Le service de commentaires est injoignable. Votre texte est conservé ; réessayez.",
      editedMark: "modifié", you: "vous", writeComment: "Écrire un commentaire", website: "Site web",
      best: "Les meilleurs", signedInAs: "Connecté en tant que", signIn: "Connectez-vous pour commenter", signInShort: "Se connecter",
      guestsReviewed: "Les commentaires des invités sont relus par un modérateur avant de paraître.",
      signedOut: "Vous êtes déconnecté.", staff: "Rédaction", featured: "À la une",
      featuredTab: (n) => `À la une (${n})`, allTab: "Tous les commentaires", link: "Lien",
      linkTo: (n) => `Lien vers le commentaire de ${n}`,
      feed: "Flux",
      notifyReplies: "M'avertir par e-mail quand quelqu'un répond", notifyDecisions: "M'avertir par e-mail des décisions des modérateurs sur mon commentaire",
      notifyHint: "Nous envoyons d'abord un lien pour confirmer votre adresse.",
      checkInbox: "Consultez votre boîte de réception : nous avons envoyé un lien pour confirmer votre adresse.", willEmail: "Nous vous écrirons par e-mail.",
      notPublishedBecause: (r) => `Votre commentaire n'a pas été publié : ${r}.`, moderatorWrote: (x) => `Le modérateur a écrit : « ${x} »`,
      decisionReasons: { spam: "spam ou publicité", abuse: "injurieux ou insultant", off_topic: "hors sujet", illegal: "possiblement illégal", personal_data: "données personnelles d'autrui", other: "contraire aux règles du site" },
    },
    nl: {
      comments: ["# reactie", "# reacties"], wait: "Wacht # a.u.b.", choose: "Kies een reden.",
      sort: "Sorteren", oldest: "Oudste eerst", newest: "Nieuwste eerst",
      name: "Naam", email: "E-mail (optioneel, nooit getoond)", body: "Uw reactie",
      post: "Plaatsen", posting: "Bezig…", reply: "Antwoorden", cancel: "Annuleren",
      replyTo: (n) => `Antwoord aan ${n}`, edit: "Bewerken", save: "Opslaan", del: "Verwijderen",
      confirmDelete: "Deze reactie verwijderen?", report: "Melden", reportTitle: "Deze reactie melden",
      reason: "Reden", note: "Toelichting (optioneel)", send: "Melding versturen", reported: "Bedankt, de moderatoren kijken ernaar.",
      reasons: { spam: "Spam", abuse: "Beledigend of haatdragend", off_topic: "Off-topic", illegal: "Illegale inhoud", other: "Anders" },
      category: "Soort illegale inhoud",
      categories: { child_sexual_abuse: "Materiaal van seksueel kindermisbruik", terrorism: "Terroristische inhoud", hate_speech: "Illegale haatzaaiende uitlatingen", defamation: "Smaad of laster", privacy: "Schending van privacy", intellectual_property: "Auteursrecht of ander intellectueel eigendom", fraud: "Fraude of oplichting", other: "Anders" },
      law: "Welke wet, of wat voor illegaliteit?", why: "Waarom is het illegaal?", yourName: "Uw naam", yourEmail: "Uw e-mail", optional: (l) => `${l} (optioneel)`,
      goodFaith: "Ik verklaar te goeder trouw dat de informatie in deze melding juist en volledig is.",
      noticeReceived: (id, mailed) => `Melding ontvangen: ${id}.` + (mailed ? " We hebben u een bevestiging gemaild." : ""),
      whyTitle: "Waarom?", byModerator: "Besloten door een moderator", byRules: "Automatisch besloten door de regels van de site",
      legalGround: (g) => `Wettelijke grond: ${g}`, siteRule: (g) => `Regel van de site: ${g}`,
      contestUntil: (d) => `U kunt tot ${d} bezwaar maken tegen deze beslissing.`, contest: "Bezwaar maken", appealBody: "Waarom moet de beslissing anders?", sendAppeal: "Versturen",
      appealSent: "Uw bezwaar is ontvangen; een andere moderator bekijkt het.", appealOpen: "Uw bezwaar wordt bekeken",
      appealUpheld: "Uw bezwaar is bekeken: de beslissing blijft staan.",
      awaiting: "Wacht op moderatie: alleen u ziet deze reactie.",
      notPublished: "Uw reactie is niet gepubliceerd.",
      posted: "Uw reactie is geplaatst.", held: "Uw reactie is ontvangen en wacht op moderatie.",
      edited: "Uw reactie is gewijzigd.", deleted: "Uw reactie is verwijderd.",
      empty: "Nog geen reacties. Schrijf de eerste.",
      closed: "Reageren is gesloten voor dit artikel.",
      loadError: "De reacties konden niet worden geladen.", retry: "Opnieuw proberen",
      fresh: ["Toon # nieuwe reactie", "Toon # nieuwe reacties"], removed: "Deze reactie is verwijderd.",
      more: "Meer reacties", moreReplies: "Meer antwoorden",
      network: "De reactiedienst is onbereikbaar. Uw tekst blijft bewaard; probeer het opnieuw.",
      editedMark: "bewerkt", you: "u", writeComment: "Schrijf een reactie", website: "Website",
      best: "Beste", signedInAs: "Aangemeld als", signIn: "Meld u aan om te reageren", signInShort: "Aanmelden",
      guestsReviewed: "Reacties van gasten worden eerst door een moderator bekeken.",
      signedOut: "U bent afgemeld.", staff: "Redactie", featured: "Uitgelicht",
      featuredTab: (n) => `Uitgelicht (${n})`, allTab: "Alle reacties", link: "Link",
      linkTo: (n) => `Link naar de reactie van ${n}`,
      feed: "Feed",
      notifyReplies: "Mail me als iemand antwoordt", notifyDecisions: "Mail me over beslissingen van moderatoren over mijn reactie",
      notifyHint: "We sturen eerst een link om uw adres te bevestigen.",
      checkInbox: "Kijk in uw inbox: we hebben een link gestuurd om uw adres te bevestigen.", willEmail: "We sturen u een e-mail.",
      notPublishedBecause: (r) => `Uw reactie is niet gepubliceerd: ${r}.`, moderatorWrote: (x) => `De moderator schreef: “${x}”`,
      decisionReasons: { spam: "spam of reclame", abuse: "beledigend of kwetsend", off_topic: "off-topic", illegal: "mogelijk illegaal", personal_data: "persoonsgegevens van iemand anders", other: "in strijd met de regels van de site" },
    },
    de: {
      comments: ["# Kommentar", "# Kommentare"], wait: "Bitte warten Sie #.", choose: "Bitte wählen Sie einen Grund.",
      sort: "Sortieren", oldest: "Älteste zuerst", newest: "Neueste zuerst",
      name: "Name", email: "E-Mail (optional, wird nie angezeigt)", body: "Ihr Kommentar",
      post: "Kommentar senden", posting: "Wird gesendet…", reply: "Antworten", cancel: "Abbrechen",
      replyTo: (n) => `Antwort an ${n}`, edit: "Bearbeiten", save: "Speichern", del: "Löschen",
      confirmDelete: "Diesen Kommentar löschen?", report: "Melden", reportTitle: "Diesen Kommentar melden",
      reason: "Grund", note: "Anmerkung (optional)", send: "Meldung senden", reported: "Danke, die Moderation sieht es sich an.",
      reasons: { spam: "Spam", abuse: "Beleidigend oder hasserfüllt", off_topic: "Themenfremd", illegal: "Rechtswidriger Inhalt", other: "Anderes" },
      category: "Art des rechtswidrigen Inhalts",
      categories: { child_sexual_abuse: "Darstellung sexuellen Kindesmissbrauchs", terrorism: "Terroristischer Inhalt", hate_speech: "Rechtswidrige Hassrede", defamation: "Verleumdung oder üble Nachrede", privacy: "Verletzung der Privatsphäre", intellectual_property: "Urheberrecht oder anderes geistiges Eigentum", fraud: "Betrug", other: "Anderes" },
      law: "Welches Gesetz, oder welche Art von Rechtsverstoß?", why: "Warum ist es rechtswidrig?", yourName: "Ihr Name", yourEmail: "Ihre E-Mail", optional: (l) => `${l} (optional)`,
      goodFaith: "Ich erkläre in gutem Glauben, dass die Angaben in dieser Meldung richtig und vollständig sind.",
      noticeReceived: (id, mailed) => `Meldung eingegangen: ${id}.` + (mailed ? " Wir haben Ihnen eine Bestätigung per E-Mail gesendet." : ""),
      whyTitle: "Warum?", byModerator: "Von der Moderation entschieden", byRules: "Automatisch nach den Regeln der Seite entschieden",
      legalGround: (g) => `Rechtsgrundlage: ${g}`, siteRule: (g) => `Regel der Seite: ${g}`,
      contestUntil: (d) => `Sie können diese Entscheidung bis ${d} anfechten.`, contest: "Entscheidung anfechten", appealBody: "Warum sollte die Entscheidung geändert werden?", sendAppeal: "Senden",
      appealSent: "Ihr Einspruch ist eingegangen; eine andere Person der Moderation prüft ihn.", appealOpen: "Ihr Einspruch wird geprüft",
      appealUpheld: "Ihr Einspruch wurde geprüft: Die Entscheidung bleibt bestehen.",
      awaiting: "Wartet auf Freigabe: nur Sie sehen diesen Kommentar.",
      notPublished: "Ihr Kommentar wurde nicht veröffentlicht.",
      posted: "Ihr Kommentar wurde veröffentlicht.", held: "Ihr Kommentar ist eingegangen und wartet auf Freigabe.",
      edited: "Ihr Kommentar wurde geändert.", deleted: "Ihr Kommentar wurde gelöscht.",
      empty: "Noch keine Kommentare. Schreiben Sie den ersten.",
      closed: "Die Kommentare zu diesem Artikel sind geschlossen.",
      loadError: "Die Kommentare konnten nicht geladen werden.", retry: "Erneut versuchen",
      fresh: ["# neuen Kommentar zeigen", "# neue Kommentare zeigen"], removed: "Dieser Kommentar wurde entfernt.",
      more: "Weitere Kommentare", moreReplies: "Weitere Antworten",
      network: "Der Kommentardienst ist nicht erreichbar. Ihr Text bleibt erhalten; versuchen Sie es erneut.",
      editedMark: "bearbeitet", you: "Sie", writeComment: "Kommentar schreiben", website: "Webseite",
      best: "Beste", signedInAs: "Angemeldet als", signIn: "Melden Sie sich an, um zu kommentieren", signInShort: "Anmelden",
      guestsReviewed: "Kommentare von Gästen werden vor dem Erscheinen von der Moderation geprüft.",
      signedOut: "Sie sind abgemeldet.", staff: "Redaktion", featured: "Empfohlen",
      featuredTab: (n) => `Empfohlen (${n})`, allTab: "Alle Kommentare", link: "Link",
      linkTo: (n) => `Link zum Kommentar von ${n}`,
      feed: "Feed",
      notifyReplies: "Per E-Mail benachrichtigen, wenn jemand antwortet", notifyDecisions: "Per E-Mail über Entscheidungen der Moderation zu meinem Kommentar informieren",
      notifyHint: "Wir senden zuerst einen Link zur Bestätigung Ihrer Adresse.",
      checkInbox: "Sehen Sie in Ihrem Posteingang nach: Wir haben einen Link zur Bestätigung Ihrer Adresse gesendet.", willEmail: "Wir benachrichtigen Sie per E-Mail.",
      notPublishedBecause: (r) => `Ihr Kommentar wurde nicht veröffentlicht: ${r}.`, moderatorWrote: (x) => `Die Moderation schrieb: „${x}“`,
      decisionReasons: { spam: "Spam oder Werbung", abuse: "beleidigend oder ausfallend", off_topic: "themenfremd", illegal: "möglicherweise rechtswidrig", personal_data: "personenbezogene Daten anderer", other: "gegen die Regeln der Seite" },
    },
  };

  const CSS = `
:host { all: initial; display: block; font: inherit; line-height: 1.5; color: var(--mod-fg);
  --mod-fg: #1d1f23; --mod-muted: #555b66; --mod-bg: #ffffff; --mod-panel: #f4f5f7;
  --mod-border: #c9cdd4; --mod-accent: #0b57d0; --mod-accent-fg: #ffffff; --mod-danger: #b3261e;
  --mod-note: #fff4ce; --mod-radius: 6px; --mod-focus: #0b57d0; }
:host([data-theme="dark"]), .dark { --mod-fg: #e8eaed; --mod-muted: #b4b9c2; --mod-bg: #16181c;
  --mod-panel: #23262b; --mod-border: #4a4f57; --mod-accent: #8ab4f8; --mod-accent-fg: #0b1424;
  --mod-danger: #f2b8b5; --mod-note: #3d3520; --mod-focus: #8ab4f8; }
.root { background: var(--mod-bg); color: var(--mod-fg); font-family: var(--mod-font, inherit);
  font-size: var(--mod-size, 1rem); padding: .5rem 0; }
h2 { font-size: 1.25em; margin: 0 0 .75rem; }
.bar { display: flex; gap: 1rem; align-items: center; justify-content: space-between; flex-wrap: wrap; }
form, .box { background: var(--mod-panel); border: 1px solid var(--mod-border); border-radius: var(--mod-radius);
  padding: .75rem; margin: .75rem 0; display: grid; gap: .5rem; }
label { font-weight: 600; font-size: .9em; }
input, textarea, select, button { font: inherit; color: var(--mod-fg); background: var(--mod-bg);
  border: 1px solid var(--mod-border); border-radius: var(--mod-radius); padding: .45rem .6rem; }
textarea { min-height: 5.5em; resize: vertical; width: 100%; box-sizing: border-box; }
input { width: 100%; box-sizing: border-box; }
.row { display: grid; grid-template-columns: 1fr 1fr; gap: .5rem; }
@media (max-width: 480px) { .row { grid-template-columns: 1fr; } }
.field { display: grid; gap: .2rem; }
[hidden] { display: none !important; }
h3 { font-size: 1em; margin: 0; }
.check { display: flex; gap: .45rem; align-items: baseline; }
.check input { width: auto; margin: 0; }
.check label { font-weight: 400; }
button { cursor: pointer; }
button.primary { background: var(--mod-accent); color: var(--mod-accent-fg); border-color: var(--mod-accent); font-weight: 600; justify-self: start; }
button.link { background: none; border: none; padding: .2rem .3rem; color: var(--mod-accent); text-decoration: underline; }
button:disabled { opacity: .6; cursor: progress; }
:focus-visible { outline: 3px solid var(--mod-focus); outline-offset: 2px; }
.error { color: var(--mod-danger); font-size: .9em; }
.error:empty { display: none; }
.trap { position: absolute; left: -10000px; width: 1px; height: 1px; overflow: hidden; }
ol { list-style: none; margin: 0; padding: 0; }
li.c { margin: .9rem 0 0; }
li.c > ol { margin-left: 1.25rem; padding-left: .75rem; border-left: 2px solid var(--mod-border); }
li.c.flat > ol { margin-left: 0; padding-left: 0; border-left: none; }
article { display: grid; grid-template-columns: 2.25rem 1fr; gap: .1rem .6rem; }
article > * { grid-column: 2; }
svg.avatar { grid-column: 1; grid-row: 1 / span 4; width: 2.25rem; height: 2.25rem; border-radius: 50%; background: var(--mod-panel); }
.meta { display: flex; gap: .5rem; flex-wrap: wrap; align-items: baseline; }
.author { font-weight: 700; }
.meta time, .muted { color: var(--mod-muted); font-size: .875em; }
.body { overflow-wrap: anywhere; }
.body p { margin: .25rem 0; }
.body blockquote { margin: .25rem 0; padding-left: .75rem; border-left: 3px solid var(--mod-border); color: var(--mod-muted); }
.body pre { overflow-x: auto; background: var(--mod-panel); padding: .5rem; border-radius: var(--mod-radius); }
.body a { color: var(--mod-accent); }
.actions { display: flex; gap: .25rem; flex-wrap: wrap; }
.pending { background: var(--mod-note); border-radius: var(--mod-radius); padding: .1rem .4rem; font-size: .875em; }
.status { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
.notice { padding: .5rem .75rem; border-radius: var(--mod-radius); background: var(--mod-panel); }
.fresh { display: block; width: 100%; margin: 0 0 .75rem; }
.notice:empty { display: none; }
a { color: var(--mod-accent); }
.who { margin: 0; display: flex; gap: .4rem; flex-wrap: wrap; align-items: baseline; }
.badge { display: inline-block; font-size: .75em; font-weight: 600; line-height: 1.5; padding: 0 .45rem;
  border: 1px solid var(--mod-border); border-radius: 999px; color: var(--mod-muted); }
.badge.staff { background: var(--mod-accent); border-color: var(--mod-accent); color: var(--mod-accent-fg); }
.badge.featured { background: var(--mod-note); border-color: var(--mod-note); color: var(--mod-fg); }
button.react { display: inline-flex; gap: .35rem; align-items: baseline; padding: .1rem .55rem; font-size: .875em; }
button.react[aria-pressed="true"] { background: var(--mod-accent); border-color: var(--mod-accent); color: var(--mod-accent-fg); }
.count { font-weight: 600; font-variant-numeric: tabular-nums; }
.permalink { font-size: .875em; padding: .2rem .3rem; align-self: center; }
.tabs { display: flex; gap: .25rem; margin: .75rem 0 0; border-bottom: 1px solid var(--mod-border); }
.tabs[hidden] { display: none; }
button[role="tab"] { background: none; border: none; border-bottom: 3px solid transparent; border-radius: 0;
  padding: .4rem .6rem; font-weight: 600; color: var(--mod-muted); }
button[role="tab"][aria-selected="true"] { color: var(--mod-fg); border-bottom-color: var(--mod-accent); }
li.c.highlight > article { background: var(--mod-note); border-radius: var(--mod-radius);
  box-shadow: 0 0 0 3px var(--mod-focus); }
`;

  /* ---- small helpers ------------------------------------------------------------------ */

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function storage(key, fallback) {
    try {
      const raw = localStorage.getItem(key);
      return raw ? JSON.parse(raw) : fallback;
    } catch (_) {
      return fallback;
    }
  }

  function store(key, value) {
    try {
      localStorage.setItem(key, JSON.stringify(value));
    } catch (_) { /* private mode: the widget still works, it just forgets */ }
  }

  class ApiError extends Error {
    constructor(status, error) {
      super(error.message);
      this.status = status;
      this.code = error.code;
      this.field = error.field;
      this.loginUrl = error.login_url; // with sign_in_required
      this.fields = error.fields || [error]; // every field at fault, the first being `field`
    }
  }

  /* This browser's guest key: 32 random bytes, base64url, made once and kept. */
  let guestKeyCache = null;
  function guestKey() {
    if (guestKeyCache) return guestKeyCache;
    const kept = storage(GUEST_KEY, null);
    if (typeof kept === "string" && /^[A-Za-z0-9_-]{22,64}$/.test(kept)) {
      guestKeyCache = kept;
    } else {
      const bytes = crypto.getRandomValues(new Uint8Array(32));
      guestKeyCache = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
      store(GUEST_KEY, guestKeyCache);
    }
    return guestKeyCache;
  }

  /* The email the reader token names, if any: only to offer mail notices in the form (the
     service verifies the token and takes the address from it, never from the widget). */
  function tokenEmail(token) {
    try {
      const bytes = Uint8Array.from(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
      const email = JSON.parse(new TextDecoder().decode(bytes)).email;
      return typeof email === "string" && email.includes("@") ? email : null;
    } catch (_) {
      return null;
    }
  }

  /* An address the service gave, if it is one a link may point at. */
  function safeUrl(url) {
    try {
      const parsed = new URL(url);
      return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
    } catch (_) {
      return null;
    }
  }

  async function call(method, path, { body, headers, raw } = {}) {
    // "no-cache": the browser revalidates its copy with the ETag every time (a cheap 304), so a
    // reader sees a moderator's decision at once; shared caches still follow Cache-Control.
    const init = { method, headers: { ...(headers || {}) }, credentials: "omit", mode: "cors", cache: "no-cache" };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(API + path, init);
    if (raw) return response;
    if (response.status === 204) return null;
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const error = new ApiError(response.status, (data && data.error) || { code: "http_error", message: response.statusText });
      const wait = response.headers.get("Retry-After"); // seconds, or an HTTP date
      if (wait) error.wait = isNaN(wait) ? (Date.parse(wait) - Date.now()) / 1000 : +wait;
      throw error;
    }
    return data;
  }

  /* A request that writes is sent with an Idempotency-Key and sent again, under the same key,
     when the network or the service fails it: a comment whose answer was lost on the way back
     is answered again, not stored twice. */
  function newKey() {
    const bytes = crypto.getRandomValues(new Uint8Array(16)); // randomUUID needs a secure page
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  const RETRY_DELAYS = [1000, 3000];
  const RETRIED_STATUSES = new Set([502, 503, 504]);

  async function callOnce(method, path, body, key, headers) {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await call(method, path, { body, headers: { ...(headers || {}), "Idempotency-Key": key } });
      } catch (error) {
        const transient = !(error instanceof ApiError) || RETRIED_STATUSES.has(error.status);
        if (!transient || attempt >= RETRY_DELAYS.length) throw error;
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS[attempt]));
      }
    }
  }

  /* What a form sends, and its key: while the reader sends the same text again (after a failure,
     a second click) it is the very request sent before, byte for byte, under the same key (its
     form token may have been renewed since); once the text changed or went through, a new one. */
  function request(holder, payload, same) {
    if (!holder.pending || !same(holder.pending.payload)) holder.pending = { payload, key: newKey() };
    return holder.pending;
  }

  /* The article's address as the service takes it: no fragment, at most 2,048 characters (a
     query string of trackers goes first), or none. */
  function pageUrl(href) {
    let url = href.split("#")[0];
    if (url.length > 2048) url = url.split("?")[0];
    return url.length <= 2048 ? url : null;
  }

  function articlePath(site, article) {
    return `/sites/${encodeURIComponent(site)}/articles/${encodeURIComponent(article)}/comments`;
  }

  /* An identicon from the avatar seed: a symmetric 5x5 grid, drawn here, fetched from nowhere. */
  function identicon(seed) {
    const ns = "http://www.w3.org/2000/svg";
    const make = (tag, attrs) => {
      const node = document.createElementNS(ns, tag);
      for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
      return node;
    };
    const svg = make("svg", { viewBox: "0 0 5 5", class: "avatar", "aria-hidden": "true" });
    const hex = (seed || "0").padEnd(16, "0");
    const hue = parseInt(hex.slice(0, 3), 16) % 360;
    const bits = parseInt(hex.slice(3, 11), 16);
    for (let i = 0; i < 15; i++) {
      if (!((bits >> i) & 1)) continue;
      const x = Math.floor(i / 5), y = i % 5;
      for (const cx of new Set([x, 4 - x])) {
        svg.append(make("rect", { x: cx, y, width: 1, height: 1, fill: `hsl(${hue} 55% 48%)` }));
      }
    }
    return svg;
  }

  /* [one, other], "#" for the number, as the language's plural rules choose. */
  function plural(lang, forms, n) {
    return forms[new Intl.PluralRules(lang).select(n) === "one" ? 0 : 1].replace("#", n);
  }

  function language(value) {
    const lang = (value || document.documentElement.lang || "en").slice(0, 2).toLowerCase();
    return TEXT[lang] ? lang : "en";
  }

  function relativeTime(iso, lang) {
    const seconds = (new Date(iso).getTime() - Date.now()) / 1000;
    const units = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400], ["hour", 3600], ["minute", 60]];
    const format = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
    for (const [unit, size] of units) {
      if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
    }
    return format.format(0, "minute");
  }

  /* ---- the author's own comments, remembered in this browser ---------------------------- */

  function ownComments() {
    const now = Date.now();
    // Forget entries after a month: long decided by then; one whose decision may still be
    // contested is kept until then (`keep`), for its author to come back.
    return storage(OWN_KEY, []).filter((o) => now - o.at < 30 * 86400e3 || Date.parse(o.keep) > now);
  }

  function rememberOwn(entry) {
    store(OWN_KEY, [...ownComments().filter((o) => o.id !== entry.id), entry]);
  }

  function forgetOwn(id) {
    store(OWN_KEY, ownComments().filter((o) => o.id !== id));
  }

  function ownToken(id) {
    const found = ownComments().find((o) => o.id === id);
    return found ? found.token : null;
  }

  /* ---- one widget ------------------------------------------------------------------------ */

  class Widget {
    constructor(host) {
      this.host = host;
      this.site = host.dataset.site;
      this.article = host.dataset.article || location.pathname;
      this.articleUrl = pageUrl(host.dataset.url || location.href);
      // The service takes a title of one line up to 300 characters, and none rather than "".
      this.articleTitle = (host.dataset.title || document.title).replace(/\s+/g, " ").trim().slice(0, 300) || null;
      this.lang = language(host.dataset.lang);
      this.t = TEXT[this.lang];
      this.sort = "oldest";
      this.formToken = null;
      this.shown = new Set();
      this.token = host.dataset.readerToken || null;
      this.reader = null; // who the token names, as the service told
      this.siteInfo = { commenters: "guests", login_url: null, reaction_label: "Respect" };
      this.loaded = false;
      this.nextCursor = null;
      this.draft = "";
      this.reacting = new Set();
      this.root = host.attachShadow({ mode: "open" });
      if (!host.dataset.theme) host.dataset.theme = "auto";
      if ("adoptedStyleSheets" in this.root) {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
        this.root.adoptedStyleSheets = [sheet];
      } else {
        this.root.append(el("style", { text: CSS }));
      }
      this.status = el("div", { class: "status", role: "status", "aria-live": "polite" });
      this.notice = el("p", { class: "notice", role: "alert" });
      this.whySlot = el("div"); // the reasons for decisions on the author's own comments
      this.heading = el("h2", { text: this.count(0) });
      this.sortSelect = el(
        "select",
        { "aria-label": this.t.sort, onchange: () => { this.sort = this.sortSelect.value; this.load(); } },
        el("option", { value: "oldest", text: this.t.oldest }),
        el("option", { value: "newest", text: this.t.newest }),
        el("option", { value: "best", text: this.t.best }),
      );
      this.formSlot = el("div");
      this.list = el("ol", { class: "thread" });
      this.moreSlot = el("div");
      // Featured comments, when there are any, and the thread: two tabs.
      const tab = (id, onclick) => el("button", {
        type: "button", role: "tab", id: `tab-${id}`, "aria-controls": `panel-${id}`, onclick,
        onkeydown: (event) => this.tabKey(event),
      });
      this.featuredTab = tab("featured", () => { this.tabChosen = true; this.selectTab("featured"); });
      this.allTab = tab("all", () => { this.tabChosen = true; this.selectTab("all"); });
      this.allTab.textContent = this.t.allTab;
      this.tablist = el("div", { class: "tabs", role: "tablist", hidden: true }, this.featuredTab, this.allTab);
      this.featuredList = el("ol", { class: "thread" });
      this.featuredPanel = el("div", { id: "panel-featured", hidden: true }, this.featuredList);
      this.allPanel = el("div", { id: "panel-all" }, this.list, this.moreSlot);
      // The article's feed, in the page's head (once) and below.
      const feed = { rel: "alternate", type: "application/atom+xml", href: API + articlePath(this.site, this.article).slice(0, -8) + "feed.atom", title: this.t.feed };
      if (![...document.querySelectorAll("link[rel=alternate]")].some((l) => l.href === feed.href)) document.head.append(el("link", feed));
      this.served = this.readServed();
      this.section = el("section", { class: "root", lang: this.lang, "aria-label": this.count(0) },
        el("div", { class: "bar" }, this.heading, this.sortSelect),
        this.formSlot, this.notice, this.whySlot, this.tablist, this.featuredPanel, this.allPanel, this.status,
        el("p", { class: "muted" }, el("a", { ...feed, rel: null, title: null, text: this.t.feed })));
      this.root.append(this.section);
      this.theme();
      matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => this.theme());
      window.addEventListener("hashchange", () => this.revealHash());
    }

    count(n) {
      return plural(this.lang, this.t.comments, n);
    }

    /* The server-rendered thread in the container (templates/publish), as its JSON tells it. */
    readServed() {
      const f = this.host.querySelector("[data-moderation-thread]"), d = f?.dataset;
      if (!d || d.moderationThread !== this.article || d.moderationSite !== this.site) return null;
      const read = (li) => ({ ...JSON.parse(li.dataset.comment), nodes: [...li.querySelector(":scope > article > .body").childNodes],
        replies: [...li.querySelectorAll(":scope > ol > li")].map(read) });
      return { ...JSON.parse(d.thread), comments: [...f.querySelectorAll(":scope > ol > li")].map(read) };
    }

    /* "auto": as dark as the nearest background around it (the system's scheme on a page with none). */
    theme() {
      let dark = null;
      for (let node = this.host; node && dark === null; node = node.parentElement) {
        const [r, g, b, a = 1] = (getComputedStyle(node).backgroundColor.match(/[\d.]+/g) || [0, 0, 0, 0]).map(Number);
        if (a > 0) dark = 0.2126 * r + 0.7152 * g + 0.0722 * b < 128;
      }
      this.section.classList.toggle("dark", this.host.dataset.theme === "auto" && (dark ?? matchMedia("(prefers-color-scheme: dark)").matches));
    }

    /* A failure in words: the service's, how long to wait, or the network's. */
    say(error) {
      if (!(error instanceof ApiError)) return this.t.network;
      if (error.status !== 429 || !(error.wait > 0)) return error.message;
      const long = error.wait > 90, unit = long ? "minute" : "second";
      const n = Math.ceil(long ? error.wait / 60 : error.wait);
      return this.t.wait.replace("#", new Intl.NumberFormat(this.lang, { style: "unit", unit, unitDisplay: "long" }).format(n));
    }

    /* Who is asking: the signed-in reader's token, or this browser's guest key. */
    identity() {
      return this.token ? { "X-Reader-Token": this.token } : { "X-Guest-Key": guestKey() };
    }

    async fetchReader() {
      this.reader = null;
      if (!this.token) return;
      try {
        const path = `/sites/${encodeURIComponent(this.site)}/reader`;
        this.reader = (await call("GET", path, { headers: { "X-Reader-Token": this.token } })).reader;
      } catch (error) {
        // A token the service refuses (expired, signed out) is forgotten: the reader is a guest.
        if (error instanceof ApiError && error.status === 401) this.forgetToken(error.message);
      }
    }

    forgetToken(message) {
      this.token = null;
      this.reader = null;
      if (message) this.notice.textContent = message;
    }

    async signIn(token) {
      this.token = token || null;
      await this.fetchReader();
      if (this.loaded) this.renderForm();
      return this.reader;
    }

    async signOut() {
      const token = this.token;
      this.forgetToken();
      if (token) {
        try {
          await call("POST", `/sites/${encodeURIComponent(this.site)}/logout`, { headers: { "X-Reader-Token": token } });
        } catch (_) { /* forgotten here whatever the service answered */ }
      }
      if (this.loaded) this.renderForm();
      this.announce(this.t.signedOut);
    }

    canPost() {
      return Boolean(this.token) || this.siteInfo.commenters !== "readers";
    }

    /* The top form, or what stands in its place; a draft survives a change of who is signed in. */
    renderForm() {
      const typed = this.formSlot.querySelector("textarea");
      if (typed && typed.value) this.draft = typed.value;
      for (const reply of this.root.querySelectorAll("form.reply, .box.signin")) reply.remove();
      if (this.closed) {
        this.formSlot.replaceChildren(el("p", { class: "notice", text: this.t.closed }));
        return;
      }
      if (!this.canPost()) {
        this.formSlot.replaceChildren(this.signInPrompt());
        return;
      }
      const form = this.commentForm(null);
      if (this.draft) {
        form.querySelector("textarea").value = this.draft;
        this.draft = "";
      }
      this.formSlot.replaceChildren(form);
    }

    signInPrompt(tag = "p", className = "notice signin") {
      const url = safeUrl(this.siteInfo.login_url);
      return el(tag, { class: className },
        url ? el("a", { href: url, text: this.t.signIn }) : document.createTextNode(this.t.signIn));
    }

    /* The service says only signed-in readers may: from now on the widget says so too. */
    requireSignIn(error) {
      this.siteInfo = { ...this.siteInfo, commenters: "readers", login_url: error.loginUrl || this.siteInfo.login_url };
      this.renderForm();
    }

    whoAmI() {
      return el("p", { class: "who" },
        document.createTextNode(`${this.t.signedInAs} `), el("strong", { text: this.reader.name }),
        ...this.badges(this.reader.staff, this.reader.badges));
    }

    badges(staff, names) {
      const list = (names || []).map((name) => el("span", { class: "badge", text: String(name) }));
      return staff ? [el("span", { class: "badge staff", text: this.t.staff }), ...list] : list;
    }

    /* ---- featured and all comments, as tabs ---- */

    setFeatured(comments) {
      const any = comments.length > 0;
      this.tablist.hidden = !any;
      for (const [tab, panel] of [[this.featuredTab, this.featuredPanel], [this.allTab, this.allPanel]]) {
        if (any) {
          panel.setAttribute("role", "tabpanel");
          panel.setAttribute("aria-labelledby", tab.id);
        } else {
          panel.removeAttribute("role");
          panel.removeAttribute("aria-labelledby");
        }
      }
      this.featuredTab.textContent = this.t.featuredTab(comments.length);
      this.featuredList.replaceChildren(...comments.map((c) => this.item({ ...c, replies: [], more_replies: false }, 0, null, true)));
      this.selectTab(any && !this.tabChosen ? "featured" : any ? this.tab : "all");
    }

    selectTab(name, focus) {
      this.tab = name;
      for (const [key, tab, panel] of [["featured", this.featuredTab, this.featuredPanel], ["all", this.allTab, this.allPanel]]) {
        const on = key === name;
        tab.setAttribute("aria-selected", String(on));
        tab.tabIndex = on ? 0 : -1;
        panel.hidden = !on;
      }
      if (focus) (name === "featured" ? this.featuredTab : this.allTab).focus();
    }

    tabKey(event) {
      if (!["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) return;
      event.preventDefault();
      this.tabChosen = true;
      const next = event.key === "Home" ? "featured" : event.key === "End" ? "all" : this.tab === "featured" ? "all" : "featured";
      this.selectTab(next, true);
    }

    async fetchFeatured() {
      try {
        const response = await call("GET", `${articlePath(this.site, this.article)}?featured=true&limit=${PAGE}`, { raw: true });
        // A taken-over thread's form token comes with the picks.
        this.formToken = this.formToken || response.headers.get("X-Form-Token");
        return (await response.json()).comments || [];
      } catch (_) {
        return []; // the thread is what matters; the picks are a bonus
      }
    }

    /* ---- permalinks: #comment-ID ---- */

    async revealHash() {
      const match = /^#comment-(\d+)$/.exec(location.hash);
      if (!match || !this.loaded) return;
      const id = `comment-${match[1]}`;
      if (this.tablist.hidden === false) this.selectTab("all");
      let target = this.root.getElementById(id);
      for (let page = 0; !target && this.nextCursor && page < PERMALINK_PAGES; page += 1) {
        try {
          await this.loadMore();
        } catch (_) {
          break;
        }
        target = this.root.getElementById(id);
      }
      if (!target) return;
      for (const old of this.root.querySelectorAll(".highlight")) old.classList.remove("highlight");
      target.classList.add("highlight");
      const article = target.querySelector("article");
      article.setAttribute("tabindex", "-1");
      article.scrollIntoView({ block: "center" });
      article.focus({ preventScroll: true });
    }

    /* ---- reactions ---- */

    reactedIds() {
      return new Set(storage(REACTED_KEY + this.site, []));
    }

    setReacted(id, reacted) {
      const ids = this.reactedIds();
      if (reacted) ids.add(id);
      else ids.delete(id);
      store(REACTED_KEY + this.site, [...ids].slice(-2000));
    }

    reactionButton(comment) {
      return el("button", {
        type: "button", class: "react", "data-react": comment.id,
        "aria-pressed": String(this.reactedIds().has(comment.id)),
        onclick: () => this.toggleReaction(comment.id),
      }, el("span", { text: this.siteInfo.reaction_label }), el("span", { class: "count", text: String(comment.reactions || 0) }));
    }

    async toggleReaction(id) {
      if (this.reacting.has(id)) return;
      this.reacting.add(id);
      const give = !this.reactedIds().has(id);
      try {
        let count = null;
        try {
          count = (await call(give ? "POST" : "DELETE", `/comments/${id}/reactions`, { headers: this.identity() })).reactions;
        } catch (error) {
          // Already so at the service (from another tab, or storage forgotten): so be it here.
          const already = error instanceof ApiError && (give ? error.code === "already_reacted" : error.status === 404);
          if (!already) throw error;
        }
        this.setReacted(id, give);
        for (const button of this.root.querySelectorAll(`button[data-react="${id}"]`)) {
          button.setAttribute("aria-pressed", String(give));
          if (count !== null) button.querySelector(".count").textContent = String(count);
        }
      } catch (error) {
        if (error instanceof ApiError && error.code === "sign_in_required") this.requireSignIn(error);
        if (error instanceof ApiError && error.code === "invalid_reader_token") {
          this.forgetToken();
          this.renderForm();
        }
        this.notice.textContent = this.say(error);
      } finally {
        this.reacting.delete(id);
      }
    }

    announce(message) {
      this.status.textContent = "";
      // A separate task, so screen readers hear the same message twice in a row.
      setTimeout(() => { this.status.textContent = message; }, 50);
    }

    async load() {
      this.notice.textContent = "";
      const first = !this.loaded;
      const reader = first ? this.fetchReader() : null;
      const featured = first ? this.fetchFeatured() : null;
      // Listening starts before the thread is read, so nothing approved in between is missed.
      if (first) this.listen();
      const served = this.served;
      let data = served;
      this.served = null;
      if (served) {
        // Drawn in the task that hid the server's markup: no flash.
        this.sort = this.sortSelect.value = served.sort;
        reader.then(() => this.token && this.renderForm());
      } else try {
        const response = await call("GET", `${articlePath(this.site, this.article)}?sort=${this.sort}&limit=${PAGE}`, { raw: true });
        this.formToken = response.headers.get("X-Form-Token") || this.formToken;
        data = await response.json();
        if (!response.ok) throw new ApiError(response.status, data.error);
      } catch (error) {
        this.showLoadError(error);
        return;
      }
      if (!served) await reader;
      this.theme();
      this.list.replaceChildren();
      this.shown.clear();
      this.loaded = true;
      this.render(data);
      if (featured) this.setFeatured(await featured);
      this.whySlot.replaceChildren();
      await this.showOwnPending();
      // Empty: no public comment, none of the reader's own.
      if (!this.list.children.length && !this.closed && !this.notice.textContent) this.notice.textContent = this.t.empty;
      if (first) await this.revealHash();
      if (this.arrived) this.countArrived();
    }

    /* ---- live updates ---- */

    /* Comments approved while the page is open arrive over Server-Sent Events (the browser
       reconnects by itself, naming the last event it had). They are counted in a button and
       shown on its click: nothing moves under the reader's eyes. */
    listen() {
      if (typeof EventSource === "undefined") return;
      this.arrived = new Map();
      this.freshButton = el("button", { type: "button", class: "fresh", hidden: true, onclick: () => this.showArrived() });
      this.allPanel.prepend(this.freshButton);
      const source = new EventSource(API + articlePath(this.site, this.article).replace(/comments$/, "events"));
      source.addEventListener("comment", (event) => this.arrive(JSON.parse(event.data)));
      source.addEventListener("removed", (event) => this.takeDown(JSON.parse(event.data).id));
      source.addEventListener("reset", () => { this.stale = true; this.countArrived(); });
    }

    arrive(comment) {
      if (this.shown.has(comment.id)) {
        // The reader's own comment, shown to them while it waited: now it is public.
        this.root.querySelector(`#comment-${comment.id} .pending`)?.remove();
        return;
      }
      this.arrived.set(comment.id, comment);
      this.countArrived();
    }

    countArrived() {
      for (const id of this.arrived.keys()) if (this.shown.has(id)) this.arrived.delete(id);
      const n = this.arrived.size;
      this.freshButton.hidden = !n && !this.stale;
      this.freshButton.textContent = plural(this.lang, this.t.fresh, Math.max(n, 1));
    }

    showArrived() {
      if (this.stale) {
        this.stale = false;
        this.arrived.clear();
        this.countArrived();
        this.load();
        return;
      }
      let added = 0;
      for (const comment of [...this.arrived.values()].sort((a, b) => a.id - b.id)) {
        if (this.shown.has(comment.id)) continue;
        const parent = comment.parent_id && this.root.getElementById(`comment-${comment.parent_id}`);
        if (comment.parent_id && !parent) continue; // a reply on a page not loaded: shown with it
        const li = this.item(comment, comment.depth);
        if (parent) parent.querySelector(":scope > ol").append(li);
        else if (this.sort === "newest") this.list.prepend(li);
        else this.list.append(li);
        added += 1;
      }
      this.arrived.clear();
      this.countArrived();
      this.total += added;
      this.section.setAttribute("aria-label", this.heading.textContent = this.count(this.total));
      if (added && this.notice.textContent === this.t.empty) this.notice.textContent = "";
    }

    takeDown(id) {
      this.arrived.delete(id);
      this.countArrived();
      const li = this.root.getElementById(`comment-${id}`);
      if (!li || li.dataset.removed) return;
      li.dataset.removed = "1";
      li.querySelector(".body").replaceChildren(el("p", { class: "muted", text: this.t.removed }));
      li.querySelector(".actions").replaceChildren();
    }

    showLoadError(error) {
      const retry = el("button", { type: "button", class: "link", text: this.t.retry, onclick: () => this.load() });
      const message = error instanceof ApiError ? this.say(error) : this.t.loadError;
      this.notice.replaceChildren(document.createTextNode(message + " "), retry);
    }

    render(data) {
      this.total = data.total;
      this.section.setAttribute("aria-label", this.heading.textContent = this.count(data.total));
      this.closed = data.article.closed;
      if (data.site) this.siteInfo = data.site;
      // The form is drawn again only when what it depends on changed: a draft is not lost.
      const formKey = JSON.stringify([this.closed, this.siteInfo.commenters, this.siteInfo.login_url]);
      if (formKey !== this.formKey || !this.formSlot.firstChild) {
        this.formKey = formKey;
        this.renderForm();
      }
      for (const comment of data.comments) this.list.append(this.item(comment, 0));
      this.setMore(data.next_cursor);
    }

    /* The next page of the thread, once at a time. */
    loadMore() {
      if (!this.moreLoading) {
        const cursor = this.nextCursor;
        this.moreLoading = (async () => {
          const data = await call("GET", `${articlePath(this.site, this.article)}?sort=${this.sort}&limit=${PAGE}&cursor=${encodeURIComponent(cursor)}`);
          for (const comment of data.comments) if (!this.shown.has(comment.id)) this.list.append(this.item(comment, 0));
          this.setMore(data.next_cursor);
        })().finally(() => { this.moreLoading = null; });
      }
      return this.moreLoading;
    }

    setMore(cursor) {
      this.nextCursor = cursor;
      if (!cursor) {
        this.moreSlot.replaceChildren();
        return;
      }
      const button = el("button", {
        type: "button",
        text: this.t.more,
        onclick: async () => {
          button.disabled = true;
          try {
            await this.loadMore();
          } catch (error) {
            button.disabled = false;
            this.notice.textContent = this.say(error);
          }
        },
      });
      this.moreSlot.replaceChildren(button);
    }

    /* One comment and its replies. Indentation stops at MAX_INDENT; deeper replies line up. */
    /* `featured`: a copy in the Featured tab, standing alone; the thread's own is #comment-ID. */
    item(comment, depth, own, featured) {
      if (!featured) this.shown.add(comment.id);
      const li = el("li", { class: "c" + (depth >= MAX_INDENT ? " flat" : ""), id: `${featured ? "featured" : "comment"}-${comment.id}`, "data-id": comment.id });
      const time = el("time", { datetime: comment.created_at, title: new Date(comment.created_at).toLocaleString(this.lang), text: relativeTime(comment.created_at, this.lang) });
      const meta = el("div", { class: "meta" }, el("span", { class: "author", dir: "auto", text: comment.author_name }),
        ...this.badges(comment.staff, comment.badges), time);
      if (comment.featured) meta.append(el("span", { class: "badge featured", text: this.t.featured }));
      if (comment.edited_at) meta.append(el("span", { class: "muted", text: `(${this.t.editedMark})` }));
      const body = el("div", { class: "body", dir: "auto" });
      if (comment.nodes) body.append(...comment.nodes); // the server's markup of it, moved
      else body.innerHTML = comment.html; // sanitized by the service on write: the one trusted sink
      const actions = el("div", { class: "actions" });
      const article = el("article", { "aria-label": `${comment.author_name}, ${time.textContent}` }, identicon(comment.avatar), meta, body, actions);
      li.append(article);
      const published = !own || own.status === "approved" || own.status === "published";
      if (published) actions.append(this.reactionButton(comment));
      const token = ownToken(comment.id);
      if (!featured && (own || token)) this.markOwn(li, comment, own);
      if (!this.closed && !own && !featured) {
        actions.append(el("button", { type: "button", class: "link", text: this.t.reply, "aria-label": this.t.replyTo(comment.author_name), onclick: () => this.openReply(li, comment) }));
      }
      if (!own) actions.append(el("button", { type: "button", class: "link", text: this.t.report, onclick: () => this.openReport(li, comment) }));
      if (published) {
        const href = `#comment-${comment.id}`;
        actions.append(el("a", {
          class: "permalink", href, text: this.t.link, "aria-label": this.t.linkTo(comment.author_name),
          // The same address again fires no hashchange: show the comment all the same.
          onclick: () => { if (location.hash === href) this.revealHash(); },
        }));
      }
      const replies = el("ol");
      for (const reply of comment.replies || []) replies.append(this.item(reply, depth + 1));
      li.append(replies);
      if (comment.more_replies) li.append(this.moreReplies(comment.id, replies, depth + 1));
      return li;
    }

    moreReplies(rootId, replies, depth) {
      let cursor = null;
      const button = el("button", {
        type: "button", class: "link", text: this.t.moreReplies,
        onclick: async () => {
          const query = `?replies_to=${rootId}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
          const data = await call("GET", articlePath(this.site, this.article) + query);
          for (const reply of data.comments) if (!this.shown.has(reply.id)) replies.append(this.item(reply, depth));
          cursor = data.next_cursor;
          if (!cursor) button.remove();
        },
      });
      return button;
    }

    markOwn(li, comment, own) {
      const meta = li.querySelector(".meta");
      meta.append(el("span", { class: "muted", text: `(${this.t.you})` }));
      if (own && own.status !== "approved" && own.status !== "published") {
        meta.after(el("p", { class: "pending", text: this.t.awaiting }));
      }
      const until = own ? own.editable_until : null;
      const entry = ownComments().find((o) => o.id === comment.id);
      const deadline = new Date(until || (entry && entry.until) || 0).getTime();
      if (deadline > Date.now()) {
        const actions = li.querySelector(".actions");
        actions.append(
          el("button", { type: "button", class: "link", text: this.t.edit, onclick: () => this.openEdit(li, comment, own) }),
          el("button", { type: "button", class: "link", text: this.t.del, onclick: () => this.remove(li, comment.id) }),
        );
      }
    }

    /* Comments this browser posted that the public thread does not show yet. */
    async showOwnPending() {
      const mine = ownComments().filter((o) => o.site === this.site && o.article === this.article && !this.shown.has(o.id));
      const found = await Promise.all(mine.map(async (entry) => {
        let data;
        try {
          data = await call("GET", `/comments/${entry.id}`, { headers: { "X-Edit-Token": entry.token } });
        } catch (error) {
          if (error instanceof ApiError && (error.status === 404 || error.status === 403)) forgetOwn(entry.id);
          return;
        }
        const comment = data.comment;
        const statement = comment.statement;
        if (statement) this.showWhy(entry, statement);
        if (comment.status === "rejected" || comment.status === "spam") {
          // Kept while the decision may be contested, or an appeal of it is open.
          const open = statement && (Date.parse(statement.appeal_until) > Date.now() || (statement.appeal && statement.appeal.status === "open"));
          if (open) rememberOwn({ ...entry, keep: statement.appeal_until });
          else forgetOwn(entry.id);
          // In the live region (role=alert); several such comments, one after the other.
          this.notice.textContent = [this.notice.textContent, this.notPublished(comment.decision)].filter(Boolean).join(" ");
          return;
        }
        if (comment.status === "approved" || comment.status === "published") return; // on a later page
        return comment;
      }));
      // In the thread's order (placeOwn puts each at the top for newest).
      const own = found.filter(Boolean).sort((a, b) => a.id - b.id);
      for (const comment of this.sort === "best" ? own.reverse() : own) this.placeOwn(comment);
    }

    /* Why the author's comment is not public, as text: the moderator's reason in words and their
       own words when they wrote some; the plain sentence when no moderator decided. */
    notPublished(decision) {
      if (!decision) return this.t.notPublished;
      const words = decision.reason && Object.prototype.hasOwnProperty.call(this.t.decisionReasons, decision.reason) ? this.t.decisionReasons[decision.reason] : null;
      const said = words ? this.t.notPublishedBecause(words) : this.t.notPublished;
      const explanation = typeof decision.explanation === "string" ? decision.explanation.trim() : "";
      return explanation ? `${said} ${this.t.moderatorWrote(explanation)}` : said;
    }

    /* The statement of reasons (DSA Art. 17) for the author: the facts, who decided, on what
       ground, and the appeal: to file until `appeal_until`, or where it stands. All as text. */
    showWhy(entry, statement) {
      const t = this.t, hid = `why-${entry.id}`;
      const p = (text, cls) => el("p", { class: cls || null, text });
      const box = el("section", { class: "box why", "aria-labelledby": hid }, el("h3", { id: hid, text: t.whyTitle }),
        p(String(statement.facts || "")), p(statement.automated ? t.byRules : t.byModerator, "muted"),
        p((statement.ground_kind === "law" ? t.legalGround : t.siteRule)(String(statement.ground || ""))));
      const appeal = statement.appeal;
      if (appeal && appeal.status === "open") box.append(p(t.appealOpen, "pending"));
      else if (appeal && appeal.status === "upheld") {
        box.append(p(t.appealUpheld));
        if (typeof appeal.outcome === "string" && appeal.outcome.trim()) box.append(p(t.moderatorWrote(appeal.outcome.trim())));
      }
      const until = new Date(statement.appeal_until);
      if (!appeal && until > Date.now()) {
        const contest = el("button", { type: "button", text: t.contest });
        box.append(p(t.contestUntil(until.toLocaleDateString(this.lang, { dateStyle: "long" }))), el("div", { class: "actions" }, contest));
        contest.addEventListener("click", () => {
          const aid = `a${entry.id}`;
          const text = el("textarea", { id: aid, name: "body", dir: "auto", required: true, maxlength: 2000, "aria-describedby": `${aid}-error` });
          const error = el("p", { class: "error", id: `${aid}-error` });
          const send = el("button", { type: "submit", class: "primary", text: t.sendAppeal });
          const form = el("form", { novalidate: true, "aria-label": t.contest },
            el("label", { for: aid, text: t.appealBody }), text, error, el("div", { class: "actions" }, send));
          form.addEventListener("submit", async (event) => {
            event.preventDefault();
            error.textContent = "";
            text.removeAttribute("aria-invalid");
            send.disabled = true;
            try {
              await call("POST", `/comments/${entry.id}/appeals`, { body: { body: text.value }, headers: { "X-Edit-Token": entry.token } });
              const done = p(t.appealSent, "pending");
              form.replaceWith(done);
              done.setAttribute("tabindex", "-1");
              done.focus();
              this.announce(t.appealSent);
            } catch (err) {
              error.textContent = this.say(err);
              text.setAttribute("aria-invalid", "true");
              text.focus();
            } finally {
              send.disabled = false;
            }
          });
          contest.parentNode.replaceWith(form);
          text.focus();
        });
      }
      this.whySlot.append(box);
    }

    placeOwn(comment) {
      const li = this.item({ ...comment, replies: [] }, comment.depth, comment);
      const parent = comment.parent_id && this.root.getElementById(`comment-${comment.parent_id}`);
      if (parent) parent.querySelector(":scope > ol").append(li);
      else if (this.sort === "newest") this.list.prepend(li);
      else this.list.append(li);
      return li;
    }

    /* The comment form, for a new comment (parent null) or a reply. */
    commentForm(parent, onDone) {
      const id = `f${parent ? parent.id : "top"}`;
      const name = el("input", { id: `${id}-name`, name: "author_name", dir: "auto", autocomplete: "name", required: true, maxlength: 100, value: storage(NAME_KEY, "") });
      const email = el("input", { id: `${id}-email`, name: "author_email", type: "email", autocomplete: "email", maxlength: 254 });
      const body = el("textarea", { id: `${id}-body`, name: "body", dir: "auto", required: true, maxlength: 5000 });
      // Invisible to people and screen readers; bots fill it in.
      const trap = el("div", { class: "trap", "aria-hidden": "true" },
        el("label", { for: `${id}-website`, text: this.t.website }),
        el("input", { id: `${id}-website`, name: "website", tabindex: "-1", autocomplete: "off" }));
      const errors = {};
      const field = (input, label) => {
        errors[input.name] = el("p", { class: "error", id: `${input.id}-error` });
        input.setAttribute("aria-describedby", errors[input.name].id);
        return el("div", { class: "field" }, el("label", { for: input.id, text: label }), input, errors[input.name]);
      };
      const formError = el("p", { class: "error", role: "alert" });
      const submit = el("button", { type: "submit", class: "primary", text: this.t.post });
      // A signed-in reader's name (and email) are the login's: no fields for them.
      const reader = this.token && this.reader && this.reader.name ? this.reader : null;
      const readerEmail = reader ? reader.email || tokenEmail(this.token) : null;
      // Mail notices, offered once there is an address to send them to. A guest's address is
      // confirmed by a mailed link first; a signed-in reader's is the login's (vouched for).
      const hint = reader ? null : el("p", { class: "muted", id: `${id}-notify-hint`, text: this.t.notifyHint });
      errors.notify = el("p", { class: "error", id: `${id}-notify-error` });
      const check = (value, label) => {
        const box = el("input", { type: "checkbox", id: `${id}-notify-${value}`, name: "notify", value,
          "aria-describedby": [hint && hint.id, reader ? errors.notify.id : null].filter(Boolean).join(" ") || null });
        return el("div", { class: "check" }, box, el("label", { for: box.id, text: label }));
      };
      // None at all for a reader whose login gave no address.
      const notify = reader && !readerEmail ? el("div") : el("div", { class: "notify field", hidden: true },
        check("replies", this.t.notifyReplies), check("decisions", this.t.notifyDecisions), hint, reader ? errors.notify : null);
      const mayNotify = () => Boolean(reader ? readerEmail : email.value.trim());
      const showNotify = () => { notify.hidden = !mayNotify(); };
      email.addEventListener("input", showNotify);
      showNotify();
      let guestNote = null;
      if (!this.token && this.siteInfo.commenters === "mixed") {
        const url = safeUrl(this.siteInfo.login_url);
        guestNote = el("p", { class: "muted" }, document.createTextNode(this.t.guestsReviewed),
          url ? document.createTextNode(" ") : null, url ? el("a", { href: url, text: this.t.signInShort }) : null);
      }
      let identity;
      if (reader) {
        identity = this.whoAmI();
      } else {
        // A refused `notify` (no address) is told by the email field, like the field's own errors.
        const emailField = field(email, this.t.email);
        emailField.append(errors.notify);
        email.setAttribute("aria-describedby", `${errors.author_email.id} ${errors.notify.id}`);
        identity = el("div", { class: "row" }, field(name, this.t.name), emailField);
      }
      const form = el("form", { novalidate: true, class: parent ? "reply" : null, "aria-label": parent ? this.t.replyTo(parent.author_name) : this.t.writeComment },
        identity, notify, guestNote, field(body, this.t.body), trap, formError, submit);
      if (parent) {
        form.append(el("button", { type: "button", class: "link", text: this.t.cancel, onclick: () => onDone && onDone() }));
      }
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        for (const p of Object.values(errors)) p.textContent = "";
        formError.textContent = "";
        submit.disabled = true;
        submit.textContent = this.t.posting;
        const payload = {
          body: body.value, author_name: reader ? reader.name.slice(0, 100) : name.value, author_email: reader ? null : email.value || null,
          parent_id: parent ? parent.id : null, article_url: this.articleUrl, article_title: this.articleTitle,
          form_token: this.formToken, website: form.querySelector('[name="website"]').value,
          notify: mayNotify() ? [...notify.querySelectorAll('input[name="notify"]:checked')].map((box) => box.value) : [],
          lang: this.lang,
        };
        try {
          const sending = request(form, payload, (before) =>
            ["body", "author_name", "author_email", "parent_id"].every((k) => before[k] === payload[k])
            && String(before.notify) === String(payload.notify));
          const data = await callOnce("POST", articlePath(this.site, this.article), sending.payload, sending.key, this.identity());
          form.pending = null;
          const comment = data.comment;
          if (!reader) store(NAME_KEY, name.value);
          rememberOwn({ id: comment.id, token: data.edit_token, site: this.site, article: this.article, until: comment.editable_until, at: Date.now() });
          body.value = "";
          this.notice.textContent = "";
          const li = this.placeOwn(comment);
          let message = comment.status === "pending" ? this.t.held : comment.status === "rejected" || comment.status === "spam" ? this.notPublished(comment.decision) : this.t.posted;
          if (data.notify) {
            // Said in the announcement and shown under the comment, where the reader looks.
            const mail = data.notify.confirmed ? this.t.willEmail : this.t.checkInbox;
            message = `${message} ${mail}`;
            li.querySelector("article").append(el("p", { class: "muted mail", text: mail }));
          }
          this.announce(message);
          if (onDone) onDone();
          li.querySelector("article").setAttribute("tabindex", "-1");
          li.querySelector("article").focus();
        } catch (error) {
          const message = this.say(error);
          if (error instanceof ApiError && (error.code === "sign_in_required" || error.code === "invalid_reader_token")) {
            // Kept for when the reader has signed in; the form gives way to the sign-in link.
            if (!parent) this.draft = body.value;
            if (error.code === "invalid_reader_token") this.forgetToken();
            if (error.code === "sign_in_required") this.requireSignIn(error);
            else this.renderForm();
            this.notice.textContent = message;
            this.announce(message);
            return;
          }
          // Every field at fault, each next to its field.
          const wrong = error instanceof ApiError ? error.fields.filter((f) => errors[f.field]) : [];
          for (const f of wrong) errors[f.field].textContent = f.message;
          // `notify` is told by the email field (a guest's); a reader's by the checkboxes.
          const target = (f) => f.field === "notify" ? (reader ? '[name="notify"]' : '[name="author_email"]') : `[name="${f.field}"]`;
          if (wrong.length) form.querySelector(wrong.map(target).join()).focus();
          else formError.textContent = message;
          this.announce(message);
        } finally {
          submit.disabled = false;
          submit.textContent = this.t.post;
        }
      });
      return form;
    }

    openReply(li, comment) {
      if (!this.canPost()) {
        if (!li.querySelector(":scope > .signin")) li.querySelector("article").after(this.signInPrompt("div", "box signin"));
        li.querySelector(":scope > .signin a")?.focus();
        return;
      }
      const existing = li.querySelector(":scope > form");
      if (existing) { existing.querySelector("textarea").focus(); return; }
      const form = this.commentForm(comment, () => form.remove());
      li.querySelector("article").after(form);
      form.querySelector(storage(NAME_KEY, "") || !form.querySelector("input:not([tabindex])") ? "textarea" : "input").focus();
    }

    async openEdit(li, comment, own) {
      if (li.querySelector(":scope > form")) return;
      if (!own) {
        // A published comment of ours: its original text comes with the author's view.
        try {
          own = (await call("GET", `/comments/${comment.id}`, { headers: { "X-Edit-Token": ownToken(comment.id) } })).comment;
        } catch (error) {
          this.notice.textContent = this.say(error);
          return;
        }
      }
      const id = `e${comment.id}`;
      const text = el("textarea", { id, name: "body", dir: "auto", required: true, maxlength: 5000 });
      text.value = own.body_text;
      const error = el("p", { class: "error", role: "alert" });
      const form = el("form", { "aria-label": this.t.edit },
        el("label", { for: id, text: this.t.body }), text, error,
        el("div", { class: "actions" },
          el("button", { type: "submit", class: "primary", text: this.t.save }),
          el("button", { type: "button", class: "link", text: this.t.cancel, onclick: () => form.remove() })));
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        try {
          const data = await call("PATCH", `/comments/${comment.id}`, { body: { body: text.value }, headers: { "X-Edit-Token": ownToken(comment.id) } });
          const replacement = this.item({ ...data.comment, replies: [] }, data.comment.depth, data.comment);
          replacement.querySelector(":scope > ol").replaceWith(li.querySelector(":scope > ol"));
          li.replaceWith(replacement);
          this.announce(this.t.edited);
        } catch (err) {
          error.textContent = this.say(err);
        }
      });
      li.querySelector("article").after(form);
      text.focus();
    }

    async remove(li, id) {
      if (!window.confirm(this.t.confirmDelete)) return;
      try {
        await call("DELETE", `/comments/${id}`, { headers: { "X-Edit-Token": ownToken(id) } });
        forgetOwn(id);
        li.remove();
        this.announce(this.t.deleted);
      } catch (error) {
        this.notice.textContent = this.say(error);
      }
    }

    openReport(li, comment) {
      if (li.querySelector(":scope > .box")) return;
      const id = `r${comment.id}`, t = this.t;
      const errors = {};
      // A field, its label and its error, told by aria-describedby; `name` is the API's field.
      const field = (input, label, check) => {
        errors[input.name] = el("p", { class: "error", id: `${input.id}-error` });
        input.setAttribute("aria-describedby", errors[input.name].id);
        const text = el("label", { for: input.id, text: label });
        return el("div", { class: "field" }, ...(check ? [el("div", { class: "check" }, input, text)] : [text, input]), errors[input.name]);
      };
      const options = (entries) => [el("option", { value: "", text: "—" }), ...Object.entries(entries).map(([value, label]) => el("option", { value, text: label }))];
      // No reason chosen for the reader: one must be picked.
      const reason = el("select", { id: `${id}-reason`, name: "reason" }, ...options(t.reasons));
      const note = el("input", { id: `${id}-note`, name: "note", maxlength: 500 });
      // A notice of illegal content (DSA Art. 16): what it is, under which law, why, and who says so.
      const category = el("select", { id: `${id}-category`, name: "category", required: true }, ...options(t.categories));
      const law = el("input", { id: `${id}-law`, name: "law", required: true, maxlength: 300 });
      const why = el("textarea", { id: `${id}-why`, name: "explanation", dir: "auto", required: true, maxlength: 5000 });
      const name = el("input", { id: `${id}-name`, name: "notifier_name", autocomplete: "name", required: true, maxlength: 200, value: storage(NAME_KEY, "") });
      const email = el("input", { id: `${id}-email`, name: "notifier_email", type: "email", autocomplete: "email", required: true, maxlength: 254 });
      const faith = el("input", { id: `${id}-faith`, name: "good_faith", type: "checkbox", required: true });
      const nameField = field(name, t.yourName), emailField = field(email, t.yourEmail);
      const notice = el("div", { class: "field", hidden: true }, field(category, t.category), field(law, t.law), field(why, t.why),
        el("div", { class: "row" }, nameField, emailField), field(faith, t.goodFaith, true));
      const noteField = field(note, t.note);
      const error = el("p", { class: "error", role: "alert" });
      const illegal = () => reason.value === "illegal";
      // Name and email may be left out for child sexual abuse material only.
      const change = () => {
        notice.hidden = !illegal();
        noteField.hidden = illegal();
        const anonymous = category.value === "child_sexual_abuse";
        for (const [input, holder, label] of [[name, nameField, t.yourName], [email, emailField, t.yourEmail]]) {
          input.required = !anonymous;
          holder.querySelector("label").textContent = anonymous ? t.optional(label) : label;
        }
      };
      reason.addEventListener("change", change);
      category.addEventListener("change", change);
      const box = el("form", { class: "box", novalidate: true, "aria-label": t.reportTitle },
        field(reason, t.reason), noteField, notice, error,
        el("div", { class: "actions" },
          el("button", { type: "submit", class: "primary", text: t.send }),
          el("button", { type: "button", class: "link", text: t.cancel, onclick: () => box.remove() })));
      box.addEventListener("submit", async (event) => {
        event.preventDefault();
        for (const [key, p] of Object.entries(errors)) {
          p.textContent = "";
          box.querySelector(`[name="${key}"]`).removeAttribute("aria-invalid");
        }
        error.textContent = "";
        if (!reason.value) {
          errors.reason.textContent = t.choose;
          reason.setAttribute("aria-invalid", "true");
          return reason.focus();
        }
        try {
          const report = illegal()
            ? { reason: "illegal", category: category.value || null, law: law.value.trim() || null, explanation: why.value.trim() || null,
                notifier_name: name.value.trim() || null, notifier_email: email.value.trim() || null, good_faith: faith.checked, lang: this.lang }
            : { reason: reason.value, note: note.value || null };
          const sending = request(box, report, (before) => JSON.stringify(before) === JSON.stringify(report));
          const data = await callOnce("POST", `/comments/${comment.id}/flags`, sending.payload, sending.key);
          const said = data && data.receipt ? t.noticeReceived(data.receipt.id, data.receipt.email_sent) : t.reported;
          box.replaceChildren(el("p", { text: said }));
          this.announce(said);
        } catch (err) {
          const message = this.say(err);
          // Every field at fault, each next to its field; the first one focused.
          const wrong = err instanceof ApiError ? err.fields.filter((f) => errors[f.field]) : [];
          for (const f of wrong) {
            errors[f.field].textContent = f.message;
            box.querySelector(`[name="${f.field}"]`).setAttribute("aria-invalid", "true");
          }
          if (wrong.length) box.querySelector(`[name="${wrong[0].field}"]`).focus();
          else error.textContent = message;
          this.announce(message);
        }
      });
      li.querySelector("article").after(box);
      reason.focus();
    }
  }

  /* ---- counts for listing pages ----------------------------------------------------------- */

  const pendingCounts = new Set();
  let countTimer = null;

  function queueCounts(root) {
    const found = root.querySelectorAll ? root.querySelectorAll("[data-comment-count]:not([data-counted])") : [];
    for (const node of found) pendingCounts.add(node);
    if (root.matches && root.matches("[data-comment-count]:not([data-counted])")) pendingCounts.add(root);
    if (pendingCounts.size && !countTimer) countTimer = setTimeout(fetchCounts, 30);
  }

  async function fetchCounts() {
    countTimer = null;
    const nodes = [...pendingCounts];
    pendingCounts.clear();
    const fallbackSite = (document.querySelector("[data-site]:not([data-comment-count])") || script).dataset.site;
    const bySite = new Map();
    for (const node of nodes) {
      node.setAttribute("data-counted", "");
      const site = node.dataset.site || fallbackSite;
      if (!site) continue;
      if (!bySite.has(site)) bySite.set(site, []);
      bySite.get(site).push(node);
    }
    for (const [site, list] of bySite) {
      for (let i = 0; i < list.length; i += 100) {
        const chunk = list.slice(i, i + 100);
        const keys = [...new Set(chunk.map((n) => n.dataset.commentCount))];
        const query = keys.map((k) => `article=${encodeURIComponent(k)}`).join("&");
        const path = `/sites/${encodeURIComponent(site)}/counts`;
        try {
          // A GET is cached by the browser and CDNs; a list too long for an address goes in a POST.
          const data = query.length <= 1800
            ? await call("GET", `${path}?${query}`)
            : await call("POST", path, { body: { articles: keys } });
          for (const node of chunk) {
            const n = data.counts[node.dataset.commentCount] ?? 0, lang = language(node.dataset.lang);
            // With data-words, the words too ("1 comment"), in the page's language.
            node.textContent = "words" in node.dataset ? plural(lang, TEXT[lang].comments, n) : String(n);
          }
        } catch (_) { /* counts are decoration; leave the page as it is */ }
      }
    }
  }

  /* ---- start ------------------------------------------------------------------------------ */

  const widgets = [];

  /* For pages that sign readers in and out without reloading; see the top of this file. */
  window.ModerationComments = Object.freeze({
    signIn: (token) => Promise.all(widgets.map((w) => w.signIn(token))),
    signOut: () => Promise.all(widgets.map((w) => w.signOut())),
  });

  function start() {
    for (const host of document.querySelectorAll("[data-site]:not([data-comment-count])")) {
      if (host.shadowRoot) continue;
      const widget = new Widget(host);
      widgets.push(widget);
      // A link to one comment, or a thread already on the page: load now, on screen or not.
      if (widget.served || /^#comment-\d+$/.test(location.hash)) {
        widget.load();
      } else if ("IntersectionObserver" in window) {
        const observer = new IntersectionObserver((entries) => {
          if (entries.some((e) => e.isIntersecting)) {
            observer.disconnect();
            widget.load();
          }
        }, { rootMargin: "600px" });
        observer.observe(host);
      } else {
        widget.load();
      }
    }
    queueCounts(document);
    new MutationObserver((records) => {
      for (const record of records) for (const node of record.addedNodes) if (node.nodeType === 1) queueCounts(node);
    }).observe(document.documentElement, { childList: true, subtree: true });
    document.dispatchEvent(new CustomEvent("moderation:ready"));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
