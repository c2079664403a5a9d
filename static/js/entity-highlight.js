// Highlight the entities PubTator3 found (the entities app's section): each placed span is wrapped in a <mark> inside
// the element whose data-entity-target it names, its offsets counted in that element's textContent. Nodes are
// built, never HTML parsed. Without JavaScript the section still lists everything; its switches appear only here.
(() => {
  const source = document.getElementById("entity-spans");
  if (!source) return;
  let data;
  try {
    data = JSON.parse(source.textContent);
  } catch (error) {
    return;
  }
  const types = data.types || {};
  const names = data.names || {};
  const HTML_NS = "http://www.w3.org/1999/xhtml";
  // Text a <mark> can't go into (or around, between a table's rows say) stays as it is; its length still counts.
  const NO_MARK_IN = new Set(["SCRIPT", "STYLE", "TEXTAREA", "OPTION", "SELECT", "TITLE", "TABLE", "THEAD", "TBODY",
    "TFOOT", "TR", "UL", "OL", "DL", "COLGROUP"]);

  const typeClass = (type) => (/^[a-z]+$/.test(type) ? type : "other");
  const labelOf = (span) => {
    const name = names[`${span.type}:${span.identifier}`] || span.identifier;
    return `${name} · ${types[span.type] || span.type} · ${span.identifier}`;
  };

  function markFor(span, text, first) {
    const mark = document.createElement("mark");
    mark.className = `entity entity-${typeClass(span.type)}`;
    mark.dataset.entityType = span.type;
    mark.dataset.label = labelOf(span);
    mark.title = mark.dataset.label;
    mark.append(document.createTextNode(text));
    if (first) {
      // One stop per mention, even when the mention runs across elements (it then has a mark per piece).
      mark.tabIndex = 0;
      mark.dataset.entityStop = "";
    }
    return mark;
  }

  function highlight(root, spans) {
    const pieces = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let length = 0;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      pieces.push({ node, start: length });
      length += node.data.length;
    }
    // In order; one that overlaps the one before, falls outside the text, or no longer covers the words it was
    // placed on (the text changed since), is left out: never a highlight on the wrong words.
    const whole = pieces.map((piece) => piece.node.data).join("");
    spans.sort((a, b) => a.start - b.start || b.end - a.end);
    const kept = [];
    let lastEnd = 0;
    for (const span of spans) {
      if (!Number.isInteger(span.start) || !Number.isInteger(span.end)) continue;
      if (span.start < lastEnd || span.end <= span.start || span.end > length) continue;
      if (typeof span.text === "string" && whole.slice(span.start, span.end) !== span.text) continue;
      kept.push(span);
      lastEnd = span.end;
    }
    let next = 0;
    let made = 0;
    for (const { node, start } of pieces) {
      const end = start + node.data.length;
      while (next < kept.length && kept[next].end <= start) next += 1;
      const parent = node.parentNode;
      if (next >= kept.length || kept[next].start >= end || !parent) continue;
      if (parent.namespaceURI !== HTML_NS || NO_MARK_IN.has(parent.nodeName)) continue; // MathML, SVG …
      const fragment = document.createDocumentFragment();
      let at = start;
      for (let index = next; index < kept.length && kept[index].start < end; index += 1) {
        const span = kept[index];
        const from = Math.max(span.start, start);
        const to = Math.min(span.end, end);
        const text = node.data.slice(from - start, to - start);
        if (!text.trim()) continue; // white space between elements: nothing to see, and no mark belongs there
        if (from > at) fragment.append(document.createTextNode(node.data.slice(at - start, from - start)));
        fragment.append(markFor(span, text, from === span.start));
        made += 1;
        at = to;
      }
      if (at === start) continue;
      if (at < end) fragment.append(document.createTextNode(node.data.slice(at - start)));
      parent.replaceChild(fragment, node);
    }
    return made;
  }

  const byTarget = new Map();
  for (const span of data.spans || []) {
    if (!span || typeof span.target !== "string") continue;
    if (!byTarget.has(span.target)) byTarget.set(span.target, []);
    byTarget.get(span.target).push(span);
  }
  let made = 0;
  for (const root of document.querySelectorAll("[data-entity-target]")) {
    const spans = byTarget.get(root.dataset.entityTarget);
    if (spans) made += highlight(root, spans);
  }
  if (!made) return;

  // The legend's switches: a type's highlighting (and its marks' tab stops and labels) on or off.
  const legend = document.querySelector("[data-entity-legend]");
  if (!legend) return;
  legend.hidden = false;
  legend.addEventListener("change", (event) => {
    const box = event.target.closest("[data-entity-toggle]");
    if (!box) return;
    const type = box.dataset.entityToggle;
    document.body.classList.toggle(`entity-off-${typeClass(type)}`, !box.checked);
    for (const mark of document.querySelectorAll(`mark.entity-${typeClass(type)}`)) {
      if (mark.dataset.entityType !== type) continue;
      if (box.checked) mark.title = mark.dataset.label;
      else mark.removeAttribute("title");
      if ("entityStop" in mark.dataset) mark.tabIndex = box.checked ? 0 : -1;
    }
  });
})();
