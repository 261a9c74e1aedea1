/* The demo page's stand-in for a publisher's login: it asks the demo service to sign a reader
 * in (as a publisher's own server would, with the site's SSO secret) and hands the token to the
 * widget with ModerationComments.signIn, as a page that signs in without a reload does. */
(function () {
  "use strict";
  const panel = document.getElementById("demo-login");
  if (!panel) return;
  const status = panel.querySelector("[data-status]");

  function widget() {
    if (window.ModerationComments) return Promise.resolve(window.ModerationComments);
    return new Promise(function (resolve) {
      document.addEventListener("moderation:ready", function () {
        resolve(window.ModerationComments);
      }, { once: true });
    });
  }

  function say(text) {
    status.textContent = text;
  }

  panel.addEventListener("click", function (event) {
    const button = event.target.closest("button");
    if (!button) return;
    const as = button.getAttribute("data-as");
    if (as === "out") {
      widget().then(function (w) { return w.signOut(); }).then(function () { say("Signed out."); });
      return;
    }
    fetch("/demo/sign-in?as=" + encodeURIComponent(as), { method: "POST" })
      .then(function (answer) {
        if (!answer.ok) throw new Error("the demo login answered " + answer.status);
        return answer.json();
      })
      .then(function (body) {
        return widget().then(function (w) { return w.signIn(body.token); });
      })
      .then(function () { say(as === "staff" ? "Signed in as staff." : "Signed in as a reader."); })
      .catch(function (error) { say("Could not sign in: " + error.message); });
  });
})();
