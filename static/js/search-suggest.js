// Suggest titles while the visitor types (debounced), through the search box's <datalist>.
for (const input of document.querySelectorAll("input[data-suggest-url]")) {
  const list = document.getElementById(input.getAttribute("list"));
  let timer = null;
  let controller = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = input.value.trim();
      if (q.length < 2) return;
      if (controller) controller.abort();
      controller = new AbortController();
      try {
        const response = await fetch(`${input.dataset.suggestUrl}?q=${encodeURIComponent(q)}`, { signal: controller.signal });
        const data = await response.json();
        list.replaceChildren(...data.suggestions.map((s) => Object.assign(document.createElement("option"), { value: s.title })));
      } catch (error) {
        if (error.name !== "AbortError") list.replaceChildren();
      }
    }, 250);
  });
}
