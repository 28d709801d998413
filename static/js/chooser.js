// The division chooser (guodong/divisions/choosers.py): a search box over the user's
// jurisdiction. Typing asks the server (name, code or pinyin); picking a result puts it into
// the hidden <select> and fires its "change", so filters and other scripts react as to a select.
// Listeners sit on the document, so rows added later (formsets, htmx swaps) work unchanged.
(function () {
  if (window.guodongChooser) return;
  window.guodongChooser = true;
  document.documentElement.classList.add("js-chooser");
  const style = document.createElement("style");
  style.textContent = "html.js-chooser .division-chooser select{display:none}" +
    ".division-chooser{min-width:14rem}";
  document.head.appendChild(style);

  const timers = new WeakMap();
  const parts = (input) => {
    const box = input.closest(".division-chooser");
    return { box, select: box.querySelector("select"), results: box.querySelector(".chooser-results") };
  };

  function pick(input, id, label) {
    const { select, results } = parts(input);
    let option = Array.from(select.options).find((o) => o.value === String(id));
    if (!option) {
      option = new Option(label, id);
      select.add(option);
    }
    select.value = String(id);
    input.value = id ? label : "";
    results.replaceChildren();
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function show(input, rows) {
    const { results } = parts(input);
    results.replaceChildren(...rows.map((row) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "list-group-item list-group-item-action chooser-result py-1";
      button.dataset.id = row.id;
      button.dataset.label = row.label;
      button.textContent = row.label + " ";
      const context = document.createElement("small");
      context.className = "text-muted";
      context.textContent = row.context;
      button.appendChild(context);
      return button;
    }));
  }

  function search(input) {
    const { select } = parts(input);
    const url = new URL(select.dataset.chooserUrl, window.location.href);
    url.searchParams.set("q", input.value.trim());
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : { results: [] }))
      .then((data) => show(input, data.results || []));
  }

  document.addEventListener("input", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.classList.contains("chooser-input")) return;
    if (!input.value.trim()) {
      pick(input, "", "");
      return;
    }
    clearTimeout(timers.get(input));
    timers.set(input, setTimeout(() => search(input), 200));
  });
  document.addEventListener("focusin", (event) => {
    const input = event.target;
    if (input instanceof HTMLInputElement && input.classList.contains("chooser-input")) search(input);
  });
  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element && event.target.closest(".chooser-result");
    if (button) {
      const input = button.closest(".division-chooser").querySelector(".chooser-input");
      pick(input, button.dataset.id, button.dataset.label);
      return;
    }
    document.querySelectorAll(".division-chooser .chooser-results").forEach((results) => {
      if (!(event.target instanceof Element && results.parentElement.contains(event.target))) {
        results.replaceChildren();
      }
    });
  });
  document.addEventListener("keydown", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.classList.contains("chooser-input")) return;
    if (event.key !== "Enter") return;
    // Enter takes the first result rather than submitting a half-chosen form.
    const first = parts(input).results.querySelector(".chooser-result");
    event.preventDefault();
    if (first) pick(input, first.dataset.id, first.dataset.label);
  });
})();
