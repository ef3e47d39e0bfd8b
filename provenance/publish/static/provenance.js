/* provenance: the browser review, by keyboard as in `provenance review`.
   j / k (or → / ←): next / previous claim of the review queue (claim page) or of the findings
   list (document page); s p c u n: choose a verdict and go to the evidence field; Enter in the
   note, or Ctrl+Enter anywhere in the form, records it. Nothing here reads document text into
   HTML: claim text is copied with textContent only. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-pv-review]");
  var documentPage = document.querySelector(".pv-document-page");
  var findings = Array.prototype.slice.call(
    document.querySelectorAll(".pv-findings a[data-claim-id]")
  );
  var current = -1;

  function typing(event) {
    var target = event.target;
    if (!target || !target.tagName) return false;
    return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(target.tagName);
  }

  function findingIndex(claimId) {
    for (var i = 0; i < findings.length; i++) {
      if (findings[i].getAttribute("data-claim-id") === claimId) return i;
    }
    return -1;
  }

  /* Document page: make one claim the form's claim; its highlight is outlined. */
  function select(claimId, scroll) {
    var mark = document.getElementById("c-" + claimId);
    if (!mark) return false;
    var previous = document.querySelector(".pv-selected");
    if (previous) previous.classList.remove("pv-selected");
    mark.classList.add("pv-selected");
    if (scroll) mark.scrollIntoView({ block: "center" });
    current = findingIndex(claimId);
    if (form) {
      form.elements.claim.value = claimId;
      var following = current >= 0 && current + 1 < findings.length ? findings[current + 1] : null;
      form.elements.next.value = following ? following.getAttribute("href") : "";
      var target = form.querySelector(".pv-review-target");
      if (target) target.textContent = "claim " + claimId.slice(0, 12) + ": " + mark.textContent;
    }
    return true;
  }

  function move(step) {
    if (!documentPage) {
      var link = document.getElementById(step > 0 ? "pv-next" : "pv-previous");
      if (link) window.location.href = link.getAttribute("href");
      return;
    }
    if (!findings.length) return;
    var index = current < 0 ? (step > 0 ? 0 : findings.length - 1) : current + step;
    if (index < 0 || index >= findings.length) return;
    var claimId = findings[index].getAttribute("data-claim-id");
    if (!select(claimId, true)) {
      window.location.href = findings[index].getAttribute("href"); /* in another part */
    }
  }

  if (documentPage) {
    var wanted = new URLSearchParams(window.location.search).get("claim");
    if (wanted) select(wanted, false);
    if (form) {
      document.querySelectorAll("a.pv-claim").forEach(function (link) {
        link.addEventListener("click", function (event) {
          if (event.ctrlKey || event.metaKey || event.shiftKey) return; /* open the claim */
          event.preventDefault();
          select(link.getAttribute("data-claim-id"), false);
        });
      });
    }
  }

  if (form) {
    form.addEventListener("submit", function (event) {
      if (!form.elements.claim.value) {
        event.preventDefault();
        move(1);
      }
    });
  }

  document.addEventListener("keydown", function (event) {
    if (form && event.key === "Enter" && (event.ctrlKey || event.metaKey) && form.contains(event.target)) {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    if (typing(event) || event.altKey || event.ctrlKey || event.metaKey) return;
    var key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    if (key === "j" || key === "ArrowRight") {
      event.preventDefault();
      move(1);
    } else if (key === "k" || key === "ArrowLeft") {
      event.preventDefault();
      move(-1);
    } else if (form) {
      var radio = form.querySelector('input[name="verdict"][data-key="' + key + '"]');
      if (!radio) return;
      event.preventDefault();
      if (documentPage && !form.elements.claim.value) move(1);
      radio.checked = true;
      form.elements.evidence.focus();
    }
  });
})();
