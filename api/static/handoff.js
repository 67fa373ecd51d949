// Handoff pages: keyboard shortcuts (data-shortcut), the help dialog, and the lease countdown.
// Small and hand-written on purpose; every page also works without it.
(function () {
  "use strict";

  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  function openHelp() {
    var d = document.getElementById("help");
    if (d && !d.open && d.showModal) d.showModal();
  }

  function activate(target) {
    // A form: bring it into view and put the cursor in its first visible field; `n` submits its form.
    if (target.tagName === "FORM") {
      if (target.id === "next-form") { target.requestSubmit ? target.requestSubmit() : target.submit(); return; }
      document.querySelectorAll("form.decision.active").forEach(function (f) { f.classList.remove("active"); });
      target.classList.add("active");
      var field = target.querySelector("input:not([type=hidden]), select, textarea, button");
      target.scrollIntoView({ block: "nearest" });
      if (field) field.focus();
      return;
    }
    if (target.hasAttribute("data-open-help")) { openHelp(); return; }
    target.click();
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === "Escape" && typing(ev.target)) { ev.target.blur(); return; }
    if (typing(ev.target)) return;
    var d = document.getElementById("help");
    if (d && d.open) return;
    var target = null;
    document.querySelectorAll("[data-shortcut]").forEach(function (el) {
      if (!target && el.getAttribute("data-shortcut") === ev.key) target = el;
    });
    if (!target) return;
    ev.preventDefault();
    activate(target);
  });

  document.querySelectorAll("[data-open-help]").forEach(function (b) {
    b.addEventListener("click", openHelp);
  });

  // Lease countdown: minutes and seconds left of the hold on this item.
  var lease = document.querySelector("[data-lease-until]");
  if (lease) {
    var until = Date.parse(lease.getAttribute("data-lease-until"));
    var left = lease.querySelector(".lease-left");
    var announce = document.getElementById("lease-announce");
    var said = {};
    var tick = function () {
      var s = Math.max(0, Math.round((until - Date.now()) / 1000));
      var text = s > 0 ? Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0") + " left"
                       : "Lease expired: take the item again to decide it";
      left.textContent = text;
      lease.classList.toggle("low", s > 0 && s <= 60);
      lease.classList.toggle("expired", s === 0);
      // Announce only at thresholds, not every second.
      var mark = s === 0 ? "0" : (s <= 60 ? "60" : (s <= 180 ? "180" : ""));
      if (announce && mark && !said[mark]) { said[mark] = true; announce.textContent = text; }
      if (s > 0) setTimeout(tick, 1000);
    };
    tick();
  }
})();
