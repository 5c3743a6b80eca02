// The idle limit on shared counter PCs (portal/staff/middleware.py): a warning shortly before the session
// ends, with a button to keep working; at the limit the page goes to the log-in page. The timer asks the
// server how much time is left before it warns or leaves, so work in another tab keeps this one alive.
(function () {
  "use strict";
  var body = document.body;
  var idle = parseInt(body.dataset.idleSeconds || "0", 10);
  var warnBefore = parseInt(body.dataset.idleWarningSeconds || "60", 10);
  var statusUrl = body.dataset.sessionUrl;
  if (!idle || !statusUrl) { return; }
  var banner = null;
  var timer = null;
  var zh = (document.documentElement.lang || "").indexOf("zh") === 0;
  var text = {
    warn: zh ? "您已较长时间未操作，将在 1 分钟内自动退出登录，以免他人在这台电脑上以您的名义工作。"
             : "You have been idle for a while: you will be logged out within a minute, so that nobody else at this computer works in your name.",
    keep: zh ? "继续工作" : "Keep working",
    gone: zh ? "已因长时间未操作退出登录。" : "You were logged out after a period without activity."
  };

  function csrfToken() {
    try { return JSON.parse(body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }

  function schedule(remaining) {
    clearTimeout(timer);
    if (remaining > warnBefore) {
      hideBanner();
      timer = setTimeout(check, (remaining - warnBefore) * 1000);
    } else if (remaining > 0) {
      showBanner();
      timer = setTimeout(check, remaining * 1000 + 1000);
    } else {
      leave();
    }
  }

  function check() {
    fetch(statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok || response.redirected) { leave(); return null; }
        return response.json();
      })
      .then(function (data) { if (data) { schedule(data.remaining); } })
      .catch(function () { timer = setTimeout(check, 15000); });  // offline for a moment: ask again
  }

  function keepWorking() {
    fetch(statusUrl, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { schedule(data.remaining); } else { leave(); } });
  }

  function showBanner() {
    if (banner) { return; }
    banner = document.createElement("div");
    banner.className = "alert alert-warning shadow session-timeout-warning d-flex flex-wrap gap-2 align-items-center";
    banner.setAttribute("role", "alertdialog");
    banner.setAttribute("data-testid", "idle-warning");
    var message = document.createElement("span");
    message.textContent = text.warn;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-primary";
    button.setAttribute("data-testid", "keep-working");
    button.textContent = text.keep;
    button.addEventListener("click", keepWorking);
    banner.appendChild(message);
    banner.appendChild(button);
    body.appendChild(banner);
    button.focus();
  }

  function hideBanner() {
    if (banner) { banner.remove(); banner = null; }
  }

  function leave() {
    var next = window.location.pathname + window.location.search;
    window.location.assign(body.dataset.loginUrl + "?next=" + encodeURIComponent(next));
  }

  schedule(idle);
})();
