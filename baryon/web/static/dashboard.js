// Progressive enhancement for the Baryon dashboard (every page also works without script):
// - <details data-src="URL">: opened the first time, its ".children-slot" gets the HTML fragment at URL
//   (the organization tree's OUs open in place instead of focusing a new page);
// - <element data-refresh="URL" data-every="SECONDS">: its content is replaced by the fragment at URL every
//   SECONDS while the tab is visible (the audit trail's newest page, a running deployment's progress), until
//   the fragment holds an element marked data-final (the deployment ended).
// Fragments are rendered and escaped by the server. A session that ended sends the whole page to sign-in.
"use strict";

async function loadFragment(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
  if (response.redirected && new URL(response.url).pathname === "/dashboard/sign-in") {
    window.location.assign(response.url);
    return null;
  }
  return response.text();
}

function openInPlace(root) {
  for (const details of root.querySelectorAll("details[data-src]")) {
    details.addEventListener("toggle", async () => {
      if (!details.open || details.dataset.loaded) return;
      details.dataset.loaded = "yes";
      const slot = details.querySelector(".children-slot");
      const html = await loadFragment(details.dataset.src);
      if (slot && html !== null) {
        slot.innerHTML = html;
        openInPlace(slot);
      }
    });
  }
}

function refreshPeriodically(root) {
  for (const element of root.querySelectorAll("[data-refresh]")) {
    const seconds = Math.max(2, Number(element.dataset.every) || 10);
    const timer = window.setInterval(async () => {
      if (document.hidden) return;
      const html = await loadFragment(element.dataset.refresh);
      if (html === null) return;
      element.innerHTML = html;
      if (element.querySelector("[data-final]")) window.clearInterval(timer);
    }, seconds * 1000);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  openInPlace(document);
  refreshPeriodically(document);
});
