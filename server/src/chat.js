// The customer chat page, made live: new replies, the agent typing, and the end of the
// conversation appear without reloading (server-sent events), and sending does not
// reload the page. Without this script the page still works with plain forms.
(function () {
  "use strict";
  var chat = document.getElementById("chat");
  if (!chat) return;
  var base = chat.getAttribute("data-base");
  var resolved = chat.getAttribute("data-resolved") === "true";
  var composer = document.getElementById("composer");
  var box = document.getElementById("reply");
  var problem = document.getElementById("chat-error");

  function say(text) {
    problem.textContent = text;
    problem.hidden = !text;
  }

  function refresh() {
    fetch(base + "/state", { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) return;
        // A resolution (or a reopening) changes the page's forms: load it again.
        if (s.resolved !== resolved) { window.location.reload(); return; }
        var list = document.getElementById("messages");
        // The server renders the list (customer text escaped, agent Markdown made safe).
        var holder = document.createElement("div");
        holder.innerHTML = s.html;
        list.replaceWith(holder.firstChild);
        document.getElementById("typing").textContent = s.typing ? s.typing + " is typing…" : "";
        window.scrollTo(0, document.body.scrollHeight);
      })
      .catch(function () {});
  }

  if (window.EventSource) {
    var events = new EventSource(base + "/events");
    events.onmessage = refresh;
    // After a reconnection, catch up on what was missed.
    events.onopen = refresh;
  }

  composer.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = box.value;
    if (!text.trim()) return;
    var button = composer.querySelector("button");
    button.disabled = true;
    fetch(composer.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ text: text }).toString(),
    })
      .then(function (r) {
        if (r.ok) { box.value = ""; say(""); refresh(); }
        else { return r.json().then(function (b) { say(b.error || "Your message could not be sent. Please try again."); }); }
      })
      .catch(function () { say("Your message could not be sent. Check your connection and try again."); })
      .then(function () { button.disabled = false; box.focus(); });
  });

  box.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); composer.requestSubmit(); }
  });
})();
