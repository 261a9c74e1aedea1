/* The moderators' dashboard, progressively enhanced.
 *
 * Every page works without this file: cards and the bulk bar are plain forms. With it, a decision
 * goes to /dashboard/api/decisions (session cookie + X-CSRF-Token header), the card leaves the
 * queue at once, and comes back with the server's message if the decision was not saved, so no
 * decision is ever lost silently. Keyboard shortcuts drive the queue; "?" lists them.
 */
(() => {
  "use strict";

  // Where each action leads, and the words for actions and statuses in the messages below.
  const TARGET = { approve: "approved", reject: "rejected", spam: "spam", restore: "pending" };
  const ALREADY = { approve: "approved", reject: "rejected", spam: "marked as spam", restore: "in the queue" };
  const DONE = { approve: "approved", reject: "rejected", spam: "marked as spam", restore: "restored" };
  const STATUS_WORDS = { spam: "marked as spam" };

  // Every string a person reads, in one table.
  const TEXT = {
    notSaved: (what, message) => `${what}: not saved. ${message}`,
    oneComment: (id) => `Comment ${id}`,
    manyComments: (n) => `${n} comments`,
    network: "The server could not be reached; nothing was saved. Check the connection and retry.",
    sessionEnded: "Your session has ended: sign in again (in another tab), then retry.",
    status: (code) => `The server answered ${code}.`,
    selected: (n) => `${n} selected`,
    selectFirst: "Select comments first: x, or the checkboxes.",
    // A decision the card does not offer, worded as the server words its refusals
    // (moderation/comments/decide.py): "Comment 12 is already approved.", "Comment 3 is
    // deleted; it cannot be approved."
    notAllowed: (id, action, status) =>
      status === TARGET[action]
        ? `Comment ${id} is already ${ALREADY[action] ?? action}.`
        : `Comment ${id} is ${STATUS_WORDS[status] ?? status}; it cannot be ${DONE[action] ?? action}.`,
    notFeaturable: (id, status) =>
      `Comment ${id} is ${STATUS_WORDS[status] ?? status}; it cannot be featured.`,
    copied: "Copied.",
    copyFailed: "Copying failed: select the text and copy it by hand.",
    loading: "Loading the next comments…",
    reloadFailed: "The next comments could not be loaded: reload the page.",
    shortcutsOff: "(turned off)",
    fresh: (n) => (n === 1 ? "1 new comment: show it" : `${n} new comments: show them`),
    decidedElsewhere: (id, status) => `Comment ${id} was just ${STATUS_WORDS[status] ?? status} by someone else.`,
  };

  const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";
  const announcer = document.getElementById("announce");
  const list = document.getElementById("cards");
  const bulk = document.getElementById("bulk");
  const view = list?.dataset.view ?? "";
  const inQueue = list !== null && !["search", "single"].includes(view);

  function announce(message) {
    if (announcer) announcer.textContent = message;
  }

  // --- A visible alert at the top of the page, for what must not go unnoticed ---------------

  let alertBox = null;

  function showAlert(message) {
    if (!alertBox) {
      alertBox = document.createElement("p");
      alertBox.className = "flash flash-error";
      alertBox.id = "dashboard-alert";
      alertBox.setAttribute("role", "alert");
      document.getElementById("main")?.prepend(alertBox);
    }
    alertBox.textContent = message;
    alertBox.hidden = false;
  }

  function clearAlert() {
    if (alertBox) alertBox.hidden = true;
  }

  // --- Small page helpers: auto-submitting filters, confirmations, copy buttons ---------------

  for (const select of document.querySelectorAll("select.autosubmit")) {
    select.addEventListener("change", () => select.form?.requestSubmit());
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  for (const button of document.querySelectorAll("button.copy")) {
    button.addEventListener("click", async () => {
      const source = document.getElementById(button.dataset.copy ?? "");
      if (!source) return;
      try {
        await navigator.clipboard.writeText(source.textContent ?? "");
        announce(TEXT.copied);
        button.dataset.copied = "true";
      } catch {
        const range = document.createRange();
        range.selectNodeContents(source);
        const selection = window.getSelection();
        selection?.removeAllRanges();
        selection?.addRange(range);
        announce(TEXT.copyFailed);
      }
    });
  }

  const help = document.getElementById("shortcuts");

  // Single-key shortcuts can be turned off (WCAG 2.1.4): speech input and screen readers may
  // send letters a moderator did not mean as commands. The choice is kept in this browser.
  const SHORTCUTS_KEY = "moderation.dashboard.shortcuts";
  const shortcutsToggle = document.getElementById("shortcuts-on");
  const shortcutsState = document.getElementById("shortcuts-state");
  let shortcutsOn = window.localStorage?.getItem(SHORTCUTS_KEY) !== "off";

  function showShortcutsState() {
    if (shortcutsToggle) shortcutsToggle.checked = shortcutsOn;
    if (shortcutsState) shortcutsState.textContent = shortcutsOn ? "" : TEXT.shortcutsOff;
  }

  shortcutsToggle?.addEventListener("change", () => {
    shortcutsOn = shortcutsToggle.checked;
    try {
      window.localStorage?.setItem(SHORTCUTS_KEY, shortcutsOn ? "on" : "off");
    } catch {
      // Storage refused (private mode): the choice holds for this page.
    }
    showShortcutsState();
  });
  for (const hint of document.querySelectorAll(".shortcuts-hint")) hint.hidden = false;
  document.getElementById("shortcuts-open")?.addEventListener("click", () => help?.showModal());
  showShortcutsState();

  // A key press meant for the page, not typed into a field or a dialog.
  function isShortcut(event) {
    if (event.defaultPrevented || event.isComposing || !shortcutsOn) return false;
    if (event.ctrlKey || event.metaKey || event.altKey) return false;
    if (document.querySelector("dialog[open]")) return false;
    return !event.target.closest?.("input, textarea, select, [contenteditable]");
  }

  // --- Search: "/" from any page puts the cursor in the search box -----------------------------

  // The search page opened by "/" (its address ends in #q) or with nothing searched yet is there
  // to type into: its box takes the focus.
  const searchBox = document.getElementById("q");

  function focusSearch() {
    if (!searchBox) return false;
    searchBox.focus();
    searchBox.select();
    return true;
  }

  if (searchBox && (location.hash === "#q" || !searchBox.value)) {
    focusSearch();
    if (location.hash === "#q") history.replaceState(history.state, "", location.pathname + location.search);
  }

  document.addEventListener("keydown", (event) => {
    if (event.key !== "/" || !isShortcut(event)) return;
    event.preventDefault();
    if (focusSearch()) return;
    const link = document.querySelector('.main-nav a[href$="/dashboard/search"]');
    const url = new URL(link?.href ?? "search", location.href);
    url.hash = "q";
    window.location.assign(url.href);
  });

  if (!list) return;

  // --- Cards and the current one ---------------------------------------------------------------

  const allCards = () => Array.from(list.querySelectorAll(".card"));
  const visibleCards = () => allCards().filter((card) => !card.hidden);
  let current = null;
  // Comments decided (or being decided) on this page: never shown again by a refill.
  const decided = new Set();
  let inFlight = 0;

  function setCurrent(card, focus = true) {
    if (current && current !== card) {
      current.classList.remove("current");
      current.removeAttribute("aria-current");
    }
    current = card;
    if (!card) return;
    card.classList.add("current");
    card.setAttribute("aria-current", "true");
    if (focus) {
      card.focus({ preventScroll: true });
      card.scrollIntoView({ block: "nearest" });
    }
  }

  function move(step) {
    const cards = visibleCards();
    if (!cards.length) return;
    const index = cards.indexOf(current);
    const next = index < 0 ? 0 : Math.min(Math.max(index + step, 0), cards.length - 1);
    setCurrent(cards[next]);
  }

  // The card to work on next once `leaving` go: the first visible one after them, else before.
  function nextAfter(leaving) {
    const cards = allCards();
    const stays = (card) => !card.hidden && !leaving.includes(card);
    const last = Math.max(...leaving.map((card) => cards.indexOf(card)));
    const first = Math.min(...leaving.map((card) => cards.indexOf(card)));
    return (
      cards.slice(last + 1).find(stays) ?? cards.slice(0, first).reverse().find(stays) ?? null
    );
  }

  list.addEventListener("focusin", (event) => {
    const card = event.target.closest(".card");
    if (card && card !== current) setCurrent(card, false);
  });
  list.addEventListener("click", (event) => {
    const card = event.target.closest(".card");
    if (card && card !== current) setCurrent(card, false);
  });

  function actionsOf(card) {
    return Array.from(card.querySelectorAll('form.decide button[name="action"]')).map(
      (button) => button.value,
    );
  }

  function showError(card, message) {
    const box = card.querySelector(".card-error");
    card.classList.add("has-error");
    if (box) {
      box.textContent = message;
      box.hidden = false;
    }
  }

  function clearError(card) {
    const box = card.querySelector(".card-error");
    card.classList.remove("has-error");
    if (box) {
      box.textContent = "";
      box.hidden = true;
    }
  }

  // --- Selection -----------------------------------------------------------------------------

  const selectAll = document.getElementById("select-all");
  const selectedCount = document.getElementById("selected-count");

  const checkboxOf = (card) => card.querySelector("input.select");
  const selectedCards = () => visibleCards().filter((card) => checkboxOf(card)?.checked);

  function updateSelection() {
    const cards = visibleCards();
    const chosen = selectedCards();
    for (const card of cards) card.classList.toggle("selected", Boolean(checkboxOf(card)?.checked));
    if (selectedCount) selectedCount.textContent = TEXT.selected(chosen.length);
    bulk?.classList.toggle("active", chosen.length > 0);
    if (selectAll) {
      selectAll.checked = cards.length > 0 && chosen.length === cards.length;
      selectAll.indeterminate = chosen.length > 0 && chosen.length < cards.length;
    }
  }

  function toggle(card) {
    const box = card && checkboxOf(card);
    if (!box) return;
    box.checked = !box.checked;
    updateSelection();
  }

  function selectAllOrNone(on) {
    const cards = visibleCards();
    const value = on ?? !cards.every((card) => checkboxOf(card)?.checked);
    for (const card of cards) {
      const box = checkboxOf(card);
      if (box) box.checked = value;
    }
    updateSelection();
  }

  list.addEventListener("change", (event) => {
    if (event.target.matches("input.select")) updateSelection();
  });
  selectAll?.addEventListener("change", () => selectAllOrNone(selectAll.checked));

  // --- Decisions -----------------------------------------------------------------------------

  async function send(ids, action, reason, explanation) {
    // The body is the API's own decision; the page's filters (for the tab counts) go in the query.
    const body = { ids, action };
    if (reason && (action === "reject" || action === "spam")) body.reason = reason;
    if (explanation) body.explanation = explanation;
    const url = new URL(document.body.dataset.decideUrl, location.href);
    if (list.dataset.site) url.searchParams.set("site", list.dataset.site);
    if (list.dataset.article) url.searchParams.set("article", list.dataset.article);
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRF-Token": csrf,
        },
        body: JSON.stringify(body),
      });
    } catch {
      throw new Error(TEXT.network);
    }
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    if (!response.ok) {
      if (response.status === 401) throw new Error(TEXT.sessionEnded);
      throw new Error(data?.error?.message ?? TEXT.status(response.status));
    }
    return data;
  }

  // The log position of the counts shown: older answers arriving late must not undo newer ones.
  let countsAsOf = -1;

  function updateCounts(counts, asOf = null) {
    if (!counts) return;
    if (asOf !== null) {
      if (asOf < countsAsOf) return;
      countsAsOf = asOf;
    }
    for (const badge of document.querySelectorAll("[data-count-for]")) {
      const value = counts[badge.dataset.countFor];
      if (value !== undefined) badge.textContent = String(value);
    }
    if (inQueue && counts[view] !== undefined) {
      document.title = document.title.replace(/\(\d+\)/, `(${counts[view]})`);
    }
  }

  function showEmpty() {
    const empty = document.getElementById("queue-empty");
    const nothing = visibleCards().length === 0;
    if (empty) empty.hidden = !nothing;
    if (bulk) bulk.hidden = nothing;
  }

  // Featuring an approved comment, or unfeaturing any, leaves it in its tab: its card stays,
  // redrawn, instead of leaving the queue.
  const FEATURING = ["feature", "unfeature"];
  const staysInView = (action) =>
    FEATURING.includes(action) && (view === "approved" || action === "unfeature");

  async function decide(cards, action, reason = null, explanation = null) {
    cards = cards.filter((card) => !card.dataset.busy);
    if (!cards.length) return;
    const refused = cards.find((card) => !actionsOf(card).includes(action));
    if (refused) {
      showAlert(TEXT.notAllowed(refused.dataset.id, action, refused.dataset.status));
      return;
    }
    const ids = cards.map((card) => Number(card.dataset.id));
    const wasCurrent = cards.includes(current);
    const what = cards.length === 1 ? TEXT.oneComment(ids[0]) : TEXT.manyComments(cards.length);
    const leaves = inQueue && !staysInView(action);
    for (const card of cards) {
      card.dataset.busy = "true";
      clearError(card);
      decided.add(card.dataset.id);
      if (leaves) card.hidden = true;
    }
    if (leaves) {
      if (wasCurrent) setCurrent(nextAfter(cards));
      updateSelection();
      showEmpty();
    }
    inFlight += 1;
    try {
      const data = await send(ids, action, reason, explanation);
      clearAlert();
      announce(data.message ?? "");
      updateCounts(data.counts, data.as_of ?? null);
      if (leaves) {
        for (const card of cards) card.remove();
      } else {
        await refreshCards(cards);
      }
    } catch (error) {
      for (const card of cards) {
        decided.delete(card.dataset.id);
        delete card.dataset.busy;
        card.hidden = false;
        showError(card, error.message);
      }
      showAlert(TEXT.notSaved(what, error.message));
      updateSelection();
      showEmpty();
      if (!current) setCurrent(cards[0]);
    } finally {
      inFlight -= 1;
      if (leaves && inFlight === 0 && visibleCards().length === 0) refill();
    }
  }

  // Outside the queue (search, one comment), a decided card stays, redrawn in its new status.
  async function refreshCards(cards) {
    const page = await fetchPage();
    for (const card of cards) {
      delete card.dataset.busy;
      decided.delete(card.dataset.id);
      const fresh = page?.getElementById(card.id);
      if (fresh) {
        const copy = document.importNode(fresh, true);
        card.replaceWith(copy);
        if (current === card) setCurrent(copy);
      }
    }
  }

  async function fetchPage() {
    try {
      const response = await fetch(window.location.href, {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      });
      if (!response.ok) return null;
      return new DOMParser().parseFromString(await response.text(), "text/html");
    } catch {
      return null;
    }
  }

  // The page is cleared: bring in the next comments of this view without reloading the page.
  let refilling = false;
  async function refill() {
    if (refilling) return;
    refilling = true;
    announce(TEXT.loading);
    const page = await fetchPage();
    refilling = false;
    if (!page) {
      showAlert(TEXT.reloadFailed);
      return;
    }
    for (const fresh of page.querySelectorAll("#cards .card")) {
      if (!decided.has(fresh.dataset.id) && !document.getElementById(fresh.id)) {
        list.append(document.importNode(fresh, true));
      }
    }
    const counts = {};
    for (const badge of page.querySelectorAll("[data-count-for]")) {
      counts[badge.dataset.countFor] = Number(badge.textContent);
    }
    updateCounts(counts);
    const pager = document.querySelector(".pager");
    const freshPager = page.querySelector(".pager");
    if (pager && freshPager) pager.replaceWith(document.importNode(freshPager, true));
    else if (pager) pager.remove();
    updateSelection();
    showEmpty();
    const first = visibleCards()[0];
    if (first) setCurrent(first);
    announce(first ? "" : document.getElementById("queue-empty")?.textContent ?? "");
  }

  function rejectFields(panel) {
    return {
      reason: panel.querySelector(".reason")?.value ?? null,
      explanation: panel.querySelector(".explanation")?.value.trim() || null,
    };
  }

  // Plain form submissions (buttons clicked, Enter in a field) go through fetch too.
  list.addEventListener("submit", (event) => {
    const form = event.target.closest("form.decide");
    if (!form) return;
    event.preventDefault();
    const action = event.submitter?.value;
    const card = form.closest(".card");
    if (!action || !card) return;
    if (action === "reject") {
      const { reason, explanation } = rejectFields(form);
      decide([card], action, reason, explanation);
    } else {
      decide([card], action);
    }
  });

  function decideSelection(action) {
    const chosen = selectedCards();
    if (!chosen.length) {
      showAlert(TEXT.selectFirst);
      return;
    }
    if (action === "reject") {
      const panel = bulk?.querySelector(".bulk-reject");
      if (!panel) return;
      const { reason, explanation } = rejectFields(panel);
      const textarea = panel.querySelector(".explanation");
      if (textarea) textarea.value = "";
      decide(chosen, action, reason, explanation);
    } else {
      decide(chosen, action);
    }
  }

  bulk?.addEventListener("submit", (event) => {
    event.preventDefault();
    const action = event.submitter?.value;
    if (action) decideSelection(action);
  });

  // --- Rejecting from the keyboard: r opens the reasons, 1-6 pick, Enter confirms ------------

  function openReject(card) {
    const details = card?.querySelector("details.reject");
    if (!details) {
      if (card) showAlert(TEXT.notAllowed(card.dataset.id, "reject", card.dataset.status));
      return;
    }
    details.open = true;
    details.querySelector(".reason")?.focus();
  }

  function openBulkReject() {
    if (!selectedCards().length) {
      showAlert(TEXT.selectFirst);
      return;
    }
    const select = bulk?.querySelector(".bulk-reject .reason");
    select?.scrollIntoView({ block: "nearest" });
    select?.focus();
  }

  function rejectPanelKeys(event) {
    const panel = event.target.closest(".reject-fields");
    if (!panel) return false;
    const select = panel.querySelector(".reason");
    const card = panel.closest(".card");
    if (event.key === "Escape") {
      event.preventDefault();
      const details = panel.closest("details");
      if (details) details.open = false;
      if (card) setCurrent(card);
      else current?.focus();
      return true;
    }
    if (event.target === select && /^[1-9]$/.test(event.key) && !event.ctrlKey && !event.metaKey) {
      const index = Number(event.key) - 1;
      if (index < select.options.length) select.selectedIndex = index;
      event.preventDefault();
      return true;
    }
    const confirmKey =
      event.key === "Enter" &&
      (event.target === select ||
        (event.target.tagName === "TEXTAREA" && (event.ctrlKey || event.metaKey)));
    if (confirmKey) {
      event.preventDefault();
      if (card) {
        const { reason, explanation } = rejectFields(panel);
        decide([card], "reject", reason, explanation);
      } else {
        decideSelection("reject");
      }
      return true;
    }
    return false;
  }

  // --- The shortcuts -------------------------------------------------------------------------

  const single = { a: "approve", s: "spam", u: "restore" };

  // f: feature the current comment, or unfeature it if it is featured (whichever it offers).
  function toggleFeatured(card) {
    if (!card) return;
    const action = actionsOf(card).find((a) => FEATURING.includes(a));
    if (action) decide([card], action);
    else showAlert(TEXT.notFeaturable(card.dataset.id, card.dataset.status));
  }
  const onSelection = { A: "approve", S: "spam", U: "restore" };

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.isComposing) return;
    if (rejectPanelKeys(event)) return; // keys of a focused panel, whatever the setting
    if (!isShortcut(event)) return;
    const key = event.key;
    let handled = true;
    if (key === "j" || key === "ArrowDown") move(+1);
    else if (key === "k" || key === "ArrowUp") move(-1);
    else if (key in single) {
      if (current) decide([current], single[key]);
    } else if (key in onSelection) decideSelection(onSelection[key]);
    else if (key === "f") toggleFeatured(current);
    else if (key === "r") openReject(current);
    else if (key === "R") openBulkReject();
    else if (key === "x") toggle(current);
    else if (key === "X") selectAllOrNone();
    else if (key === "o") {
      const original = current?.querySelector("details.original");
      if (original) original.open = !original.open;
    } else if (key === "b") {
      // The author's panel: ban, suspend, pre-moderate, trust. Focus lands on the first
      // choice of how long, so arrows pick the preset and Tab reaches the button.
      const panel = current?.querySelector("details[data-author-measures]");
      if (panel) {
        panel.open = true;
        panel.querySelector("input[name=duration]:checked")?.focus();
      }
    } else if (key === "?") help?.showModal();
    else handled = false;
    if (handled) event.preventDefault();
  });

  // --- Live changes ---------------------------------------------------------------------------

  // The queue as others change it, over Server-Sent Events: a comment decided elsewhere leaves
  // this page (no one decides it twice), and new ones are counted in a button that brings them
  // in, so the card being read never moves.
  // The events that bring a comment into each tab, and the status it must have there.
  const FRESH_IN = {
    pending: { queued: "pending" },
    unreviewed: { queued: "published" },
    flagged: { flagged: null },
  };
  const freshButton = document.getElementById("queue-fresh");
  const fresh = new Set();
  function listen() {
    if (!inQueue || !list.dataset.events || typeof EventSource === "undefined") return;
    const article = list.dataset.article ? Number(list.dataset.article) : null;
    const source = new EventSource(list.dataset.events);
    const parse = (event) => {
      const data = JSON.parse(event.data);
      return article === null || data.article_id === article ? data : null;
    };
    source.addEventListener("decided", (event) => {
      const data = parse(event);
      const card = data && document.getElementById(`comment-${data.id}`);
      fresh.delete(String(data?.id));
      showFresh();
      if (!card || decided.has(card.dataset.id) || card.dataset.status === data.status) return;
      decided.add(card.dataset.id);
      if (current === card) setCurrent(nextAfter([card]));
      card.remove();
      announce(TEXT.decidedElsewhere(data.id, data.status));
      updateSelection();
      showEmpty();
    });
    for (const [name, status] of Object.entries(FRESH_IN[view] ?? {})) {
      source.addEventListener(name, (event) => {
        const data = parse(event);
        if (!data || document.getElementById(`comment-${data.id}`)) return;
        if (status !== null && data.status !== status) return;
        fresh.add(String(data.id));
        showFresh();
      });
    }
  }
  function showFresh() {
    if (!freshButton) return;
    freshButton.hidden = fresh.size === 0;
    freshButton.textContent = TEXT.fresh(fresh.size);
  }
  freshButton?.addEventListener("click", async () => {
    fresh.clear();
    showFresh();
    await refill();
  });
  listen();

  updateSelection();
  const first = visibleCards()[0];
  if (first) setCurrent(first, false);
})();
