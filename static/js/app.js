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
