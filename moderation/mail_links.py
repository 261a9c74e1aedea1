"""The pages behind the links in mails: confirming an address and unsubscribing.

A link only opens a page with one button; the button (a POST) does the thing. Mail scanners and
link previews fetch every URL in a mail, and must not confirm an address or unsubscribe anyone
by looking. A mail client's one-click unsubscribe (RFC 8058) POSTs ``List-Unsubscribe=One-Click``
to the same address and is answered at once.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request

from .db import db
from .models import MailSubscription, Site
from .outbox import subscriptions
from .outbox.subscriptions import BadLink, Link

bp = Blueprint("mail_links", __name__, url_prefix="/mail")

_WORDS = {
    "en": {
        "confirm_title": "Confirm your address",
        "confirm_ask": "Confirm that you want mails from {site} about your comments.",
        "confirm_button": "Confirm my address",
        "confirmed": "Thank you: your address is confirmed. You can close this page.",
        "unsubscribe_title": "Unsubscribe",
        "unsubscribe_ask": "Stop these mails ({lists})?",
        "unsubscribe_button": "Stop these mails",
        "unsubscribed": "Done: you will not get these mails any more.",
        "bad": "This link does not work",
    },
    "fr": {
        "confirm_title": "Confirmez votre adresse",
        "confirm_ask": "Confirmez que vous voulez recevoir des courriels de {site} sur vos "
        "commentaires.",
        "confirm_button": "Confirmer mon adresse",
        "confirmed": "Merci : votre adresse est confirmée. Vous pouvez fermer cette page.",
        "unsubscribe_title": "Se désabonner",
        "unsubscribe_ask": "Ne plus recevoir ces courriels ({lists}) ?",
        "unsubscribe_button": "Ne plus recevoir ces courriels",
        "unsubscribed": "C'est fait : vous ne recevrez plus ces courriels.",
        "bad": "Ce lien ne fonctionne pas",
    },
    "nl": {
        "confirm_title": "Bevestig uw adres",
        "confirm_ask": "Bevestig dat u e-mails van {site} over uw reacties wilt ontvangen.",
        "confirm_button": "Mijn adres bevestigen",
        "confirmed": "Dank u: uw adres is bevestigd. U kunt deze pagina sluiten.",
        "unsubscribe_title": "Afmelden",
        "unsubscribe_ask": "Deze e-mails ({lists}) niet meer ontvangen?",
        "unsubscribe_button": "Deze e-mails stoppen",
        "unsubscribed": "Gedaan: u ontvangt deze e-mails niet meer.",
        "bad": "Deze link werkt niet",
    },
    "de": {
        "confirm_title": "Bestätigen Sie Ihre Adresse",
        "confirm_ask": "Bestätigen Sie, dass Sie E-Mails von {site} zu Ihren Kommentaren "
        "erhalten möchten.",
        "confirm_button": "Meine Adresse bestätigen",
        "confirmed": "Danke: Ihre Adresse ist bestätigt. Sie können diese Seite schließen.",
        "unsubscribe_title": "Abmelden",
        "unsubscribe_ask": "Diese E-Mails ({lists}) nicht mehr erhalten?",
        "unsubscribe_button": "Diese E-Mails abbestellen",
        "unsubscribed": "Erledigt: Sie erhalten diese E-Mails nicht mehr.",
        "bad": "Dieser Link funktioniert nicht",
    },
}


def _page(lang: str, status: int = 200, **values: object) -> Response:
    words = _WORDS.get(lang, _WORDS["en"])
    html = render_template("mail_pages/page.html", lang=lang, words=words, **values)
    response = Response(html, status, mimetype="text/html")
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _link() -> tuple[Link | None, str]:
    token = request.args.get("token", "")
    try:
        return subscriptions.read(str(current_app.config["SECRET_KEY"]), token), ""
    except BadLink as exc:
        return None, str(exc)


def _lang(link: Link) -> str:
    if link.site_id is None or link.email is None:
        return "en"
    found = db.session.scalar(
        db.select(MailSubscription.lang).where(
            MailSubscription.site_id == link.site_id, MailSubscription.email == link.email
        )
    )
    return found or "en"


def _site_name(link: Link) -> str:
    site = db.session.get(Site, link.site_id) if link.site_id is not None else None
    return site.name if site else ""


@bp.route("/confirm", methods=["GET", "POST"])
def confirm() -> Response:
    """GET: the page with the button; POST: the address is confirmed."""
    link, problem = _link()
    if link is None or link.purpose != "confirm":
        return _page("en", 400, problem=problem or "This link is not valid.")
    lang = _lang(link)
    if request.method == "GET":
        return _page(lang, kind="confirm", site=_site_name(link), token=request.args["token"])
    try:
        subscriptions.confirm(db.session(), link)
    except BadLink as exc:
        db.session.rollback()
        return _page(lang, 400, problem=str(exc))
    db.session.commit()
    return _page(lang, kind="confirmed")


@bp.route("/unsubscribe", methods=["GET", "POST"])
def unsubscribe() -> Response:
    """GET: the page with the button; POST (the button, or a mail client's one click): done."""
    link, problem = _link()
    if link is None or link.purpose != "unsubscribe":
        return _page("en", 400, problem=problem or "This link is not valid.")
    lang = _lang(link)
    if request.method == "GET":
        return _page(
            lang, kind="unsubscribe", lists=", ".join(link.lists), token=request.args["token"]
        )
    try:
        subscriptions.unsubscribe(db.session(), link)
    except BadLink as exc:
        db.session.rollback()
        return _page(lang, 400, problem=str(exc))
    db.session.commit()
    return _page(lang, kind="unsubscribed")
