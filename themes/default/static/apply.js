/* Application form and copy button: progressive enhancement only.
   Without this file the form is an ordinary POST and the address stays selectable text.
   Nothing typed is ever stored: on failure the fields are simply left as they are. */
(function () {
  "use strict";

  var TIMEOUT_MS = 15000;
  var EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;

  function text(el, value) { el.textContent = value; return el; }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match;
    });
  }

  /* ---- copy the address (email route) ---- */
  document.querySelectorAll(".copy-button").forEach(function (button) {
    if (!navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy-target"));
      var status = button.closest(".apply-address").querySelector(".copy-status");
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        text(status, button.getAttribute("data-copied"));
      }, function () {
        /* The address stays visible and selectable: nothing else to do. */
      });
    });
  });

  /* ---- application form (form route) ---- */
  var form = document.getElementById("apply-form");
  if (!form) { return; }
  var status = document.getElementById("apply-status");
  var submit = form.querySelector("button[type=submit]");
  var msg = function (name) { return form.getAttribute("data-msg-" + name) || ""; };

  function errorFor(field) {
    var id = field.id + "-error";
    var existing = document.getElementById(id);
    if (existing) { return existing; }
    var p = document.createElement("p");
    p.id = id;
    p.className = "field-error";
    var container = field.closest(".field");
    if (field.type === "checkbox") { container.appendChild(p); } else { field.insertAdjacentElement("afterend", p); }
    return p;
  }

  function setError(field, message) {
    var p = errorFor(field);
    var described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (message) {
      text(p, message);
      field.setAttribute("aria-invalid", "true");
      if (described.indexOf(p.id) < 0) { described.unshift(p.id); }
    } else {
      text(p, "");
      field.removeAttribute("aria-invalid");
      described = described.filter(function (d) { return d !== p.id; });
    }
    if (described.length) { field.setAttribute("aria-describedby", described.join(" ")); }
    else { field.removeAttribute("aria-describedby"); }
  }

  function problemOf(field) {
    var value = field.type === "checkbox" ? field.checked : field.value.trim();
    if (field.type === "checkbox") { return value ? "" : msg("consent"); }
    if (field.required && !value) { return msg("required"); }
    if (field.type === "email" && value && !EMAIL.test(value)) { return msg("email"); }
    return "";
  }

  function validate() {
    var first = null;
    form.querySelectorAll("input[required], textarea[required]").forEach(function (field) {
      var problem = problemOf(field);
      setError(field, problem);
      if (problem && !first) { first = field; }
    });
    return first;
  }

  form.querySelectorAll("input[required], textarea[required]").forEach(function (field) {
    field.addEventListener("change", function () {
      if (field.getAttribute("aria-invalid") === "true") { setError(field, problemOf(field)); }
    });
  });

  function showStatus(kind, parts) {
    status.className = "form-status form-status-" + kind;
    status.replaceChildren();
    parts.forEach(function (part) { status.appendChild(part); });
  }

  function paragraph(value) { return text(document.createElement("p"), value); }

  function fallbackLink() {
    var address = form.getAttribute("data-fallback-email");
    if (!address) { return null; }
    var data = new FormData(form);
    var lines = [
      form.querySelector("label[for=apply-name]").firstChild.textContent.trim() + " : " + (data.get("name") || ""),
      form.querySelector("label[for=apply-email]").firstChild.textContent.trim() + " : " + (data.get("email") || ""),
      form.querySelector("label[for=apply-phone]").firstChild.textContent.trim() + " : " + (data.get("phone") || ""),
      form.querySelector("label[for=apply-availability]").firstChild.textContent.trim() + " : " + (data.get("availability") || ""),
      "",
      String(data.get("message") || ""),
      "",
      String(data.get("page_url") || "")
    ];
    var href = "mailto:" + encodeURIComponent(address).replace("%40", "@") +
      "?subject=" + encodeURIComponent(form.getAttribute("data-fallback-subject") || "") +
      "&body=" + encodeURIComponent(lines.join("\r\n"));
    var p = document.createElement("p");
    var a = document.createElement("a");
    a.href = href;
    text(a, msg("fallback") + " (" + address + ")");
    p.appendChild(a);
    return p;
  }

  function failed(message) {
    var parts = [paragraph(message), paragraph(msg("kept"))];
    var link = fallbackLink();
    if (link) { parts.push(link); }
    showStatus("error", parts);
    status.focus();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var invalid = validate();
    if (invalid) {
      showStatus("error", [paragraph(msg("summary"))]);
      invalid.focus();
      return;
    }
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
    submit.disabled = true;
    showStatus("pending", [paragraph(msg("sending"))]);
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { "Accept": "application/json" },
      signal: controller.signal,
      credentials: "omit",
      referrerPolicy: "strict-origin-when-cross-origin"
    }).then(function (response) {
      clearTimeout(timer);
      submit.disabled = false;
      if (response.ok) {
        var done = paragraph(msg("success"));
        showStatus("success", [done]);
        form.querySelectorAll(".field, .hp, button[type=submit], p:not(.form-status p)").forEach(function (el) {
          if (!status.contains(el)) { el.hidden = true; }
        });
        status.focus();
        return;
      }
      var template = response.status >= 500 ? msg("server") : msg("rejected");
      failed(fill(template, { status: response.status }));
    }, function (error) {
      clearTimeout(timer);
      submit.disabled = false;
      failed(error && error.name === "AbortError" ? msg("timeout") : msg("network"));
    });
  });
}());
