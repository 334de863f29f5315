/* 反诈助手: progressive enhancement only. Without this file every form posts and the server
   renders the reply. With it, the forms and the question links fetch just the new reply
   (?fragment=1, rendered and escaped by the server) and put it at the top of the conversation,
   so earlier replies stay in view. ES5 and XMLHttpRequest: old phone browsers run it. */
(function () {
  "use strict";
  if (!window.XMLHttpRequest || !window.FormData || !document.querySelector) { return; }
  var conversation = document.getElementById("conversation");
  var ask = document.getElementById("ask");
  var image = document.getElementById("image");
  if (!conversation || !ask) { return; }

  function fragmentUrl(url) {
    return url + (url.indexOf("?") < 0 ? "?" : "&") + "fragment=1";
  }

  function show(html) {
    var holder = document.createElement("div");
    var fragment = document.createDocumentFragment();
    var first = null;
    holder.innerHTML = html;
    while (holder.firstChild) {
      if (!first && holder.firstChild.nodeType === 1) { first = holder.firstChild; }
      fragment.appendChild(holder.firstChild);
    }
    conversation.insertBefore(fragment, conversation.firstChild);
    var examples = document.querySelector(".examples");
    if (examples) { examples.parentNode.removeChild(examples); }
    if (first && first.scrollIntoView) { first.scrollIntoView(true); }
  }

  function busy(form, on) {
    var button = form.querySelector("button[type=submit]");
    if (!button) { return; }
    if (on) {
      button.setAttribute("data-label", button.innerHTML);
      button.innerHTML = form.getAttribute("data-busy") || "…";
      button.disabled = true;
    } else {
      button.innerHTML = button.getAttribute("data-label") || button.innerHTML;
      button.disabled = false;
    }
  }

  /* Loads a fragment and shows it (then calls `done`); when that fails, calls `fallback`
     (a normal page load, which works without this script). */
  function load(method, url, body, contentType, form, fallback, done) {
    var xhr = new XMLHttpRequest();
    xhr.open(method, fragmentUrl(url), true);
    if (contentType) { xhr.setRequestHeader("Content-Type", contentType); }
    xhr.onreadystatechange = function () {
      if (xhr.readyState !== 4) { return; }
      if (form) { busy(form, false); }
      if (xhr.status && xhr.responseText && /^text\/html/.test(xhr.getResponseHeader("Content-Type") || "")) {
        show(xhr.responseText);
        if (done) { done(); }
      } else {
        fallback();
      }
    };
    if (form) { busy(form, true); }
    xhr.send(body);
  }

  function sendText(text) {
    load("POST", "/", "text=" + encodeURIComponent(text), "application/x-www-form-urlencoded; charset=UTF-8", ask,
      function () { ask.elements.text.value = text; ask.submit(); },
      function () { ask.elements.text.value = ""; });
  }

  ask.onsubmit = function (event) {
    if (event && event.preventDefault) { event.preventDefault(); }
    sendText(ask.elements.text.value);
    return false;
  };

  if (image) {
    image.onsubmit = function (event) {
      if (event && event.preventDefault) { event.preventDefault(); }
      load("POST", "/image", new FormData(image), null, image, function () { image.submit(); },
        function () { image.reset(); });
      return false;
    };
  }

  /* Suggested and related questions, "none of these", and the example questions. */
  document.onclick = function (event) {
    event = event || window.event;
    var target = event.target || event.srcElement;
    while (target && target.nodeType === 1 && target.tagName !== "A" && target.tagName !== "BUTTON") {
      target = target.parentNode;
    }
    if (!target || target.nodeType !== 1) { return true; }
    if (target.tagName === "A" && /^\/(entry\/|none$)/.test(target.getAttribute("href") || "")) {
      var href = target.getAttribute("href");
      if (event.preventDefault) { event.preventDefault(); }
      load("GET", href, null, null, null, function () { window.location.href = href; });
      return false;
    }
    if (target.tagName === "BUTTON" && / ?example ?/.test(target.className)) {
      if (event.preventDefault) { event.preventDefault(); }
      sendText(target.value);
      return false;
    }
    return true;
  };
}());
