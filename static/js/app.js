// Small progressive enhancements; every page works without them.
"use strict";

document.addEventListener("click", (event) => {
  const add = event.target.closest("[data-add-row]");
  if (add) {
    // Clone the last row of a list of details (emails, phones...) with empty, renumbered inputs.
    const set = add.closest("[data-rows]");
    const rows = set.querySelectorAll("[data-row]");
    const last = rows[rows.length - 1];
    const copy = last.cloneNode(true);
    const index = rows.length;
    copy.querySelectorAll("input").forEach((input) => {
      input.value = "";
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
      input.name = input.name.replace(/-\d+-/, `-${index}-`);
      input.id = input.id.replace(/-\d+-/, `-${index}-`);
    });
    copy.querySelectorAll("label").forEach((label) => {
      label.htmlFor = label.htmlFor.replace(/-\d+-/, `-${index}-`);
      label.textContent = label.textContent.replace(/\d+$/, String(index + 1));
    });
    copy.querySelectorAll(".error").forEach((e) => e.remove());
    copy.querySelectorAll(".has-error").forEach((e) => e.classList.remove("has-error"));
    last.after(copy);
    copy.querySelector("input").focus();
    return;
  }
  const copyButton = event.target.closest("[data-copy]");
  if (copyButton) {
    const source = document.getElementById(copyButton.dataset.copy);
    navigator.clipboard.writeText(source.value ?? source.textContent).then(() => {
      copyButton.textContent = "Copied";
    });
  }
});

document.addEventListener("submit", (event) => {
  const message = event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

// ==== Timeline: "Show older" appends the next page in place (issue 3) ====
// Without JS the link simply opens the next page. With it, the older entries are fetched and
// added below; a month split across pages is joined under one heading.
document.addEventListener("click", (event) => {
  const more = event.target.closest("[data-show-older]");
  if (!more || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey) return;
  event.preventDefault();
  more.setAttribute("aria-busy", "true");
  fetch(more.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
    .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
    .then((html) => {
      const doc = new DOMParser().parseFromString(html, "text/html");
      const timeline = more.closest("section, main").querySelector("[data-timeline]");
      const incoming = doc.querySelector("[data-timeline]");
      incoming.querySelectorAll(".timeline-month").forEach((month) => {
        const months = timeline.querySelectorAll(".timeline-month");
        const last = months[months.length - 1];
        if (last && last.dataset.month === month.dataset.month) {
          last.querySelector("ol").append(...month.querySelectorAll("ol > li"));
        } else {
          timeline.append(document.importNode(month, true));
        }
      });
      const next = doc.querySelector("[data-show-older]");
      if (next) {
        more.href = next.href;
        more.removeAttribute("aria-busy");
      } else {
        more.parentElement.remove();
      }
    })
    .catch(() => { window.location.href = more.href; });
});
// ==== end of timeline section ====

// Follow-ups: the "log a touchpoint too" fields show only while their checkbox is ticked
// (without JavaScript they are always visible, and ignored unless the box is ticked).
function syncReveal(box) {
  const target = document.getElementById(box.dataset.reveal);
  if (target) target.hidden = !box.checked;
}
document.querySelectorAll("[data-reveal]").forEach(syncReveal);
document.addEventListener("change", (event) => {
  if (event.target.matches("[data-reveal]")) syncReveal(event.target);
});

// ==== Import progress (issue 6) ====
// Without JS the page refreshes itself every few seconds (a meta refresh inside <noscript>);
// with it the bar moves every second and the page reloads as soon as the job changes state.
document.querySelectorAll("[data-import-progress]").forEach((box) => {
  const bar = box.querySelector("progress");
  const text = box.querySelector("[data-progress-text]");
  const poll = () => {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((job) => {
        if (job.status !== box.dataset.status || job.interrupted) {
          window.location.reload();
          return;
        }
        if (job.total) bar.max = job.total;
        if (job.processed) {
          bar.value = job.processed;
          const verb = box.dataset.progressVerb || (job.status === "analysing" ? "read" : "imported");
          text.textContent = `${job.processed} of ${job.total} ${verb}.`;
        }
        window.setTimeout(poll, 1000);
      })
      .catch(() => window.setTimeout(poll, 3000));
  };
  window.setTimeout(poll, 1000);
});
// ==== end of import progress section ====

// ==== Playbook preview: "Tick all" / "Tick none" per person (issue 11.5) ====
// Without JS the buttons post the form and it comes back with the boxes changed; with it
// they change the boxes in place.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-tick]");
  if (!button) return;
  event.preventDefault();
  const on = button.dataset.tick === "all";
  button.closest("[data-person]").querySelectorAll('input[type="checkbox"]').forEach((box) => {
    box.checked = on;
  });
});
// ==== end of playbook preview section ====

// ==== Look and feel (issue 15) ====
const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

// Keyboard shortcuts (listed on /shortcuts): never while typing in a field.
let pendingG = false;
document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  const typing = target.closest("input, textarea, select, [contenteditable=true], .ts-wrapper");
  if (event.key === "Escape") {
    const toggle = document.getElementById("menu-toggle");
    if (toggle && toggle.checked) { toggle.checked = false; toggle.focus(); }
    if (typing && target.id === "site-q") target.blur();
    return;
  }
  if (typing) return;
  const go = (selector) => {
    const link = document.querySelector(selector);
    if (link) { event.preventDefault(); link.click(); }
  };
  if (pendingG) {
    pendingG = false;
    const where = { d: "dashboard", c: "contacts", o: "opportunities", f: "followups" }[event.key];
    if (where) go(`.nav a[data-area="${where}"]`);
    return;
  }
  if (event.key === "g") { pendingG = true; window.setTimeout(() => { pendingG = false; }, 1500); return; }
  if (event.key === "/") {
    const box = document.getElementById("site-q");
    if (box) { event.preventDefault(); box.focus(); box.select(); }
  } else if (event.key === "l") {
    go(".quick-log");
  } else if (event.key === "?") {
    go('.footer a[href$="/shortcuts"]');
  }
});

// People pickers: every <select multiple> of people becomes a searchable Tom Select. Typing a
// name nobody has yet offers "Add … as a new contact", created at once through a small JSON
// endpoint and picked. Without JavaScript (or the library) the plain list box stays.
const PICKER_ROLES = { interviewers: "interviewer", recruiters: "recruiter", hiring_managers: "hiring_manager",
  referrers: "referrer" };
function enhancePicker(select) {
  if (typeof window.TomSelect !== "function" || select.tomselect) return;
  const createUrl = document.body.dataset.quickContactUrl;
  const hint = document.getElementById(`${select.id}-hint`);
  if (hint) hint.textContent = "Type to search. Enter picks; a new name can be added as a contact.";
  // eslint-disable-next-line no-new
  new window.TomSelect(select, {
    plugins: ["remove_button"],
    maxOptions: 200,
    hidePlaceholder: true,
    placeholder: "Type a name…",
    // After a pick the search text goes, ready for the next name.
    onItemAdd() { this.setTextboxValue(""); this.refreshOptions(false); },
    create: createUrl ? (input, callback) => {
      const body = new URLSearchParams({ name: input, role: PICKER_ROLES[select.name] || "other" });
      fetch(createUrl, { method: "POST", credentials: "same-origin", body,
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
        .then((made) => {
          // Offer the new person in the sibling pickers of the same form too.
          select.form?.querySelectorAll("select[multiple]").forEach((other) => {
            if (other !== select && other.tomselect) other.tomselect.addOption({ value: String(made.id), text: made.name });
          });
          callback({ value: String(made.id), text: made.name });
        })
        .catch(() => callback());
    } : false,
    render: {
      option_create: (data, escape) => `<div class="create">Add <strong>${escape(data.input)}</strong> as a new contact…</div>`,
      no_results: () => (createUrl ? null : '<div class="no-results">Nobody by that name</div>'),
    },
  });
  // The label now names the picker's own input; the original list box stays in the form
  // (it is what gets submitted) but out of reach of the keyboard and screen readers.
  select.setAttribute("aria-hidden", "true");
  select.tabIndex = -1;
}
document.querySelectorAll("select[multiple][data-people], form select[multiple]").forEach(enhancePicker);

// The follow-ups list fills a row in when it is opened: its "More" (the action forms) and its
// message draft come from the follow-up's page, fetched once per row (without JavaScript the
// row's links open that page). The forms' "next" points back at the list.
const followUpPages = new Map();
const followUpPage = (url) => {
  if (!followUpPages.has(url)) {
    followUpPages.set(url, fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((html) => new DOMParser().parseFromString(html, "text/html"))
      .catch((error) => { followUpPages.delete(url); throw error; }));
  }
  return followUpPages.get(url);
};
const fillDraft = (box, doc) => {
  const source = doc.querySelector("[data-draft]");
  if (!source || box.dataset.loaded) return;
  box.dataset.loaded = "1";
  box.querySelector("[data-draft-fallback]")?.remove();
  [...source.children].filter((node) => node.tagName !== "SUMMARY")
    .forEach((node) => box.append(document.importNode(node, true)));
};
const fillActions = (more, doc) => {
  const source = doc.querySelector(".fu-actions");
  const fallback = more.querySelector("[data-more-fallback]");
  if (!source || !fallback) return;
  const actions = document.importNode(source, true);
  actions.querySelectorAll('input[name="next"]').forEach((input) => {
    input.value = window.location.pathname + window.location.search;
  });
  fallback.replaceWith(actions);
  actions.querySelectorAll("[data-reveal]").forEach(syncReveal);
};
document.addEventListener("toggle", (event) => {
  const box = event.target;
  if (!box.open || !box.matches("details[data-more-from], details[data-draft-from]")) return;
  const url = box.dataset.moreFrom || box.dataset.draftFrom;
  box.setAttribute("aria-busy", "true");
  followUpPage(url)
    .then((doc) => {
      if (box.dataset.moreFrom) {
        fillActions(box, doc);
        const draft = box.querySelector("details[data-draft-from]");
        if (draft) fillDraft(draft, doc);
      } else {
        fillDraft(box, doc);
      }
    })
    .catch(() => {})
    .finally(() => box.removeAttribute("aria-busy"));
}, true);

// Message drafts: the copy button and the mail link use what the person typed in the boxes.
document.addEventListener("input", (event) => {
  const box = event.target.closest("[data-draft]");
  if (!box) return;
  const mail = box.querySelector("[data-mailto]");
  if (!mail) return;
  const subject = box.querySelector("[data-draft-subject]").value;
  const body = box.querySelector("[data-draft-body]").value;
  const address = mail.dataset.mailto;
  mail.href = `mailto:${address}?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(body)}`;
});

// Registration: preselect the browser's time zone on a fresh form (the server's default stays
// without JavaScript), and add a box that narrows the ~550 zones as one types.
const browserZone = (() => { try { return Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return ""; } })();
document.querySelectorAll("[data-browser-timezone]").forEach((input) => { if (browserZone) input.value = browserZone; });
document.querySelectorAll(".tz-field select").forEach((select) => {
  const all = [...select.options].map((o) => [o.value, o.text]);
  if (select.closest("[data-fresh]") && all.some(([value]) => value === browserZone)) select.value = browserZone;
  const finder = document.createElement("input");
  finder.type = "search";
  finder.id = `${select.id}-find`;
  finder.placeholder = "Type a city to narrow the list";
  finder.setAttribute("aria-label", "Narrow the list of zones");
  finder.setAttribute("aria-controls", select.id);
  finder.className = "tz-find";
  select.before(finder);
  finder.addEventListener("input", () => {
    const words = finder.value.toLowerCase().split(/\s+/).filter(Boolean);
    const chosen = select.value;
    const keep = all.filter(([value, text]) => words.every((w) => `${value} ${text}`.toLowerCase().includes(w)));
    select.replaceChildren(...keep.map(([value, text]) => new Option(text, value, false, value === chosen)));
    if (keep.length && !keep.some(([value]) => value === chosen)) select.value = keep[0][0];
  });
});

// The board: drag a card to another column; the drop posts what the column's Move button
// would (the card's id and the new status) and asks for JSON. The Move buttons stay.
function boardDrop(event) {
  const card = event.item;
  const column = event.to.closest("[data-status]");
  const source = event.from.closest("[data-status]");
  // One move address for the board (the columns' shared form's), the card named by its id.
  const board = event.to.closest("[data-board]");
  const url = board && board.dataset.moveUrl;
  if (!column || !url || !card.dataset.opportunity || event.from === event.to) return;
  const data = new URLSearchParams({ opportunity: card.dataset.opportunity, status: column.dataset.status,
    from: "board", csrf_token: csrfToken() });
  card.setAttribute("aria-busy", "true");
  const live = document.getElementById("board-live");
  fetch(url, { method: "POST", body: data, credentials: "same-origin",
    headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" } })
    .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
    .then((moved) => {
      if (moved.next) { window.location.href = moved.next; return; }  // e.g. the rejection playbook
      card.removeAttribute("aria-busy");
      [column, source].forEach((col) => {
        const count = col.querySelector(".count");
        const n = col.querySelectorAll(".opp-card").length;
        if (count) count.textContent = n;
        col.classList.toggle("is-empty", n === 0);
      });
      if (live) live.textContent = `${card.querySelector(".opp-title").textContent} moved to ${moved.label}.`;
    })
    .catch(() => {
      // Put the card back and say so; the Move button still works.
      event.from.insertBefore(card, event.from.children[event.oldIndex] || null);
      card.removeAttribute("aria-busy");
      if (live) live.textContent = "Could not move it. Try the Move button.";
    });
}
if (typeof window.Sortable === "function") {
  document.querySelectorAll("[data-board] .cards").forEach((list) => {
    window.Sortable.create(list, {
      group: "board", animation: 150, filter: "select, button, input", preventOnFilter: false, forceFallback: true,
      onEnd: boardDrop,
    });
  });
}
// ==== end of issue 15 section ====

// ==== Warm paths: "You know 3 people at Acme" on the new-opportunity form (issue 16) ====
// Without JS the hint shows when the form comes back with the company filled in. With it, the
// hint follows the company field: a short pause after typing (or on choosing a suggestion),
// the server's fragment for that name replaces the hint, announced by its aria-live region.
document.querySelectorAll("[data-warm-hint]").forEach((hint) => {
  const input = document.getElementById(hint.dataset.for);
  if (!input) return;
  let timer = null;
  let asked = input.value.trim();
  const refresh = () => {
    const name = input.value.trim();
    if (name === asked) return;
    asked = name;
    const url = `${hint.dataset.warmHint}?company=${encodeURIComponent(name)}`;
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((html) => {
        if (asked !== name) return;  // a later name is on its way
        const doc = new DOMParser().parseFromString(html, "text/html");
        hint.replaceChildren(...Array.from(doc.body.childNodes, (node) => document.importNode(node, true)));
      })
      .catch(() => {});  // the hint is a nicety: the form works without it
  };
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(refresh, 400); });
  input.addEventListener("change", () => { clearTimeout(timer); refresh(); });
});
