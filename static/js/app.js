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
// The page also refreshes itself every few seconds (meta refresh); with JS the bar moves
// every second and the page reloads as soon as the job changes state.
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
          if (job.status === "analysing") text.textContent = `${job.processed} of ${job.total} read.`;
          else text.textContent = `${job.processed} of ${job.total} imported.`;
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
