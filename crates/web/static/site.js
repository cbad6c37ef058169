// trigate's own script (no inline script anywhere): the viewer's time
// offset for the server to show times in, copy buttons, one submission per
// money form, and following a channel's payment link.
(function () {
  "use strict";
  var offset = -new Date().getTimezoneOffset();
  if (document.cookie.indexOf("tz=" + offset) === -1) {
    document.cookie = "tz=" + offset + "; Path=/; Max-Age=31536000; SameSite=Lax";
  }

  function announce(text) {
    var live = document.querySelector(".copied");
    if (live) { live.textContent = text; }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) { return; }
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) { return; }
    var text = source.textContent;
    var live = document.querySelector(".copied");
    var done = function () { announce(live ? live.getAttribute("data-copied") : ""); };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () { select(source); });
    } else {
      select(source);
    }
  });

  function select(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  // A destructive action asks first (before anything else sees the
  // submission).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var ask = form.getAttribute("data-confirm");
    if (ask && !window.confirm(ask)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // A money form is sent once: its idempotency key already makes a second
  // send pay nothing more; this spares the buyer the wait.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-once")) { return; }
    if (form.getAttribute("data-sent") === "1") { event.preventDefault(); return; }
    form.setAttribute("data-sent", "1");
    var button = form.querySelector("button[type=submit]");
    if (button) { button.setAttribute("aria-busy", "true"); }
  });

  // An upload with its progress: the form is sent by XHR so the bar on
  // it can follow the bytes; the answer's <main> replaces this one.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var barId = form.getAttribute("data-progress");
    if (!barId || !window.FormData || event.defaultPrevented) { return; }
    event.preventDefault();
    var bar = document.getElementById(barId);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", function (e) {
      if (bar && e.lengthComputable) {
        bar.hidden = false;
        bar.value = Math.round((e.loaded / e.total) * 100);
      }
    });
    xhr.addEventListener("load", function () {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var next = doc.querySelector("main");
      var main = document.querySelector("main");
      if (next && main) { main.replaceWith(next); } else { window.location.reload(); }
    });
    xhr.addEventListener("error", function () { window.location.reload(); });
    xhr.send(new FormData(form));
  });

  window.addEventListener("pageshow", function () {
    var forms = document.querySelectorAll("form[data-sent]");
    for (var i = 0; i < forms.length; i++) { forms[i].removeAttribute("data-sent"); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var follow = document.querySelector("a[data-follow]");
    if (follow) { window.setTimeout(function () { window.location.assign(follow.href); }, 600); }
  });
})();
